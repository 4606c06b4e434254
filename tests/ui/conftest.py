"""Desktop fixtures: a private copy of the demo, throw-away settings, a main window.

Everything runs on Qt's offscreen platform (set in the top-level conftest). The demo
is the session's ``demo_file`` copied per test, or, when ``PORTFOLIO_TEST_PG_URL`` is
set, a scratch PostgreSQL database made from the demo template: every test that takes
``workspace``, ``window`` or ``ui_target`` runs on both backends. A test of an SQLite
file's own behaviour (a held write lock, a backup file) is marked ``sqlite_only``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from portfolio.storage import open_database
from tests.conftest import BACKENDS, TODAY, copy_demo


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: the behaviour of an SQLite file (skipped on PostgreSQL)"
    )


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


@pytest.fixture(params=BACKENDS)
def ui_target(request, demo_file: Path, tmp_path: Path, pg_server, pg_demo_template) -> str:
    """Where the test's demo copy is: an SQLite path or a scratch PostgreSQL URL."""
    if request.param == "sqlite":
        return str(copy_demo(demo_file, tmp_path / "portfolio.sqlite3"))
    if request.node.get_closest_marker("sqlite_only"):
        pytest.skip("the behaviour of an SQLite file")
    return pg_server.create(template=pg_demo_template)


@pytest.fixture
def workspace(ui_target: str, settings) -> Iterator:
    from ui.workspace import Workspace

    workspace = Workspace(open_database(ui_target), settings, today=TODAY)
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
