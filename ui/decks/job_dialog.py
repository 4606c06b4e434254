"""A dialog that runs long core work (decks) with progress, Cancel and a line of news.

Both deck dialogs start their work through their own ``JobRunner`` (``ui.jobs``): the
work runs on the portfolio's worker pool and the runner's progress dialog has Cancel.
While work runs, the buttons that start more are disabled. Closing the dialog cancels
the work and lets it stop first (a deck being written is removed, never left half
written), then the dialog goes away.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QAbstractButton, QDialog, QLabel, QWidget

from portfolio.errors import PortfolioError
from portfolio.jobs import Cancelled, Job
from ui.jobs import JobRunner, report_error
from ui.theme import colours
from ui.workspace import Workspace


class JobDialog(QDialog):
    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.runner = JobRunner(workspace.lane, self)
        self.runner.finished.connect(self._job_ended)
        #: Buttons that start work; disabled while work runs.
        self.starters: list[QAbstractButton] = []
        self.news = QLabel("")
        self.news.setAccessibleName("Status")
        self.news.setWordWrap(True)
        #: The result to close with once running work has stopped.
        self._closing: int | None = None
        #: Set once the dialog is closing: late results are dropped.
        self.closed = False

    @property
    def busy(self) -> bool:
        return self.runner.busy

    def say(self, text: str, *, bad: bool = False) -> None:
        colour = colours().unfavourable.name() if bad else "palette(text)"
        self.news.setStyleSheet(f"color: {colour};")
        self.news.setText(text)

    def run(
        self,
        title: str,
        work: Callable[[Job], Any],
        on_done: Callable[[Any], None],
        *,
        cancelled: str = "Cancelled; nothing was written.",
    ) -> Job:
        """Start ``work(job)`` off the GUI thread; ``on_done(result)`` back on it."""
        self._set_busy(True)
        self.say(f"{title}…")

        def done(result: Any) -> None:
            if not self.closed:
                on_done(result)

        def failed(error: BaseException) -> None:
            if self.closed:
                return
            if isinstance(error, Cancelled):
                self.say(cancelled)
            elif isinstance(error, PortfolioError):
                self.say(str(error), bad=True)
            else:
                self.say(f"Something went wrong: {error!r}", bad=True)
                report_error(self, error, title)

        return self.runner.start(title, work, done, on_error=failed)

    def _set_busy(self, busy: bool) -> None:
        for button in self.starters:
            button.setEnabled(not busy and self.can_start(button))

    def can_start(self, button: QAbstractButton) -> bool:
        """Whether ``button`` may be used when no work runs (subclasses refine)."""
        return True

    def refresh_buttons(self) -> None:
        self._set_busy(self.busy)

    def _job_ended(self, _title: str, _message: str) -> None:
        if self.busy:
            return
        if self._closing is not None:
            result, self._closing = self._closing, None
            self.finish(result)
            return
        self._set_busy(False)

    def done(self, result: int) -> None:
        """Close; if work runs, cancel it and close once it has stopped."""
        self.closed = True
        if self.busy:
            self._closing = result
            if self.runner.current is not None:
                self.runner.current.cancel()
            self.hide()
            return
        self.finish(result)

    def finish(self, result: int) -> None:
        self.cleanup()
        super().done(result)

    def cleanup(self) -> None:
        """Remove what the dialog made for itself (scratch files); called once closing."""
