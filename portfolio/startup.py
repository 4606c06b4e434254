"""The core modules the desktop's first window needs, imported before Qt is.

Once PySide6 is imported, every later import of a new module goes through its feature
hook, which reads the module's whole source looking for the word "PySide6" (PySide's
``shibokensupport.feature.feature_imported``, PYSIDE-2029). The core never uses Qt, so
for it that work is pure cost: importing these modules first took 0.09 s off the
imports of the first window on the benchmark machine (``python tests/bench/run.py
ui``, figure (a)). ``main.launch_desktop`` calls ``import_before_qt``; a test checks that
opening the window imports no core module this list misses.
"""

from __future__ import annotations

import importlib

#: The core modules ``ui.app`` and the first page import, the ones no other in this
#: list imports (those come with them); the order does not matter.
FIRST_WINDOW = (
    "portfolio.jobs",
    "portfolio.journal.feed",
    "portfolio.queries.interrupt",
    "portfolio.queries.lists",
    "portfolio.queries.pickers",
    "portfolio.storage.credentials",
    "portfolio.storage.watch",
    "portfolio.sync.pending",
)


def import_before_qt() -> None:
    """Import ``FIRST_WINDOW`` (call before the first PySide6 import; harmless after)."""
    for name in FIRST_WINDOW:
        importlib.import_module(name)
