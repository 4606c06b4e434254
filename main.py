"""Start Portfolio: the command line, or the desktop app when no command is given."""

from __future__ import annotations

import argparse
import sys


def launch_desktop(args: argparse.Namespace, on_window=None) -> int:
    """Open the window (or render snapshots); Qt is imported only on this path.

    ``on_window(window)`` is called once the window has started (the start-up probes).
    """
    from portfolio.startup import import_before_qt

    import_before_qt()
    try:
        from ui.app import run
    except ImportError as error:
        # Qt could not load a system library (libEGL on a fresh Linux): say which package.
        from ui.system_libraries import explain_import_error

        explanation = explain_import_error(error)
        if explanation is None:
            raise
        print(f"portfolio: {explanation}", file=sys.stderr)
        return 1
    return run(args, on_window=on_window)


def main(argv: list[str] | None = None) -> int:
    from portfolio.cli import main as cli_main

    return cli_main(argv, launcher=launch_desktop)


if __name__ == "__main__":
    sys.exit(main())
