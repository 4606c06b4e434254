"""Offline copies in the app: File > Take offline…, File > Sync now, the status bar.

``install(window)`` adds the File items: Take offline… on every portfolio; on an
offline copy, Sync now and Sync automatically, and a status bar note saying whose copy
this is and how many changes wait to be synced. The core does the work
(``portfolio.sync``), on a worker thread with progress and Cancel; conflicts are shown
side by side (base, mine, theirs, who and when) to be settled one by one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel

if TYPE_CHECKING:
    from ui.main_window import MainWindow

#: How often an offline copy that syncs automatically tries the server.
AUTO_SYNC_MS = 5 * 60 * 1000


def install(window: MainWindow) -> None:
    from ui.offline import actions

    take = QAction("Take &offline…", window)
    take.setStatusTip(
        "Copy a director's book to a file on this computer, to work without a network"
    )
    take.triggered.connect(lambda _checked=False: actions.take_offline(window))
    window.file_menu.insertAction(window.export_anchor, take)
    window.offline_actions = {"take_offline": take}
    state = window.workspace.read(_status)
    if state is None:
        return
    sync_now = QAction("&Sync now", window)
    sync_now.setStatusTip(f"Send this copy's changes to {state.server} and bring theirs")
    sync_now.triggered.connect(lambda _checked=False: actions.sync_now(window))
    automatic = QAction("Sync &automatically", window)
    automatic.setCheckable(True)
    key = f"offline/auto_sync/{window.workspace.database.name}"
    automatic.setChecked(window.settings.value(key, False) in (True, "true"))
    automatic.toggled.connect(lambda on: window.settings.set_value(key, on))
    window.file_menu.insertAction(window.export_anchor, sync_now)
    window.file_menu.insertAction(window.export_anchor, automatic)
    window.offline_actions.update({"sync_now": sync_now, "auto_sync": automatic})
    label = QLabel("")
    label.setAccessibleName("Offline copy")
    window.statusBar().addPermanentWidget(label)
    window.offline_label = label
    actions.show_status(window)
    window.workspace.changed.connect(lambda _changes: actions.show_status(window))
    timer = QTimer(window)
    timer.setInterval(AUTO_SYNC_MS)
    timer.timeout.connect(lambda: automatic.isChecked() and actions.sync_now(window, quiet=True))
    timer.start()
    window.auto_sync_timer = timer


def _status(session):
    from portfolio.sync.pending import status

    return status(session)
