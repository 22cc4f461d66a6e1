"""Every Ebb example and `ebb` transcript in docs/*.md stays true to the code.

Examples are fenced code blocks starting at the beginning of a line; the fence's info string
says what the block is (docs/language.md, "About this reference", tells writers the same):

- ```ebb                a complete spec file. It must parse without any diagnostic and
                        `check_text` must report no error (warnings are allowed).
- ```ebb-fragment       Ebb members (model, op, event, ...) shown out of context. The test wraps
                        them in `ebb Fragment shared { ... }` and they must parse without any
                        diagnostic; they are not type-checked, since they name declarations
                        shown elsewhere on the page.
- ```ebb-error [CODE..] a complete spec file with a deliberate mistake. Parsing, then (when it
                        parses) checking, must give at least one diagnostic, and every CODE
                        listed (e.g. E200) must be among them.

Attributes after the kind, `key=value`:
- `file=NAME`    the block is the spec file NAME as it stands at that point of the page. Each
                 example is checked, and each transcript run, in a fresh folder holding the
                 page's `file=` blocks up to that point (a later block of the same name
                 replaces an earlier one), so a page can grow a file step by step and examples
                 can import each other.
- `example=NAME` the block is a copy of docs/examples/NAME and must match it exactly.
- `from=PATH`    (any fence, e.g. ```markdown) the block is an excerpt of the file PATH that the
                 page's transcripts before it write (e.g. a page `ebb docs` generates).

A ```console block whose every `$ ` line runs `ebb` (or is `echo $?`, the exit status of the
`ebb` before it) is a transcript: the commands run in order, in that folder, and each must print
exactly the lines that follow it (stdout and stderr together). Output that depends on more than
the page (e.g. the bundled library) goes in a ```text block instead. Every `docs/examples/*.ebb`
must check with no diagnostic at all (not even a warning) and be formatted as `ebb fmt` does.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
import pytest

from ebbrt.cli import main
from ebbrt.spec import Diagnostic, check_text, format_text, parse_text

DOCS = Path(__file__).resolve().parents[2] / "docs"
EXAMPLES = DOCS / "examples"
KINDS = ("ebb", "ebb-fragment", "ebb-error")
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.S | re.M)
CODE = re.compile(r"^[EW]\d{3}$")


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    kind: str
    text: str
    codes: tuple[str, ...] = ()
    attrs: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    @property
    def id(self) -> str:
        return f"{self.page.name}:{self.line}"

    @property
    def file_name(self) -> str:
        return self.attrs.get("file") or f"{self.page.stem}_{self.line}.ebb"


def blocks_of(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    found = []
    for m in FENCE.finditer(text):
        info = m.group(1).split()
        if not info:
            continue
        line = text.count("\n", 0, m.start()) + 1
        words = info[1:]
        codes = tuple(w for w in words if CODE.match(w))
        attrs = dict(w.split("=", 1) for w in words if "=" in w)
        found.append(Block(page, line, info[0], m.group(2), codes, attrs))
    return found


PAGES = sorted(DOCS.glob("*.md"))
ALL_BLOCKS = [b for page in PAGES for b in blocks_of(page)]
EBB_BLOCKS = [b for b in ALL_BLOCKS if b.kind.startswith("ebb")]


def _blocks(*kinds: str) -> list[pytest.param]:
    return [pytest.param(b, id=b.id) for b in EBB_BLOCKS if b.kind in kinds]


def _check(text: str, path: Path) -> list[Diagnostic]:
    return list(check_text(text, str(path)).diagnostics)


def _files_at(block: Block, folder: Path) -> Path:
    """Write the page's `file=` blocks up to `block` into `folder`, the later ones winning."""
    for b in blocks_of(block.page):
        if b.line <= block.line and "file" in b.attrs and b.kind.startswith("ebb"):
            (folder / b.attrs["file"]).write_text(b.text, encoding="utf-8")
    return folder


def _show(diagnostics: list[Diagnostic], text: str) -> str:
    return "\n".join(d.render(text) for d in diagnostics)


# ------------------------------------------------------------------------------ the extractor

def test_the_docs_have_examples_of_every_kind() -> None:
    kinds = {b.kind for b in EBB_BLOCKS}
    assert set(KINDS) <= kinds, f"no example of kinds {set(KINDS) - kinds} found in {DOCS}"


@pytest.mark.parametrize("block", [pytest.param(b, id=b.id) for b in EBB_BLOCKS])
def test_fence_kind_is_known(block: Block) -> None:
    assert block.kind in KINDS, f"{block.id}: unknown fence ```{block.kind} (use one of {KINDS})"
    assert set(block.attrs) <= {"file", "example"}, f"{block.id}: unknown attribute"
    if block.kind != "ebb-error":
        assert not block.codes, f"{block.id}: only ```ebb-error blocks list codes"


