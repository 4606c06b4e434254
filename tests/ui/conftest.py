"""Desktop fixtures: a private copy of the demo file, throw-away settings, a main window.

Everything runs on Qt's offscreen platform (set in the top-level conftest). The demo
file is the session's ``demo_file``, copied per test, so tests may change it freely.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from portfolio.storage import open_database
from tests.conftest import TODAY, copy_demo


@pytest.fixture(scope="session", autouse=True)
def themed(qapp):
    from ui.theme import apply_theme

    apply_theme(qapp)
    return qapp


@pytest.fixture(autouse=True)
def quick_extras(monkeypatch):
    """Totals and id lists wait 300 ms to leave the first paint alone; tests need not."""
    from ui.tables.list_model import ListModel

    monkeypatch.setattr(ListModel, "EXTRAS_DELAY_MS", 10)


@pytest.fixture
def settings(tmp_path: Path):
    from ui.settings import Settings

    return Settings.in_file(tmp_path / "settings.ini")


@pytest.fixture
def portfolio_file(demo_file: Path, tmp_path: Path) -> Path:
    return copy_demo(demo_file, tmp_path / "portfolio.sqlite3")


@pytest.fixture
def workspace(portfolio_file: Path, settings) -> Iterator:
    from ui.workspace import Workspace

    workspace = Workspace(open_database(portfolio_file), settings, today=TODAY)
    yield workspace
    workspace.close()


@pytest.fixture
def window(qtbot, workspace):
    from ui.main_window import MainWindow

    window = MainWindow(workspace)
    qtbot.addWidget(window)
    window.resize(1360, 860)
    window.show()
    return window


def wait_for(qtbot, condition, timeout: int = 20_000) -> None:
    qtbot.waitUntil(condition, timeout=timeout)


def loaded(qtbot, model, timeout: int = 20_000):
    """Wait until a list model has its rows, totals and id list."""
    qtbot.waitUntil(lambda: model.idle, timeout=timeout)
    return model


def get(index, role=Qt.ItemDataRole.DisplayRole):
    """A cell's data through the Python model (not ``index.data()``).

    PySide 6.12 returns an empty QVariant to Python as an uncounted None: every
    ``index.data()`` that finds nothing lowers None's reference count, and enough of
    them (a polling loop) crash the interpreter on exit.
    """
    return index.model().data(index, role)
