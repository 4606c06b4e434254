"""Stopping a stale background read from another thread, on both backends."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from portfolio.queries.interrupt import Interrupted, Interruptible

SLOW = {
    "sqlite": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
    "SELECT count(*) FROM n WHERE i < 100000000000",
    "postgresql": "SELECT pg_sleep(30)",
}


def test_a_running_read_stops_when_interrupted(database):
    read = Interruptible()
    outcome: list[BaseException] = []
    started = threading.Event()

    def work() -> None:
        try:
            with read.running(database.engine) as connection:
                started.set()
                connection.execute(text(SLOW[database.engine.dialect.name])).all()
        except BaseException as error:  # noqa: BLE001 - inspected below
            outcome.append(error)

    thread = threading.Thread(target=work)
    thread.start()
    assert started.wait(5)
    time.sleep(0.2)
    begun = time.perf_counter()
    read.interrupt()
    thread.join(10)
    assert not thread.is_alive()
    assert time.perf_counter() - begun < 5
    assert outcome and isinstance(outcome[0], DBAPIError)
    # The connection goes back to the pool fit for the next read.
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar_one() == 1


def test_a_read_stopped_before_it_starts_does_not_run(database):
    read = Interruptible()
    read.interrupt()
    with pytest.raises(Interrupted), read.running(database.engine):
        pass


def test_a_read_interrupted_as_it_ends_gives_no_connection_back_to_the_pool(database):
    """Regression: a server's cancel is sent from a thread of its own, later. When the
    read had just finished, its connection went back to the pool and the cancel stopped
    the next statement run on it (on PostgreSQL a re-sort made while the list's totals
    were being read failed now and then: the list test's re-sort saw no new rows)."""
    read = Interruptible()
    with read.running(database.engine) as connection:
        connection.execute(text("SELECT 1")).all()
        driver = connection.connection.dbapi_connection
        read.interrupt()
    with database.engine.connect() as connection:
        assert connection.connection.dbapi_connection is not driver
        assert connection.execute(text("SELECT 2")).scalar() == 2
