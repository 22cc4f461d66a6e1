"""The HTML pages in a real browser: Debian's headless Chromium, offline.

Visibility, not just presence: the test copies the site, adds to its copy of the Timer page an
inline script that marks each element to check with `data-visible="yes"` when it has a non-empty
box on the page and is not hidden by `display`, `visibility` or `opacity`, then reads the marks
from Chromium's `--dump-dom`. It also takes a screenshot of the page as shipped (no script) and
checks that it is an image of the right size with something drawn on it.

Needs the Debian package `chromium` (`apt-get install chromium`); skips without it.
"""

from __future__ import annotations

import os
import shutil
import signal
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from docgen_helpers import Node, elements, parse_html

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars"]
WINDOW = (1280, 1600)
TIMEOUT_S = 120  # a safety net against a hung browser; the check itself is not timed

PROBE = """<script>
(function () {
  var checked = "h1, pre.synopsis, section.op .element, section.event .element, " +
                "figure.diagram svg, nav.sidebar";
  var pageWidth = document.documentElement.scrollWidth;
  document.querySelectorAll(checked).forEach(function (el) {
    var box = el.getBoundingClientRect();
    var style = getComputedStyle(el);
    var shown = box.width > 0 && box.height > 0 && box.right > 0 && box.left < pageWidth &&
                box.bottom > 0 && style.display !== "none" && style.visibility === "visible" &&
                parseFloat(style.opacity) > 0;
    el.setAttribute("data-visible", shown ? "yes" : "no");
  });
  document.documentElement.setAttribute("data-probed", "yes");
})();
</script>
"""


def chromium() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium"
                                          if os.access("/usr/bin/chromium", os.X_OK) else None)
    if found is None:
        pytest.skip("chromium not installed: apt-get install chromium")
    return found


def run_chromium(args: list[str], profile: Path) -> bytes:
    """Run Chromium to completion in its own process group; return its stdout."""
    command = [chromium(), *FLAGS, f"--user-data-dir={profile}",
               f"--window-size={WINDOW[0]},{WINDOW[1]}", *args]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"chromium did not finish within {TIMEOUT_S}s: {' '.join(command)}")
    finally:
        try:  # helpers it may have left behind in its group
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert proc.returncode == 0, err.decode(errors="replace")[-2000:]
    return out


@pytest.fixture(scope="module")
def probed_timer(sample_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Node:
    copy = tmp_path_factory.mktemp("browser") / "html"
    shutil.copytree(sample_site / "html", copy)
    page = copy / "Timer.html"
    text = page.read_text(encoding="utf-8")
    assert "<script" not in text  # the shipped page has none; only this copy gets the probe
    page.write_text(text.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = run_chromium(["--dump-dom", page.as_uri()], copy.parent / "profile")
    return parse_html(dom.decode("utf-8"))


def test_clauses_are_visible(probed_timer: Node) -> None:
    html = probed_timer.find_all(lambda n: n.tag == "html")[0]
    assert html.attrs.get("data-probed") == "yes", "the probe script did not run"
    start = probed_timer.by_id("op-start")
    shown = {label: text for (label, text), node in zip(
        elements(start), [n for n in start.children if isinstance(n, Node)
                          and n.has_class("element")])
        if node.attrs.get("data-visible") == "yes"}
    assert list(shown) == ["Preconditions", "Effects", "Synchronization", "Complexity"]
    assert "hook !in armed — a hook is armed at most once" in shown["Preconditions"]
    assert "Modifies armed." in shown["Effects"]
    assert shown["Complexity"] == "Complexity: Worst O(log(size(armed))) in steps."
    hidden = [n.text()[:60] for n in probed_timer.iter() if n.attrs.get("data-visible") == "no"]
    assert not hidden, f"present but not visible: {hidden}"
    for selector in ("h1", "pre", "svg", "nav"):
        assert any(n.tag == selector and n.attrs.get("data-visible") == "yes"
                   for n in probed_timer.iter()), f"no visible {selector}"


def _png_size_and_pixels(data: bytes) -> tuple[int, int, bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, width, height, idat = 8, 0, 0, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", chunk[:8])
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    return width, height, zlib.decompress(idat)


def test_screenshot_shows_the_page(sample_site: Path, tmp_path: Path) -> None:
    shot = tmp_path / "timer.png"
    run_chromium([f"--screenshot={shot}", (sample_site / "html" / "Timer.html").as_uri()],
                 tmp_path / "profile")
    width, height, pixels = _png_size_and_pixels(shot.read_bytes())
    assert (width, height) == WINDOW
    # a blank page compresses to a handful of byte values; text, rules and tints give many
    assert len(set(pixels)) > 64, "the screenshot looks blank"
