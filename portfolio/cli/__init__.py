"""The ``portfolio`` command line, headless: it never imports Qt.

Opening the desktop window (no subcommand, or ``snapshot``) is handed to a *launcher*
that ``main.py`` passes in; the core only parses the arguments. That keeps one parser
(and one ``--help``) for everything without the core depending on the desktop app.

Exit codes: 0 success, 1 an error the user can act on (one line on stderr), 2 a usage
error, 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from portfolio import __version__
from portfolio.cli import (
    book_reports,
    check,
    deck,
    demo,
    journal,
    offline,
    portfolios,
    reports,
    workbooks,
)
from portfolio.cli.terminal import one_line, safe_streams
from portfolio.errors import PortfolioError

#: Modules that add subcommands; each has ``register(subparsers)`` and sets ``run``.
COMMAND_MODULES = [
    portfolios,
    demo,
    reports,
    book_reports,
    deck,
    workbooks,
    journal,
    check,
    offline,
]

Launcher = Callable[[argparse.Namespace], int]


def build_parser(
    *, commands: bool = True, exit_on_error: bool = True, allow_abbrev: bool = True
) -> argparse.ArgumentParser:
    """The whole parser; ``commands=False`` only the options of the desktop start."""
    parser = argparse.ArgumentParser(
        exit_on_error=exit_on_error,
        allow_abbrev=allow_abbrev,
        prog="portfolio",
        description="Account portfolio management: clients, campaigns, budgets and variances.",
        epilog="Without a command, opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"portfolio {__version__}")
    parser.add_argument(
        "--db",
        metavar="PATH|URL",
        default=None,
        help="SQLite file or postgresql+psycopg:// URL (default: the file in your data folder)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open the app on the demo portfolio in your data folder (built if there is "
        "none; asks before rebuilding one that is there)",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="with --demo: rebuild the demo portfolio without asking",
    )
    if not commands:
        return parser
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(subparsers)
    snapshot = subparsers.add_parser(
        "snapshot", help="render each main view of a portfolio to PNG files (headless)"
    )
    snapshot.add_argument("--db", default=argparse.SUPPRESS, metavar="PATH|URL")
    snapshot.add_argument("--out", required=True, metavar="DIR", help="folder for the PNG files")
    snapshot.set_defaults(gui=True)
    return parser


def main(argv: Sequence[str] | None = None, *, launcher: Launcher | None = None) -> int:
    try:
        args = _desktop_start(argv)
        if args is None:
            args = build_parser().parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    if getattr(args, "run", None) is None:
        if launcher is None:
            print(
                "portfolio: the desktop app is not installed here; use a command "
                "(portfolio --help)",
                file=sys.stderr,
            )
            return 1
        return _guarded(lambda: launcher(args))
    with safe_streams():
        return _guarded(lambda: args.run(args))


def _desktop_start(argv: Sequence[str] | None) -> argparse.Namespace | None:
    """The arguments of a plain desktop start (``portfolio [--db X] [--demo]``), or None
    for anything else (a command, help, a mistake): those get the whole parser.

    Adding the two dozen commands' parsers costs 15-20 ms, a twentieth of the time to
    the first rows painted; a desktop start does not need them (issue 15).
    """
    given = sys.argv[1:] if argv is None else list(argv)
    if any(arg in ("-h", "--help") for arg in given):
        return None
    try:
        # No abbreviations here: "--d" (--db or --demo?) is the whole parser's to refuse.
        parser = build_parser(commands=False, exit_on_error=False, allow_abbrev=False)
        args, rest = parser.parse_known_args(given)
    except argparse.ArgumentError:
        return None  # said by the whole parser, with its usage
    if rest:
        return None
    args.command = None
    return args


def _guarded(run: Callable[[], int]) -> int:
    """Run a command; a failure the user can act on is one line on stderr and code 1."""
    sys.unraisablehook = _quiet_cleanup
    try:
        return run()
    except PortfolioError as error:
        print(f"portfolio: {one_line(str(error))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("portfolio: interrupted; nothing was changed", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as error:
        # A file a command reads or writes itself (not through portfolio.files).
        from portfolio.storage.failures import explain_os

        where = error.filename or "a file"
        print(f"portfolio: {one_line(str(explain_os(where, error, 'use')))}", file=sys.stderr)
        return 1


def _quiet_cleanup(unraisable) -> None:
    """Drop an ``OSError`` raised while Python frees an object abandoned by a failure.

    When a disk fills up half-way through a workbook, the zip file inside openpyxl is
    left open; freeing it later fails again on the full disk, and Python would print
    that as a traceback after the one line that already explained the failure.
    """
    if isinstance(unraisable.exc_value, OSError):
        return
    sys.__unraisablehook__(unraisable)
