"""Talking to a PostgreSQL server over a slow or unreliable link (a VPN to the office).

Every round trip costs the link's latency (20-60 ms over a VPN), so a connection here
is set up once to need as few as possible and never to hang:

* no ping per checkout from the pool (SQLAlchemy's ``pool_pre_ping`` costs a round trip
  for every query); a connection idle for ``IDLE_PING_SECONDS`` is pinged once, and one
  the driver already knows is broken is replaced without asking the server;
* reads run on autocommit connections (``Database.read``), so a SELECT is one round
  trip, not BEGIN, SELECT, ROLLBACK; a write is BEGIN, its statements, COMMIT;
* the timeouts travel in the connection's start-up packet (no ``SET`` round trips):
  ``statement_timeout`` (``Timeouts.statement``), ``lock_timeout`` (one attempt of a
  busy write, see ``Database.write``) and ``idle_in_transaction_session_timeout``
  (a client that vanished mid-transaction does not hold its locks for ever);
* ``connect_timeout`` bounds opening a connection, TCP keepalives notice a server
  that went away while we wait for it, and a watchdog (``StatementWatchdog``) closes
  the socket of a statement that has run ``GRACE`` seconds past the statement timeout
  (a link that swallows packets, where even the server's cancel cannot arrive), so a
  call never blocks for longer than the timeouts say.

Sums come back as the app's money type here, in one place: PostgreSQL's ``SUM`` of
integer minor units is a ``numeric``, which the driver would hand over as a
``Decimal`` (SQLite gives an ``int``), and a ``Decimal`` met a ``float`` in the charts
(``TypeError: Decimal - float`` on the Variances page). ``WholeNumericLoader`` reads a
``numeric`` without a fractional part as an ``int``; one with a fraction (a rate, a
percentage, an average) stays an exact ``Decimal``.

The timeouts are the user's settings: ``Timeouts`` (10 s to connect and 30 s per
statement by default, ``PORTFOLIO_CONNECT_TIMEOUT`` / ``PORTFOLIO_STATEMENT_TIMEOUT``
seconds in the environment, the desktop app's Preferences).
"""

from __future__ import annotations

import math
import os
import socket
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.exc import DisconnectionError

