"""Start Portfolio: the command line, or the desktop app when no command is given."""

from __future__ import annotations

import argparse
import sys


def launch_desktop(args: argparse.Namespace) -> int:
    """Open the window (or render snapshots); Qt is imported only on this path."""
    from ui.app import run

    return run(args)


def main(argv: list[str] | None = None) -> int:
    from portfolio.cli import main as cli_main

    return cli_main(argv, launcher=launch_desktop)


if __name__ == "__main__":
    sys.exit(main())
