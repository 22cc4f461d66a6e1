"""The `ebb` command line. Each sub-command lives in its own module with `add_parser(sub)`
registering its arguments and a `run(args) -> int` that returns the exit code.

Exit codes (docs/cli.md): 0 clean, 1 errors found in specs, 2 usage errors, 70 a bug in ebb.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from .. import __version__

# sub-command name -> module in this package
COMMANDS = {
    "check": "check",
    "fmt": "fmt",
    "docs": "docs",
    "prove": "prove",
    "verify": "verify",
    "test": "verify",
    "run": "run",
}

EXIT_OK = 0
EXIT_SPEC_ERRORS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug in ebb itself


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ebb",
        description="Write down, prove, test and enforce the semantics of Ebbs.",
        epilog="exit codes: 0 clean, 1 errors in specs (prove: an obligation refuted), "
               "2 usage errors, 3 (prove) only unknown or skipped obligations remain, "
               "70 a bug in ebb",
    )
    parser.add_argument("--version", action="version", version=f"ebb {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, module in COMMANDS.items():
        if name == module:  # a module may register several commands (verify and test)
            importlib.import_module(f"{__name__}.{module}").add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # usage errors exit 2 through argparse
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("ebb: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - the last line of defence: say "bug", not a traceback
        print(f"ebb: internal error (a bug in ebb, not in your specs): {type(exc).__name__}: {exc}\n"
              f"  hint: please report it with the command and the files that caused it; "
              f"set EBB_TRACEBACK=1 to see the traceback", file=sys.stderr)
        if os.environ.get("EBB_TRACEBACK"):
            raise
        return EXIT_INTERNAL


def entry() -> None:
    sys.exit(main())


__all__ = ["main", "build_parser", "COMMANDS", "EXIT_OK", "EXIT_SPEC_ERRORS", "EXIT_USAGE",
           "EXIT_INTERNAL"]
