"""`ebb run APP` end to end: each bundled app runs clean with contracts full on 2 nodes x 2
cores; the same seed gives the same output and trace (in another process too, with other hash
randomisation); the capture reads back (and tshark finds nothing malformed); a broken Timer
stops the run with exit 1 and the report; usage errors exit 2."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ebbrt.cli import COMMANDS, main
from ebbrt.cli.run import parse_time
from ebbrt.machine import ETHERTYPE_EXPERIMENTAL, EthernetFrame, read_pcap

TSHARK = shutil.which("tshark")


def ebb(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run `ebb ARGS` in this process: the exit status, stdout and stderr."""
    try:
        status = main(list(args))
    except SystemExit as exc:  # argparse's usage errors
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def summary(out: str) -> dict[str, str]:
    """The summary's lines by their label, the first 17 columns (`violations` -> `0`)."""
    return {key: rest.strip() for key, rest in (
        (line[:17].strip(), line[17:]) for line in out.splitlines() if line[16:17] == " ")}


def test_run_is_a_command() -> None:
    assert COMMANDS["run"] == "run"


def test_list_names_every_app_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = ebb(capsys, "run", "--list")
    assert status == 0
    assert [line.split()[0] for line in out.splitlines()] == ["hello", "ping-pong",
                                                              "timer-storm"]


def test_hello_greets_from_every_core_of_every_node(capsys) -> None:
    status, out, err = ebb(capsys, "run", "hello", "--nodes", "3", "--cores", "2")
    assert status == 0 and err == ""
    greeted = sorted(line.split()[2] for line in out.splitlines() if line.startswith("hello"))
    assert greeted == [f"node{n}.core{c}" for n in range(3) for c in range(2)]
    assert summary(out)["greetings"] == "6 of 6 cores"
    assert summary(out)["violations"] == "0"


def test_timer_storm_runs_clean_with_contracts_full(capsys) -> None:
    status, out, err = ebb(capsys, "run", "timer-storm", "--nodes", "2", "--cores", "2",
                           "--contracts", "full")
    assert status == 0 and err == ""
    facts = summary(out)
    assert facts["violations"] == "0"
    assert ", early 0, " in facts["hooks fired"]
    assert int(facts["contract checks"].split()[0]) > 1000
    assert facts["hooks stopped"].split()[0] != "0"


def test_ping_pong_completes_over_a_lossy_network_and_captures_every_frame(
        capsys, tmp_path: Path) -> None:
    pcap = tmp_path / "run.pcap"
    status, out, err = ebb(capsys, "run", "ping-pong", "--nodes", "2", "--cores", "2",
                           "--pcap", str(pcap))
    assert status == 0 and err == ""
    facts = summary(out)
    assert facts["round trips"].startswith("20 of 20 (min ")
    assert facts["violations"] == "0"
    sent = int(facts["frames"].split()[1].rstrip(","))
    dropped = int(facts["frames"].split()[5].rstrip(","))
    assert dropped > 0 and "retransmitted 0," not in facts["messages"]
    capture = read_pcap(pcap.read_bytes())
    assert capture.linktype == 1 and len(capture.records) == sent
    frames = [EthernetFrame.decode(r.data) for r in capture.records]
    assert {f.ethertype for f in frames} == {ETHERTYPE_EXPERIMENTAL}
    if TSHARK is not None:
        shown = subprocess.run([TSHARK, "-r", str(pcap)], capture_output=True, text=True,
                               check=True).stdout
        assert len(shown.splitlines()) == sent and "Malformed" not in shown


def test_the_same_seed_gives_the_same_output_and_trace(capsys, tmp_path: Path) -> None:
    runs = []
    for name in ("a", "b"):
        trace = tmp_path / f"{name}.trace"
        status, out, _ = ebb(capsys, "run", "ping-pong", "--seed", "7", "--trace", str(trace))
        runs.append((status, out, trace.read_text()))
    assert runs[0] == runs[1] and runs[0][0] == 0
    assert len(runs[0][2].splitlines()) > 300          # the whole trace, not a tail
    status, other, _ = ebb(capsys, "run", "ping-pong", "--seed", "8")
    assert other != runs[0][1]


