"""Issue 14 in the app: File > Take offline…, the status bar of a copy, File > Sync now and
its conflicts side by side, on a team SQLite file and a PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import select

from portfolio.actions import Action, Edit, perform
from portfolio.model import Client
from portfolio.storage import open_database
from tests.conftest import BACKENDS, TODAY, copy_demo

OWNER = "Isla Patel"
COLLEAGUE = "Hannah O'Neill"


@pytest.fixture(params=BACKENDS)
def team(request, demo_file: Path, tmp_path: Path, pg_server, pg_demo_template) -> str:
    if request.param == "sqlite":
        return str(copy_demo(demo_file, tmp_path / "team.sqlite3"))
    return pg_server.create(template=pg_demo_template)


def window_on(qtbot, target: str, tmp_path: Path, name: str, user: str | None = None):
    from ui.main_window import MainWindow
    from ui.settings import Settings
    from ui.workspace import Workspace

    workspace = Workspace(
        open_database(target, user=user),
        Settings.in_file(tmp_path / f"{name}.ini"),
        today=TODAY,
    )
    window = MainWindow(workspace)
    qtbot.addWidget(window)
    window.resize(1360, 860)
    window.show()
    return window


def click_later(button_text: str, seen: list) -> None:
    """Click ``button_text`` in the next modal message box (or dialog with that button)."""

    def poke() -> None:
        from PySide6.QtWidgets import QAbstractButton

        dialog = QApplication.activeModalWidget()
        if dialog is not None:
            for button in dialog.findChildren(QAbstractButton):
                if button.text().replace("&", "") == button_text and button.isVisible():
                    seen.append(dialog)
                    QTest.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
                    return
        QTimer.singleShot(20, poke)

    QTimer.singleShot(0, poke)


def test_take_offline_edit_and_sync_with_a_conflict_settled_in_the_app(
    qtbot, team: str, tmp_path: Path, monkeypatch
):
    from sqlalchemy.engine import make_url

    from ui.offline.actions import TakeOfflineDialog, start_checkout

    if "://" in team:  # the copy remembers the server without its password: libpq's own
        monkeypatch.setenv("PGPASSWORD", make_url(team).password or "")
    server_window = window_on(qtbot, team, tmp_path, "server", OWNER)
    book = tmp_path / "my book.sqlite3"
    dialog = TakeOfflineDialog(server_window)  # a director's book, the first director
    assert dialog.scope().director_id == dialog.director.currentData()
    seen: list = []
    click_later("Close", seen)
    start_checkout(server_window, dialog.scope(), str(book))
    qtbot.waitUntil(lambda: book.exists() and bool(seen), timeout=60_000)

    copy_window = window_on(qtbot, str(book), tmp_path, "copy")
    label = copy_window.offline_label
    assert label.text().startswith("Offline copy of ") and "nothing to sync" in label.text()
    # Who is working is read off the GUI thread (a server may be slow): wait for it.
    qtbot.waitUntil(lambda: "Working as Isla Patel" in copy_window.user_label.text())
    with copy_window.workspace.database.session() as session:
        client_id = session.scalar(select(Client.id).order_by(Client.id))
    copy_window.workspace.perform(
        Action("Edit notes", (Edit("client", client_id, {"notes": "mine, offline"}),))
    )
    qtbot.waitUntil(lambda: "1 change not yet synced" in label.text())
    colleague = open_database(team, user=COLLEAGUE)
    perform(colleague, Action("Edit notes", (Edit("client", client_id, {"notes": "theirs"}),)))

    def settle() -> None:
        dialog = QApplication.activeModalWidget()
        from ui.offline.actions import ConflictsDialog

        if isinstance(dialog, ConflictsDialog):
            seen.append(dialog)
            assert dialog.table.item(0, 3).text() == "mine, offline"
            assert dialog.table.item(0, 4).text() == "theirs"
            assert COLLEAGUE in dialog.table.item(0, 5).text()
            combo = dialog.choices[0]
            combo.setFocus()
            combo.setCurrentIndex(combo.findData("mine"))
            dialog.accept()
        else:
            QTimer.singleShot(20, settle)

    seen.clear()
    QTimer.singleShot(0, settle)
    copy_window.offline_actions["sync_now"].trigger()

    def failure() -> str | None:
        box = getattr(copy_window, "sync_failure_box", None)
        return box.text() if box is not None else None

    qtbot.waitUntil(lambda: bool(seen) or failure() is not None, timeout=60_000)
    assert failure() is None
    qtbot.waitUntil(lambda: "nothing to sync" in label.text(), timeout=60_000)
    with colleague.session() as session:
        assert session.get(Client, client_id).notes == "mine, offline"
    colleague.close()
    assert not isinstance(QApplication.activeModalWidget(), QMessageBox)
