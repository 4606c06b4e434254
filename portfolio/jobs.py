"""Progress and cancellation for long work (exports, imports, decks, demo data).

Core functions that take a while accept a ``Job``: they call ``job.step(fraction,
message)`` as they go, and that call raises ``Cancelled`` once the user has asked to
stop. The desktop app runs the work on a worker thread and maps the job to a progress
bar and a Cancel button; the command line prints a progress line on a terminal. Work
that writes files or the database must leave nothing half-done when cancelled: files
are written to a temporary name (``portfolio.files``), database work in one
transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from portfolio.errors import PortfolioError


class Cancelled(PortfolioError):
    def __init__(self, message: str = "Cancelled; nothing was changed") -> None:
        super().__init__(message)


class Job:
    """A handle the worker reports to and the user cancels through; thread-safe."""

    def __init__(self, on_progress: Callable[[float, str], None] | None = None) -> None:
        self._on_progress = on_progress
        self._cancel = threading.Event()
        self.fraction = 0.0
        self.message = ""

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()

    def step(self, fraction: float, message: str = "") -> None:
        """Report progress (0..1) and stop here if the user cancelled."""
        self.check()
        self.fraction = max(0.0, min(1.0, fraction))
        self.message = message or self.message
        if self._on_progress is not None:
            self._on_progress(self.fraction, self.message)

    def part(self, start: float, end: float) -> Job:
        """This job seen by one stage of the work: its 0..1 is this job's ``start..end``.

        A caller that runs two core functions under one progress bar (write a deck, then
        render its pages) hands each a part. Cancelling the job or any part cancels all.
        """
        part = Job(lambda fraction, message: self.step(start + (end - start) * fraction, message))
        part._cancel = self._cancel
        return part


#: For callers that neither show progress nor cancel.
def quiet() -> Job:
    return Job()