def test_another_process_with_other_hash_randomisation_gives_the_same_run(
        capsys, tmp_path: Path) -> None:
    args = ["run", "timer-storm", "--seed", "3", "--nodes", "2", "--cores", "3"]
    status, out, _ = ebb(capsys, *args, "--trace", str(tmp_path / "here.trace"))
    env = {**os.environ, "PYTHONHASHSEED": "1234"}
    there = subprocess.run([sys.executable, "-c", "import sys; from ebbrt.cli import main; "
                            "sys.exit(main(sys.argv[1:]))", *args,
                            "--trace", str(tmp_path / "there.trace")],
                           capture_output=True, text=True, env=env, cwd=tmp_path)
    assert (there.returncode, there.stdout) == (status, out)
    assert (tmp_path / "there.trace").read_text() == (tmp_path / "here.trace").read_text()


@pytest.mark.parametrize("variant, clause", [
    ("broken-early", "Timer broke its temporal property `no_early`"),
    ("broken-inline", "fire occurred inside a matching call of start"),
    ("broken-rearm", "Timer.fire: ensures `old(armed)[hook].period > 0us ==>"),
])
def test_a_broken_timer_stops_the_run_with_the_clause_location_and_trail(
        capsys, variant: str, clause: str) -> None:
    status, out, err = ebb(capsys, "run", "timer-storm", "--contracts", "full",
                           "--timer", variant)
    assert status == 1
    assert summary(out)["violations"] == "1"
    assert err.splitlines()[0].endswith(": the run stopped")
    assert clause in err and "timer.ebb:" in err
    assert "event   Timer.fire(hook=h" in err and "trace records, oldest first:" in err


def test_contracts_off_checks_nothing_and_sampled_checks_less(capsys) -> None:
    checks = {}
    for mode in ("off", "sampled:5", "requires", "full"):
        status, out, _ = ebb(capsys, "run", "timer-storm", "--contracts", mode)
        assert status == 0
        checks[mode] = int(summary(out)["contract checks"].split()[0])
    assert checks["off"] == 0 < checks["sampled:5"] < checks["full"]
    assert 0 < checks["requires"] < checks["full"]


def test_until_stops_the_run(capsys) -> None:
    status, out, _ = ebb(capsys, "run", "ping-pong", "--until", "300us")
    assert status == 0
    facts = summary(out)
    assert facts["simulated time"] == "300.000us"
    assert not facts["round trips"].startswith("20 of")


@pytest.mark.parametrize("text, ns", [("10ms", 10_000_000), ("2s", 2_000_000_000),
                                      ("500us", 500_000), ("1.5ms", 1_500_000),
                                      ("250ns", 250), ("3µs", 3_000)])
def test_times_take_a_unit(text: str, ns: int) -> None:
    assert parse_time(text) == ns


@pytest.mark.parametrize("args, message", [
    (["hello", "--until", "10"], "'10': it has no unit"),
    (["hello", "--until", "soon"], "'soon': not a time"),
    (["hello", "--until", "0ms"], "the run needs a time > 0"),
    (["hello", "--until", "1.5ns"], "not a whole number of nanoseconds"),
    (["hello", "--contracts", "most"], "the contract mode is off, requires, full or sampled:N"),
    (["hello", "--contracts", "sampled:0"], "sampled:N (N >= 1"),
    (["hello", "--nodes", "0"], "--nodes is a whole number from 1 to 64"),
    (["hello", "--cores", "many"], "--cores is a whole number from 1 to 64"),
    (["hello", "--seed", "x"], "invalid int value"),
    (["nope"], "no app 'nope'; the bundled apps are hello, ping-pong, timer-storm"),
    ([], "which app?"),
    (["ping-pong", "--nodes", "1"], "ping-pong needs at least 2 nodes"),
    (["timer-storm", "--timer", "broken-ish"], "no Timer variant 'broken-ish'"),
    (["hello", "--pcap", "/nonexistent/dir/run.pcap"], "cannot write the capture"),
])
def test_usage_errors_exit_2_with_a_message(capsys, args: list[str], message: str) -> None:
    status, out, err = ebb(capsys, "run", *args)
    assert status == 2 and out == ""
    assert message in err and "Traceback" not in err
