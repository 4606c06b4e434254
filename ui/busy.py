"""The app's side of a busy portfolio: "Waiting for another program …" with Cancel.

``Database.write`` waits (with a bounded back-off) when another program holds the
portfolio's write lock, and tells its watcher (``portfolio.storage.busy.OnBusy``). A
write started on the GUI thread shows this dialog while it waits and keeps the window
painting; Cancel stops the wait and the write is refused with nothing changed. The app
itself no longer writes on the GUI thread: an edit's wait is shown by its progress
dialog (``ui.waiting``), an import's by its job (``busy.job_watcher``).
"""

from __future__ import annotations

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

from portfolio.jobs import Cancelled
from portfolio.storage.busy import WAITING_TEXT

#: Waits shorter than this pass without a dialog (no flash for a brief lock).
SHOW_AFTER_SECONDS = 0.3


class BusyDialog:
    """An ``OnBusy`` watcher for ``Database.on_busy``; see the module docstring."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self._parent = parent
        self.dialog: QProgressDialog | None = None

    def __call__(self, elapsed: float | None) -> None:
        app = QApplication.instance()
        if app is None or QThread.currentThread() is not app.thread():
            return
        if elapsed is None:
            self._close()
            return
        if self.dialog is None:
            if elapsed < SHOW_AFTER_SECONDS:
                return
            self.dialog = QProgressDialog(WAITING_TEXT, "Cancel", 0, 0, self._parent)
            self.dialog.setWindowTitle("Portfolio")
            self.dialog.setAccessibleName("Waiting for another program")
            self.dialog.setMinimumDuration(0)
            self.dialog.setAutoClose(False)
            self.dialog.setAutoReset(False)
            self.dialog.show()
        self.dialog.setLabelText(f"{WAITING_TEXT}\n{elapsed:.0f} s")
        app.processEvents()
        if self.dialog is not None and self.dialog.wasCanceled():
            self._close()
            raise Cancelled(
                "Stopped waiting for another program using this portfolio; nothing was changed"
            )

    def _close(self) -> None:
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
