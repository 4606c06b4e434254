"""Start Portfolio: the command line, or the desktop app when no command is given."""

from __future__ import annotations

import argparse
import gc
import sys

#: The desktop process's garbage collector thresholds (CPython's are 700, 10, 10).
#: A figure page makes tens of thousands of objects at a time (27,000 make-up plan
#: items at the campaign level): with the defaults, five full collections of 57-68 ms
#: each fell on the figures benchmark's page changes (0.16-0.23 s in all), and the
#: campaign level took 0.23-0.40 s; with these, none did (0.15-0.21 s). Nearly all of
#: that garbage is freed by reference counting at once, whatever the thresholds.
GC_THRESHOLDS = (50_000, 20, 10)


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
    gc.set_threshold(*GC_THRESHOLDS)

    def started(window) -> None:
        # What the start made (modules, the window, its pages) lives as long as the
        # process: no later collection needs to walk it again.
        gc.freeze()
        if on_window is not None:
            on_window(window)

    return run(args, on_window=started)


def main(argv: list[str] | None = None) -> int:
    from portfolio.cli import main as cli_main

    return cli_main(argv, launcher=launch_desktop)


if __name__ == "__main__":
    sys.exit(main())
