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
from portfolio.cli import book_reports, deck, demo, reports, workbooks
from portfolio.errors import PortfolioError

#: Modules that add subcommands; each has ``register(subparsers)`` and sets ``run``.
COMMAND_MODULES = [demo, reports, book_reports, deck, workbooks]

Launcher = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(commands)
    snapshot = commands.add_parser(
        "snapshot", help="render each main view of a portfolio to PNG files (headless)"
    )
    snapshot.add_argument("--db", default=argparse.SUPPRESS, metavar="PATH|URL")
    snapshot.add_argument("--out", required=True, metavar="DIR", help="folder for the PNG files")
    snapshot.set_defaults(gui=True)
    return parser


def main(argv: Sequence[str] | None = None, *, launcher: Launcher | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        if getattr(args, "run", None) is not None:
            return args.run(args)
        if launcher is None:
            print(
                "portfolio: the desktop app is not installed here; use a command "
                "(portfolio --help)",
                file=sys.stderr,
            )
            return 1
        return launcher(args)
    except PortfolioError as error:
        print(f"portfolio: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("portfolio: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
