"""Waiting for a portfolio that another program is writing: busy is not an error.

SQLite lets one connection write at a time; PostgreSQL makes a writer wait for the rows
another holds. A write that meets either waits with a bounded back-off (``BusyWait``)
and, while it waits, tells whoever is watching (``OnBusy``): the app shows "Waiting for
another program using this portfolio …" with Cancel, the command line prints one line.
Only when the bound passes is the write refused (``BusyError``), with nothing changed.

The bound is 30 seconds, or ``PORTFOLIO_BUSY_WAIT`` (seconds) from the environment.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

#: Called with the seconds waited so far while waiting (it may raise ``Cancelled`` to
#: stop), and with ``None`` once the wait is over, whichever way it ended.
OnBusy = Callable[[float | None], None]

DEFAULT_LIMIT = 30.0
#: A write that held the lock for ``LONG_WRITE`` seconds or more (an import) lets the
#: next write of the same process wait ``COURTESY_PAUSE`` seconds first, so writers
#: that waited behind it get their turn instead of waiting behind the next one too.
LONG_WRITE = 1.0
COURTESY_PAUSE = 0.5
ENVIRONMENT_KEY = "PORTFOLIO_BUSY_WAIT"
WAITING_TEXT = "Waiting for another program using this portfolio …"


def default_limit() -> float:
    """The bound in seconds: ``PORTFOLIO_BUSY_WAIT`` if set to a number, else 30."""
    text = os.environ.get(ENVIRONMENT_KEY, "")
    try:
        value = float(text)
    except ValueError:
        return DEFAULT_LIMIT
    return max(0.0, value)


@dataclass
class BusyWait:
    """One write's wait: back-off delays, the bound, and the watcher's notices.

    ``pause()`` sleeps the next back-off step (25 ms doubling to 250 ms, with jitter so
    that two waiting writers do not retry in step) and returns ``False`` when the bound
    has passed. The steps stay short so that a waiting writer tries again within the
    courtesy pause of a long writer (``COURTESY_PAUSE``). The first pause notifies
    ``on_busy``; ``finish()`` tells it the wait is over.
    """

    limit: float = field(default_factory=default_limit)
    on_busy: OnBusy | None = None
    started: float = field(default_factory=time.monotonic)
    attempts: int = 0
    waited: bool = False

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def pause(self) -> bool:
        remaining = self.limit - self.elapsed
        if remaining <= 0:
            return False
        self.attempts += 1
        self.waited = True
        if self.on_busy is not None:
            self.on_busy(self.elapsed)
        delay = min(0.25, 0.025 * 2 ** min(self.attempts - 1, 4)) * random.uniform(0.5, 1.0)
        time.sleep(min(delay, remaining))
        if self.on_busy is not None:
            self.on_busy(self.elapsed)
        return True

    def finish(self) -> None:
        if self.waited and self.on_busy is not None:
            self.on_busy(None)


def printing_watcher(write: Callable[[str], object], delay: float = 1.0) -> OnBusy:
    """A watcher for a terminal: one line once the wait has lasted ``delay`` seconds."""
    shown = False

    def watch(elapsed: float | None) -> None:
        nonlocal shown
        if elapsed is not None and elapsed >= delay and not shown:
            shown = True
            write(f"{WAITING_TEXT} (up to {default_limit():.0f} s; Ctrl+C to stop)")

    return watch


def job_watcher(job) -> OnBusy:
    """A watcher for a ``portfolio.jobs.Job``: the wait shows in its progress, and the
    job's Cancel stops it (``job.step`` raises ``Cancelled``)."""

    before = job.message

    def watch(elapsed: float | None) -> None:
        if elapsed is None:
            job.step(job.fraction, before or " ")
        else:
            job.step(job.fraction, f"{WAITING_TEXT} ({elapsed:.0f} s)")

    return watch


def combine(*watchers: OnBusy | None) -> OnBusy:
    """One watcher telling each of ``watchers`` (``None`` skipped), in order."""
    chosen = [watcher for watcher in watchers if watcher is not None]

    def watch(elapsed: float | None) -> None:
        for watcher in chosen:
            watcher(elapsed)

    return watch