#: One attempt to take a lock waits this long inside the server (``Database.write``
#: retries with a back-off and tells the person after a moment).
LOCK_ATTEMPT_MS = 100
#: A connection unused for this long is pinged before it is handed out again.
IDLE_PING_SECONDS = 60.0
#: Seconds past the statement timeout before the watchdog closes the connection.
GRACE = 5.0
#: A transaction left open this long by a vanished client is ended by the server.
IDLE_IN_TRANSACTION_MS = 120_000


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait for a connection and for one statement."""

    connect: float = 10.0
    statement: float = 30.0

    @classmethod
    def from_environment(cls) -> Timeouts:
        """The defaults, or ``PORTFOLIO_CONNECT_TIMEOUT`` / ``PORTFOLIO_STATEMENT_TIMEOUT``."""
        return cls(
            connect=_seconds("PORTFOLIO_CONNECT_TIMEOUT", cls.connect),
            statement=_seconds("PORTFOLIO_STATEMENT_TIMEOUT", cls.statement),
        )


def _seconds(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default


def connect_arguments(timeouts: Timeouts, *, password: str | None = None) -> dict:
    """psycopg connection parameters for ``timeouts`` (see the module docstring)."""
    statement_ms = int(timeouts.statement * 1000)
    options = " ".join(
        (
            f"-c statement_timeout={statement_ms}",
            f"-c lock_timeout={LOCK_ATTEMPT_MS}",
            f"-c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_MS}",
        )
    )
    arguments = {
        # libpq counts whole seconds and treats 1 as 2.
        "connect_timeout": max(2, math.ceil(timeouts.connect)),
        "options": options,
        "application_name": "Portfolio",
        "keepalives": 1,
        "keepalives_idle": 10,
        "keepalives_interval": 5,
        "keepalives_count": 3,
        "tcp_user_timeout": statement_ms + int(GRACE * 1000),
    }
    if password is not None:
        arguments["password"] = password
    return arguments


def postgres_engine(
    url: URL, timeouts: Timeouts | None = None, *, password: str | None = None
) -> Engine:
    """An engine for ``url`` set up as the module docstring says."""
    timeouts = timeouts or Timeouts.from_environment()
    arguments = connect_arguments(timeouts, password=password)
    engine = create_engine(
        url, connect_args=arguments, pool_pre_ping=False, pool_size=8, max_overflow=4
    )
    _whole_numbers(engine)
    _ping_after_idle(engine)
    _watchdogs[engine] = StatementWatchdog(
        engine, timeouts.statement + GRACE, check_every=min(1.0, GRACE)
    )
    return engine


#: Each engine's watchdog, so closing the portfolio stops its thread.
_watchdogs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def stop_watchdog(engine: Engine) -> None:
    watchdog = _watchdogs.pop(engine, None)
    if watchdog is not None:
        watchdog.stop()


def driver_connector(
    engine: Engine, timeouts: Timeouts | None = None, *, password: str | None = None
) -> Callable[[], object]:
    """Makes psycopg connections outside ``engine``'s pool, set up like the pool's (for a
    listener that keeps its connection for as long as the portfolio is open)."""
    import psycopg

    arguments = connect_arguments(timeouts or Timeouts.from_environment(), password=password)
    _, parameters = engine.dialect.create_connect_args(engine.url)
    return lambda: psycopg.connect(**{**parameters, **arguments})


def _whole_numbers(engine: Engine) -> None:
    from psycopg.types.numeric import NumericLoader

    class WholeNumericLoader(NumericLoader):
        """``numeric`` text without a fraction (an exact sum of integers) as an ``int``."""

        def load(self, data):
            text_ = bytes(data)
            if text_.lstrip(b"-").isdigit():
                return int(text_)
            return super().load(data)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:
        dbapi_connection.adapters.register_loader("numeric", WholeNumericLoader)


def _ping_after_idle(engine: Engine) -> None:
    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection, record, _proxy) -> None:
        if dbapi_connection.closed or getattr(dbapi_connection, "broken", False):
            raise DisconnectionError("the connection was lost")
        returned = record.info.get("returned_at")
        if returned is not None and time.monotonic() - returned > IDLE_PING_SECONDS:
            try:
                dbapi_connection.execute("")
            except Exception as error:  # noqa: BLE001 - any failure means: reconnect
                raise DisconnectionError(str(error)) from error

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_connection, record) -> None:
        if record is not None:
            record.info["returned_at"] = time.monotonic()


class StatementWatchdog:
    """Closes the socket of a statement that runs ``limit`` seconds without an answer.

    The server ends a statement at its ``statement_timeout`` itself; this is for a link
    that stopped carrying packets, where the server's answer (or our cancel) never
    arrives. Closing the socket makes the waiting driver call fail at once with a lost
    connection, which the caller reports in one line; the pool then reconnects.
    """

    def __init__(self, engine: Engine, limit: float, check_every: float = 1.0) -> None:
        self.limit = limit
        self.check_every = check_every
        self._running: dict[int, tuple[float, object]] = {}
        self._lock = threading.Lock()
        self._engine = weakref.ref(engine)
        self._stopped = threading.Event()
        event.listen(engine, "before_cursor_execute", self._started)
        event.listen(engine, "after_cursor_execute", self._ended)
        event.listen(engine, "handle_error", self._failed)
        threading.Thread(target=self._watch, name="statement-watchdog", daemon=True).start()

    def stop(self) -> None:
        self._stopped.set()

    def _started(self, connection, *_args) -> None:
        driver = connection.connection.dbapi_connection
        with self._lock:
            self._running[id(driver)] = (time.monotonic(), driver)

    def _ended(self, connection, *_args) -> None:
        driver = connection.connection.dbapi_connection
        with self._lock:
            self._running.pop(id(driver), None)

    def _failed(self, context) -> None:
        connection = context.connection
        if connection is None or connection.closed:
            return
        try:
            driver = connection.connection.dbapi_connection
        except Exception:  # noqa: BLE001 - invalidated already
            return
        with self._lock:
            self._running.pop(id(driver), None)

    def _watch(self) -> None:
        while self._engine() is not None and not self._stopped.wait(self.check_every):
            now = time.monotonic()
            with self._lock:
                late = [
                    driver
                    for key, (started, driver) in list(self._running.items())
                    if now - started > self.limit and self._running.pop(key, None)
                ]
            for driver in late:
                close_socket(driver)


def close_socket(driver) -> None:
    """Shut down a psycopg connection's socket from another thread (see the watchdog)."""
    try:
        fd = driver.pgconn.socket
    except Exception:  # noqa: BLE001 - already closed
        return
    try:
        sock = socket.socket(fileno=os.dup(fd))
    except OSError:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    finally:
        sock.close()
