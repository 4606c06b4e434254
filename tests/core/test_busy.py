"""Busy is not an error: ``Database.write`` waits for another program's write lock with a
bounded back-off, tells its watcher, honours Cancel, and refuses in one line only after
the bound, with nothing changed. (Issue 12: an edit failed after 5 s with an unhandled
"database is locked" while an import held the lock.)"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, select, text

from portfolio.jobs import Cancelled
from portfolio.model import Client
from portfolio.storage.failures import BusyError
from tests.conditions import release, write_lock_held


@contextmanager
def held(database):
    """Another program holds the write lock: a second process on SQLite, a second
    connection holding the client table on PostgreSQL."""
    if database.is_sqlite:
        with write_lock_held(database.path) as holder:
            yield lambda: release(holder)
        return
    engine = create_engine(database.url)
    connection = engine.connect()
    connection.execute(text("LOCK TABLE client IN EXCLUSIVE MODE"))

    def let_go() -> None:
        if connection.in_transaction():
            connection.rollback()

    try:
        yield let_go
    finally:
        let_go()
        connection.close()
        engine.dispose()


def rename_first_client(session) -> str:
    client = session.scalars(select(Client).order_by(Client.id).limit(1)).one()
    client.name = "Renamed while busy"
    session.flush()
    return client.name


def first_name(database) -> str:
    with database.session() as session:
        return session.scalar(select(Client.name).order_by(Client.id).limit(1))


def test_a_write_waits_for_the_lock_and_then_goes_through(demo):
    seen: list[float | None] = []
    with held(demo) as let_go:
        timer = threading.Timer(1.5, let_go)
        timer.start()
        started = time.monotonic()
        assert demo.write(rename_first_client, on_busy=seen.append) == "Renamed while busy"
        timer.join()
    assert time.monotonic() - started >= 1.4
    assert seen and seen[-1] is None and all(s is not None for s in seen[:-1])
    assert first_name(demo) == "Renamed while busy"


def test_a_write_is_refused_in_one_line_after_the_bound(demo):
    before = first_name(demo)
    with held(demo), pytest.raises(BusyError) as caught:
        demo.write(rename_first_client, wait=1)
    message = str(caught.value)
    assert message == (
        f"{demo.name} is locked by another program that has been writing to it for over "
        "1 s; nothing was changed, try again when it is done"
    )
    assert first_name(demo) == before


def test_cancel_while_waiting_changes_nothing(demo):
    before = first_name(demo)

    def cancel_after_half_a_second(elapsed: float | None) -> None:
        if elapsed is not None and elapsed > 0.5:
            raise Cancelled("Stopped waiting; nothing was changed")

    started = time.monotonic()
    with held(demo), pytest.raises(Cancelled):
        demo.write(rename_first_client, on_busy=cancel_after_half_a_second)
    assert time.monotonic() - started < 5
    assert first_name(demo) == before


def test_the_database_wide_watcher_hears_of_every_write_that_waits(demo):
    seen: list[float | None] = []
    demo.on_busy = seen.append
    with held(demo) as let_go:
        threading.Timer(0.5, let_go).start()
        demo.write(rename_first_client)
    assert seen[-1] is None and len(seen) >= 2


def test_the_bound_comes_from_the_environment(monkeypatch):
    from portfolio.storage.busy import BusyWait

    monkeypatch.setenv("PORTFOLIO_BUSY_WAIT", "4.5")
    assert BusyWait().limit == 4.5
    monkeypatch.setenv("PORTFOLIO_BUSY_WAIT", "soon")
    assert BusyWait().limit == 30.0
