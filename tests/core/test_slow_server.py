"""A server that is slow, silent or gone: one line, within the timeouts, never a hang.

Regressions of issue 13: a server that accepted the connection but never answered hung
start-up for 61 s; a VPN drop froze every call for the whole outage. The link is
played by local sockets only: a listener that accepts and says nothing, and the
benchmark's delaying proxy, stalled or cut.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from portfolio.errors import DatabaseOpenError
from portfolio.storage import open_database, server
from portfolio.storage.failures import ConnectionLostError, TimedOutError
from portfolio.storage.server import Timeouts
from tests.bench.proxy import DelayProxy
from tests.conftest import PG_URL

needs_server = pytest.mark.skipif(not PG_URL, reason="needs PORTFOLIO_TEST_PG_URL")


def test_a_server_that_accepts_but_never_answers_is_refused_within_the_connect_timeout():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    held: list[socket.socket] = []
    threading.Thread(target=lambda: held.append(listener.accept()[0]), daemon=True).start()
    url = f"postgresql+psycopg://someone:pw@127.0.0.1:{listener.getsockname()[1]}/book"
    started = time.monotonic()
    with pytest.raises(DatabaseOpenError) as refused:
        open_database(url, timeouts=Timeouts(connect=2, statement=5))
    assert time.monotonic() - started < 8
    assert str(refused.value).startswith("Cannot reach postgresql://someone@127.0.0.1:")
    assert "connect timeout" in str(refused.value) and "pw" not in str(refused.value)
    listener.close()


@needs_server
def test_a_statement_past_its_timeout_is_one_line_and_changes_nothing(database):
    if not database.is_postgres:
        pytest.skip("a server's statement timeout")
    slow = open_database(
        str(database.url.render_as_string(hide_password=False)),
        timeouts=Timeouts(connect=5, statement=1),
    )
    try:
        with pytest.raises(TimedOutError, match="did not answer within the statement timeout"):
            slow.read(lambda s: s.execute(text("SELECT pg_sleep(3)")).all())
        assert slow.read(lambda s: s.scalar(text("SELECT 1"))) == 1
    finally:
        slow.close()


@pytest.fixture
def through_proxy(pg_server):
    url = make_url(pg_server.create())
    open_database(url.render_as_string(hide_password=False), create=True).close()
    with DelayProxy((url.host or "localhost", url.port or 5432), delay=0.0) as proxy:
        yield (
            proxy,
            url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False),
        )


@needs_server
def test_a_link_that_swallows_packets_ends_in_one_line_and_the_next_call_reconnects(
    through_proxy, monkeypatch
):
    monkeypatch.setattr(server, "GRACE", 1.0)
    proxy, url = through_proxy
    db = open_database(url, timeouts=Timeouts(connect=5, statement=1))
    try:
        assert db.read(lambda s: s.scalar(text("SELECT 1"))) == 1
        proxy.stall(True)
        started = time.monotonic()
        with pytest.raises(ConnectionLostError) as lost:
            db.read(lambda s: s.scalar(text("SELECT 2")))
        assert time.monotonic() - started < 6
        assert str(lost.value).startswith("Lost the connection to postgresql://")
        assert str(lost.value).endswith("nothing was changed")
        proxy.stall(False)
        assert db.read(lambda s: s.scalar(text("SELECT 3"))) == 3
    finally:
        proxy.stall(False)
        db.close()


@needs_server
def test_the_listener_says_when_the_server_is_gone_and_back(through_proxy):
    proxy, url = through_proxy
    db = open_database(url)
    states: list[str] = []
    heard = threading.Event()
    watcher = db.watcher(heard.set, lambda state, _reason: states.append(state))
    watcher.start()
    try:
        assert watcher.connected.wait(10)
        proxy.drop()
        deadline = time.monotonic() + 20
        while states[-1:] != ["back"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert states[:1] == ["lost"] and states[-1:] == ["back"]
    finally:
        watcher.stop()
        db.close()