def test_the_extractor_reads_info_strings(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_text("text\n```ebb-error E200 W401 file=a.ebb\nebb A shared {}\n```\n"
                    "```console\n$ ebb check a.ebb\n```\n", encoding="utf-8")
    first, second = blocks_of(page)
    assert (first.kind, first.line, first.codes, first.attrs) == (
        "ebb-error", 2, ("E200", "W401"), {"file": "a.ebb"})
    assert first.text == "ebb A shared {}\n"
    assert (second.kind, second.text) == ("console", "$ ebb check a.ebb\n")


def test_a_later_file_block_replaces_an_earlier_one(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_text("```ebb file=a.ebb\none\n```\n```ebb file=a.ebb\ntwo\n```\n"
                    "```ebb file=b.ebb\nthree\n```\n", encoding="utf-8")
    first, second, third = blocks_of(page)
    assert (_files_at(first, tmp_path) / "a.ebb").read_text() == "one\n"
    assert not (tmp_path / "b.ebb").exists()
    _files_at(third, tmp_path)
    assert (tmp_path / "a.ebb").read_text() == "two\n"


# ------------------------------------------------------------------------------ repository paths

REPO_PATH = re.compile(r"`((?:spec|ebbrt|ebbs|tests|docs|verifier|runtime|machine|benchmarks)"
                       r"/[A-Za-z0-9_./*-]*)`")


@pytest.mark.parametrize("page", [pytest.param(p, id=p.name) for p in PAGES])
def test_repository_paths_named_in_the_docs_exist(page: Path) -> None:
    root = DOCS.parent
    named = set(REPO_PATH.findall(page.read_text(encoding="utf-8")))
    missing = sorted(p for p in named if not any(root.glob(p.rstrip("/"))))
    assert not missing, f"{page.name} names paths that do not exist: {missing}"


LINK = re.compile(r"\]\(([a-z_]*\.md)?(?:#([A-Za-z0-9_-]+))?\)")


def anchors_of(page: Path) -> set[str]:
    """GitHub's heading slugs (lower case, punctuation dropped, spaces to `-`) and `<a id>`s."""
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    heads = re.findall(r"^#{1,6} (.*)$", text, re.M)
    slugs = {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in heads}
    return slugs | set(re.findall(r'<a id="([^"]+)">', text))


def test_anchors_of_makes_githubs_slugs(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_text('# E1xx — reading: `ebb check`\n<a id="x1"></a>\n', encoding="utf-8")
    assert anchors_of(page) == {"e1xx--reading-ebb-check", "x1"}


@pytest.mark.parametrize("page", [pytest.param(p, id=p.name) for p in PAGES])
def test_links_between_pages_resolve(page: Path) -> None:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    broken = []
    for target, anchor in LINK.findall(text):
        linked = DOCS / target if target else page
        if not linked.is_file() or (anchor and anchor not in anchors_of(linked)):
            broken.append(f"{target}#{anchor}")
    assert not broken, f"{page.name} has broken links: {broken}"


# ------------------------------------------------------------------------------ syntax

def test_keyword_list_is_the_grammars() -> None:
    """docs/language.md lists exactly the words the grammar uses as keywords."""
    from ebbrt.spec._parser import parser

    page = DOCS / "language.md"
    text = page.read_text(encoding="utf-8")
    section = text[text.index("## Keywords"):]
    listed = next(b for b in blocks_of(page) if b.kind == "text" and b.text in section)
    grammar = {t.pattern.value for t in parser().terminals
               if t.pattern.type == "str" and re.fullmatch(r"[A-Za-z_]+", t.pattern.value)}
    assert sorted(listed.text.split()) == sorted(grammar)


@pytest.mark.parametrize("block", _blocks("ebb"))
def test_complete_example_parses(block: Block) -> None:
    module, diagnostics = parse_text(block.text, block.file_name)
    assert module is not None and not diagnostics, _show(diagnostics, block.text)


@pytest.mark.parametrize("block", _blocks("ebb-fragment"))
def test_fragment_parses_inside_an_ebb(block: Block) -> None:
    wrapped = "ebb Fragment shared {\n" + block.text + "}\n"
    module, diagnostics = parse_text(wrapped, block.file_name)
    assert module is not None and not diagnostics, _show(diagnostics, wrapped)


# ------------------------------------------------------------------------------ checking

@pytest.mark.parametrize("block", _blocks("ebb"))
def test_complete_example_checks(block: Block, tmp_path: Path) -> None:
    diagnostics = _check(block.text, _files_at(block, tmp_path) / block.file_name)
    errors = [d for d in diagnostics if d.is_error]
    assert not errors, _show(errors, block.text)


@pytest.mark.parametrize("block", _blocks("ebb-error"))
def test_error_example_is_diagnosed(block: Block, tmp_path: Path) -> None:
    path = _files_at(block, tmp_path) / block.file_name
    module, diagnostics = parse_text(block.text, str(path))
    if module is not None:
        diagnostics = _check(block.text, path)
    assert diagnostics, f"{block.id}: a deliberate mistake that nothing reports"
    found = {d.code for d in diagnostics}
    missing = set(block.codes) - found
    assert not missing, (f"{block.id}: expected {sorted(missing)}, got:\n"
                         + _show(diagnostics, block.text))


@pytest.mark.parametrize("block", [pytest.param(b, id=b.id) for b in EBB_BLOCKS
                                   if "example" in b.attrs])
def test_copy_matches_the_example_file(block: Block) -> None:
    saved = EXAMPLES / block.attrs["example"]
    assert saved.is_file(), f"{block.id}: {saved} does not exist"
    assert block.text == saved.read_text(encoding="utf-8")


EXAMPLE_FILES = [pytest.param(p, id=p.name) for p in sorted(EXAMPLES.glob("*.ebb"))]


@pytest.mark.parametrize("path", EXAMPLE_FILES)
def test_example_file_checks_clean(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    diagnostics = _check(text, path)
    assert not diagnostics, _show(diagnostics, text)


@pytest.mark.parametrize("path", EXAMPLE_FILES)
def test_example_file_is_formatted(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    formatted, diagnostics = format_text(text, str(path))
    assert formatted == text, _show(diagnostics, text) or "run `ebb fmt docs/examples`"


def test_there_are_example_files() -> None:
    assert EXAMPLE_FILES, f"no example specs in {EXAMPLES}"


# ------------------------------------------------------------------------------ transcripts

def split_transcript(text: str) -> list[tuple[list[str], str]] | None:
    """[(ebb's arguments, expected output)], or None when a command is neither `ebb` nor
    `echo $?` (which shows the exit status of the `ebb` command before it; its args are [])."""
    runs: list[tuple[list[str], list[str]]] = []
    for line in text.splitlines():
        if line.startswith("$ "):
            if line[2:].strip() == "echo $?":
                runs.append(([], []))
                continue
            words = shlex.split(line[2:])
            if words[:1] != ["ebb"] or len(words) < 2:
                return None
            runs.append((words[1:], []))
        elif runs:
            runs[-1][1].append(line)
        else:
            return None
    return [(args, "\n".join(out)) for args, out in runs] or None


def _transcripts() -> list[pytest.param]:
    return [pytest.param(b, id=b.id) for b in ALL_BLOCKS
            if b.kind == "console" and split_transcript(b.text) is not None]


def test_split_transcript() -> None:
    assert split_transcript("$ ebb check a.ebb\nout 1\nout 2\n$ echo $?\n1\n"
                            "$ ebb fmt --check 'b c'\n") == [
        (["check", "a.ebb"], "out 1\nout 2"), ([], "1"), (["fmt", "--check", "b c"], "")]
    assert split_transcript("$ ls\n") is None
    assert split_transcript("no prompt\n") is None


def run_ebb(args: list[str]) -> tuple[int, str]:
    """Run the `ebb` command line in-process: its exit status and everything it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            status = main(args)
        except SystemExit as exc:  # argparse exits on usage errors, after printing them
            status = exc.code if isinstance(exc.code, int) else 1
    return status, out.getvalue()


@pytest.mark.parametrize("block", _transcripts())
def test_transcript_shows_what_ebb_prints(block: Block, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(_files_at(block, tmp_path))
    status = 0
    for args, shown in split_transcript(block.text) or []:
        if not args:
            assert str(status) == shown.strip(), f"{block.id}: exit status"
            continue
        status, printed = run_ebb(args)
        assert printed.rstrip("\n") == shown.rstrip("\n"), f"$ ebb {shlex.join(args)}"


def _replay(block: Block, folder: Path) -> None:
    """Write the page's files and run its transcripts, in page order, up to `block`."""
    for b in blocks_of(block.page):
        if b.line >= block.line:
            break
        if "file" in b.attrs and b.kind.startswith("ebb"):
            (folder / b.attrs["file"]).write_text(b.text, encoding="utf-8")
        elif b.kind == "console":
            for args, _ in split_transcript(b.text) or []:
                if args:
                    run_ebb(args)


@pytest.mark.parametrize("block", [pytest.param(b, id=b.id) for b in ALL_BLOCKS
                                   if "from" in b.attrs])
def test_excerpt_is_in_the_generated_file(block: Block, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _replay(block, tmp_path)
    generated = tmp_path / block.attrs["from"]
    assert generated.is_file(), f"{block.id}: the commands before it write no {generated.name}"
    assert block.text.strip() in generated.read_text(encoding="utf-8"), (
        f"{block.id}: not an excerpt of {block.attrs['from']} as generated now")
