"""The app when the machine says no: waiting for another program with Cancel, and no
empty portfolio made from a zero-byte or missing file. (Issue 12.)"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QPushButton
from sqlalchemy import select

from portfolio.errors import DatabaseOpenError
from portfolio.jobs import Cancelled
from portfolio.model import Client
from tests.conditions import release, write_lock_held


def rename_first_client(session) -> None:
    client = session.scalars(select(Client).order_by(Client.id).limit(1)).one()
    client.name = "Renamed while busy"


def first_name(database) -> str:
    with database.session() as session:
        return session.scalar(select(Client.name).order_by(Client.id).limit(1))


@pytest.mark.sqlite_only
def test_a_write_on_the_gui_thread_shows_waiting_and_cancel_changes_nothing(qtbot, window):
    from ui.busy import BusyDialog

    database = window.workspace.database
    watcher = database.on_busy = BusyDialog(window)
    before = first_name(database)
    shown: list[str] = []

    def press_cancel() -> None:
        dialog = watcher.dialog
        if dialog is not None and dialog.isVisible():
            shown.append(dialog.labelText())
            dialog.cancel()
        else:
            QTimer.singleShot(50, press_cancel)

    with write_lock_held(database.path):
        QTimer.singleShot(50, press_cancel)
        with pytest.raises(Cancelled, match="nothing was changed"):
            database.write(rename_first_client)
    assert shown and shown[0].startswith("Waiting for another program using this portfolio")
    assert watcher.dialog is None
    assert first_name(database) == before


@pytest.mark.sqlite_only
def test_an_import_in_the_app_shows_the_wait_in_its_progress_then_completes(
    qtbot, window, tmp_path
):
    from portfolio.imports.importer import run_import
    from portfolio.imports.plan import ImportOptions

    database = window.workspace.database
    client = first_name(database)
    changes = tmp_path / "changes.csv"
    changes.write_text(f'Client,Notes\n"{client}",Seen while waiting\n')
    results: list = []
    with write_lock_held(database.path) as holder:
        window.jobs.start(
            "Importing",
            lambda job: run_import(database, changes, ImportOptions(), job),
            results.append,
        )
        qtbot.waitUntil(
            lambda: (
                window.jobs.dialog is not None
                and "Waiting for another program" in window.jobs.dialog.labelText()
            ),
            timeout=10_000,
        )
        release(holder)
        qtbot.waitUntil(lambda: bool(results), timeout=20_000)
    assert results[0].applied is not None and results[0].applied.changed == 1


def test_the_app_never_makes_a_portfolio_of_a_zero_byte_or_missing_file(tmp_path, settings):
    from ui.app import open_window

    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    with pytest.raises(DatabaseOpenError, match=r"is empty \(0 bytes\)"):
        open_window(str(empty), settings=settings)
    with pytest.raises(DatabaseOpenError, match="does not exist"):
        open_window(str(tmp_path / "typo.sqlite3"), settings=settings)
    assert empty.stat().st_size == 0 and not (tmp_path / "typo.sqlite3").exists()


@pytest.mark.sqlite_only
def test_an_edit_cancelled_while_waiting_keeps_what_was_typed_in_the_message(qtbot, window):
    """Regression (issue 12): an edit during a long import failed after 5 s with an
    unhandled "database is locked" and the typed value was lost without a word.

    The edit is saved off the GUI thread (issue 13); its progress dialog says that it
    waits for another program, and its Cancel stops the wait."""
    waiter = window.workspace.waiter
    database = window.workspace.database
    panel = window.show_page("clients").primary_panel()
    qtbot.waitUntil(lambda: panel.model.idle, timeout=20_000)
    model = panel.model
    index = model.index(0, model.column_of("name"))
    before = model.data(index)
    shown: list[str] = []

    def press_cancel() -> None:
        dialog = waiter.dialog
        waiting = dialog is not None and dialog.isVisible()
        if waiting and "Waiting for another" in dialog.labelText():
            shown.append(dialog.labelText())
            button = dialog.findChild(QPushButton)
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        else:
            QTimer.singleShot(50, press_cancel)

    with write_lock_held(database.path):
        QTimer.singleShot(50, press_cancel)
        assert not model.setData(index, "Typed While Busy Ltd")
    assert shown and shown[0].startswith("Saving: Edit Client of ")
    reason = model.last_refusal[2]
    assert "nothing was changed" in reason and "you typed Typed While Busy Ltd" in reason
    assert model.data(index) == before
    assert window.workspace.undo_stack.count() == 0


def test_after_a_wait_long_enough_to_show_its_dialog_the_window_keys_work_again(
    qtbot, window, workspace
):
    """Regression (a flaky test seen on PostgreSQL): a Delete slow enough to show the
    "Saving…" dialog left no window active when the dialog went (the offscreen platform
    does not hand activation back), so the Ctrl+Z pressed next did nothing."""
    import time

    from PySide6.QtWidgets import QApplication

    from ui.waiting import SHOW_AFTER

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    seen: list = []
    QTimer.singleShot(int(SHOW_AFTER * 1000) + 150, lambda: seen.append(workspace.waiter.dialog))
    workspace.run(lambda: time.sleep(SHOW_AFTER + 0.4), title="Saving: slowly")
    assert seen and seen[0] is not None  # the dialog was shown
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2_000)
