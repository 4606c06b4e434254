"""The bundled app's entry point: what ``Portfolio`` (``Portfolio.exe``, ``Portfolio.app``) runs.

It is ``main.main`` (the ``portfolio`` command) plus what only a frozen app needs:

* ``multiprocessing.freeze_support()``: ``portfolio deck --director`` writes decks in
  spawned worker processes, which re-run this executable; without it each worker would
  start another copy of the command instead of the worker.
* On Windows, ``Portfolio.exe`` has no console (``portfolio-cli.exe`` beside it has):
  its missing ``stdout`` and ``stderr`` go to the null device.
* A lone portfolio file as the argument (``Portfolio book.sqlite3``) opens it, as
  ``--db`` would: that is how a file manager hands over a double-clicked ``.sqlite3``
  (Windows' and Linux's file associations, macOS' open event turned into ``argv``).
* ``PORTFOLIO_STARTUP_PROBE=FILE``: write the time the first rows were painted (with
  the licences Help > About lists, and the font) to ``FILE`` as JSON, and quit.
  ``packaging/build.py`` times the bundle and the virtual environment's ``portfolio``
  with it, the way ``tests/bench/ui_tasks.py`` times start-up.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from pathlib import Path

PORTFOLIO_SUFFIXES = (".sqlite3", ".sqlite", ".db")
POLL_MS = 2


def arguments(argv: list[str]) -> list[str]:
    """``argv`` with a lone existing portfolio file turned into ``--db FILE``."""
    if len(argv) == 1 and argv[0].lower().endswith(PORTFOLIO_SUFFIXES):
        if Path(argv[0]).is_file():
            return ["--db", argv[0]]
    return argv


def probe_start(report: str, argv: list[str]) -> int:
    """Start the desktop app; when the first rows are painted, write the time and quit."""
    import json
    import time

    # The command's own order (core first, Qt when the window opens), so the probe
    # times what a person's start does.
    from main import launch_desktop
    from portfolio.cli import main as cli_main

    found: dict = {}

    def probe(window) -> None:
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication

        page = window.current_page()
        panel = page.primary_panel() if page is not None else None
        if panel is None:
            # A start that did not reach a list is a failed start, said now: waiting
            # for rows that can never come would only end in the builder's timeout.
            print(
                f"probe: the start showed {window.current_key() or 'no page'!r}, "
                "not a page with a list",
                file=sys.stderr,
            )
            QApplication.instance().exit(3)
            return

        def check() -> None:
            try:
                look()
            except Exception as error:  # a probe that fails must end the start, not hang it
                print(f"probe: {type(error).__name__}: {error}", file=sys.stderr)
                QApplication.instance().exit(3)

        def look() -> None:
            handle = window.windowHandle()
            exposed = handle is not None and handle.isExposed()
            if exposed and panel.model.first_rows_in:
                panel.table.viewport().repaint()
                found["painted_at"] = time.time()
                found["rows"] = panel.model.rowCount()
                found["frozen"] = bool(getattr(sys, "frozen", False))
                # What Help > About lists and the font drawn with, as this executable
                # sees them (smoke.py checks both).
                from PySide6.QtGui import QFontInfo

                from portfolio.licences import components

                found["licences"] = {part.name: part.licence for part in components()}
                found["font"] = QFontInfo(QApplication.font()).family()
                Path(report).write_text(json.dumps(found), encoding="utf-8")
                window.close()
                QApplication.instance().quit()
            else:
                QTimer.singleShot(POLL_MS, check)

        QTimer.singleShot(0, check)

    return cli_main(argv, launcher=lambda args: launch_desktop(args, on_window=probe))


def start(argv: list[str]) -> int:
    argv = arguments(argv)
    report = os.environ.get("PORTFOLIO_STARTUP_PROBE")
    if report:
        return probe_start(report, argv)
    from main import main

    return main(argv)


if __name__ == "__main__":
    multiprocessing.freeze_support()
    # Windows' Portfolio.exe has no console: Python gives it no stdout or stderr, and
    # code that writes to them (a command typed at it by mistake) would fail.
    for stream in ("stdout", "stderr"):
        if getattr(sys, stream) is None:
            setattr(sys, stream, open(os.devnull, "w", encoding="utf-8"))
    sys.exit(start(sys.argv[1:]))
