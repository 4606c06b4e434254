"""Opening a portfolio: check what the target is before touching it, then migrate and connect.

The order matters for the promise that a file which is not a Portfolio database (or was
written by a newer Portfolio) is left byte-for-byte untouched: an SQLite file is first
inspected through a read-only connection, and only a recognised file is ever opened for
writing, backed up, or migrated.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from portfolio.errors import DatabaseOpenError
from portfolio.storage import location, migrate
from portfolio.storage.backup import backup_sqlite, readonly_uri, upgrade_backup_path
from portfolio.storage.busy import COURTESY_PAUSE, LONG_WRITE, BusyWait, OnBusy, combine
from portfolio.storage.failures import (
    SQLITE_BUSY,
    SQLITE_LOCKED,
    BusyError,
    StorageError,
    explain_connect,
    explain_os,
    explain_postgres,
    explain_sqlite,
    not_writable_reason,
)
from portfolio.storage.server import Timeouts, driver_connector, postgres_engine

T = TypeVar("T")

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
#: How long one attempt to take the write lock waits inside the database.
LOCK_ATTEMPT_MS = 100
#: PostgreSQL: lock_not_available, serialization_failure, deadlock_detected.
POSTGRES_RETRY_STATES = {"55P03", "40001", "40P01"}
#: The kind of partial file a new portfolio is built in (``portfolio.files``).
NEW_KIND = "new"


@dataclass(frozen=True)
class SchemaState:
    """What a database holds: ``empty``, ``current``, ``older``, ``newer`` or ``foreign``."""

    kind: str
    revision: str | None = None


def classify(tables: set[str], query: Callable[[str], list[tuple]]) -> SchemaState:
    """Tell a Portfolio database (and its schema age) from anything else."""
    if not tables:
        return SchemaState("empty")
    if "alembic_version" not in tables or "setting" not in tables:
        return SchemaState("foreign")
    marker = query(
        f"SELECT value FROM setting WHERE key = '{migrate.APPLICATION_KEY}'"  # noqa: S608
    )
    if not marker or marker[0][0] != migrate.APPLICATION_VALUE:
        return SchemaState("foreign")
    rows = query("SELECT version_num FROM alembic_version")
    if len(rows) != 1:
        return SchemaState("foreign")
    revision = rows[0][0]
    if revision == migrate.SCHEMA_HEAD:
        return SchemaState("current", revision)
    if revision in migrate.known_revisions():
        return SchemaState("older", revision)
    return SchemaState("newer", revision)


def inspect_sqlite_file(path: Path) -> SchemaState:
    """Classify an existing SQLite file through a read-only connection."""
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_MAGIC))
    except IsADirectoryError:
        raise DatabaseOpenError(f"{path} is a folder, not a Portfolio database file") from None
    except OSError as error:
        raise DatabaseOpenError(str(explain_os(path, error, "read"))) from None
    if not header:
        raise DatabaseOpenError(
            f"{path} is empty (0 bytes), so it is not a Portfolio database; nothing was "
            "changed (make a new portfolio with 'portfolio new' or File > New portfolio)"
        )
    if header != SQLITE_MAGIC:
        raise DatabaseOpenError(f"{path} is not a Portfolio database (it is not an SQLite file)")
    try:
        connection = sqlite3.connect(readonly_uri(path), uri=True)
        try:
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            tables = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            return classify(tables, lambda sql: connection.execute(sql).fetchall())
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        explained = explain_sqlite(path, error, "open")
        if explained is not None:
            raise DatabaseOpenError(str(explained)) from None
        raise DatabaseOpenError(
            f"{path} is not a Portfolio database (SQLite says: {error})"
        ) from None


def _sqlite_engine(url: URL) -> Engine:
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    return engine


class Database:
    """An open portfolio: the engine, a session factory, and where it lives.

    ``read`` and ``connect`` are for reading: on PostgreSQL their connections are in
    autocommit, so a query costs one round trip (no BEGIN and ROLLBACK around it); each
    statement sees the data as committed when it starts, as it would inside a READ
    COMMITTED transaction. ``write`` is the one way to change things.
    """

    def __init__(
        self, engine: Engine, url: URL, path: Path | None, *, user: str | None = None
    ) -> None:
        self.engine = engine
        self.url = url
        self.path = path
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        #: The engine reads use (autocommit on PostgreSQL; the same engine on SQLite).
        self.read_engine = (
            engine
            if engine.dialect.name == "sqlite"
            else engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        self._readers = sessionmaker(self.read_engine, expire_on_commit=False)
        #: PostgreSQL: makes a driver connection outside the pool (``watcher``).
        self.new_connection: Callable[[], object] | None = None
        #: Per thread: the ``Interruptible`` that may stop its reads and writes.
        self._local = threading.local()
        #: Closed by ``close``: no new connection is made after it.
        self.closed = False
        #: Whether opening made this portfolio (a new file, or an empty database set up).
        self.created = False
        #: Backup taken by the last schema upgrade on open, if any.
        self.upgrade_backup: Path | None = None
        #: Who to work as instead of this login (a member's name or login; see
        #: ``portfolio.identity``); None: the login, or ``PORTFOLIO_USER``.
        self.user_override = user
        self._user = None
        #: Told about waits for a busy database when a write names no watcher of its own.
        self.on_busy: OnBusy | None = None
        #: After a long write, the next one waits until then (``busy.COURTESY_PAUSE``).
        self._next_write_at = 0.0

    @property
    def user(self):
        """Who is working on this portfolio (``portfolio.identity.User``), read once.

        Raises ``NotFoundError`` when ``PORTFOLIO_USER`` or ``user=`` names nobody.
        """
        if self._user is None:
            from portfolio.identity import resolve

            self._user = self.read(lambda session: resolve(session, self.user_override))
        return self._user

    @property
    def known_user(self):
        """Who is working if already read, else None (never reads)."""
        return self._user

    def forget_user(self) -> None:
        """Read who is working again (after a login was linked to a team member)."""
        self._user = None

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def name(self) -> str:
        """The database as a person would name it: the file path, or the URL sans password."""
        return location.describe(self.url, self.path)

    def session(self) -> Session:
        return self._sessions()

    def read(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` on a reading session and return its result.

        A driver failure comes back as one line (``StorageError`` and its kinds:
        ``ConnectionLostError``, ``TimedOutError``; ``AccessRefusedError``).
        """
        with self.reading() as session:
            return work(session)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A reading session for a block (``read`` for a function); failures come back
        as one line, as from ``read``."""
        try:
            with self._readers() as session, self._stoppable(session):
                yield session
        except DBAPIError as error:
            explained = self._explained(error)
            if explained is error:
                raise
            raise explained from error

    @contextmanager
    def stoppable(self, token) -> Iterator[None]:
        """Reads and writes this thread makes inside the block stop when another thread
        calls ``token.interrupt()`` (a ``portfolio.queries.interrupt.Interruptible``):
        the statement is cancelled on the server and the call raises ``Cancelled``
        with nothing changed; a write waiting for a busy database stops waiting."""
        self._local.token = token
        try:
            yield
        finally:
            self._local.token = None

    @contextmanager
    def _stoppable(self, session: Session) -> Iterator[None]:
        token = getattr(self._local, "token", None)
        if token is None:
            yield
            return
        with token.attached(session.connection().connection.dbapi_connection):
            yield

    def connect(self):
        """A reading connection (SQLAlchemy Core), for queries built outside the ORM."""
        return self.read_engine.connect()

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def watcher(self, on_news, on_state=None):
        """A ``portfolio.storage.watch.Watcher`` for this portfolio (not started yet):
        it calls ``on_news()`` when others may have changed it, and on a server
        ``on_state("lost"|"back", reason)`` when the connection goes and comes back."""
        from portfolio.storage.watch import FileWatcher, ServerListener

        if self.path is not None:
            return FileWatcher(self.path, on_news, on_state)
        assert self.new_connection is not None

        def state_changed(state: str, reason: str) -> None:
            if state == "lost":
                # The pool's idle connections went down the same link: drop them now,
                # or the first reads after it comes back fail on them one by one (and
                # say "lost" again after the listener has said "back").
                self.engine.dispose()
            if on_state is not None:
                on_state(state, reason)

        return ServerListener(self.new_connection, on_news, state_changed)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed as a whole when the block ends, else rolled back.

        It does not wait for a busy database beyond SQLite's own 5 s (use ``write`` for
        writes); a read-only, full or locked file is still refused in one line
        (``StorageError``) rather than as a driver error.
        """
        try:
            with self._sessions() as session, session.begin():
                yield session
        except DBAPIError as error:
            explained = self._explained(error)
            if explained is error:
                raise
            raise explained from error

    def write(
        self,
        work: Callable[[Session], T],
        *,
        on_busy: OnBusy | None = None,
        wait: float | None = None,
    ) -> T:
        """Run ``work`` as one unit of work that writes, and commit it; return its result.

        Every write of a user action goes through here (``portfolio.actions``, imports),
        so what a write needs once is done in this one place:

        * the write lock is taken before ``work`` runs (SQLite: ``BEGIN IMMEDIATE``;
          PostgreSQL: a short ``lock_timeout`` per attempt), so ``work`` never meets a
          busy database half-way;
        * a busy database is waited for with a bounded back-off (``busy.BusyWait``:
          ``wait`` seconds, by default 30 or ``PORTFOLIO_BUSY_WAIT``), telling
          ``on_busy`` (else ``self.on_busy``) while it waits; it may raise ``Cancelled``;
        * a read-only file or folder, a full disk, a lost drive are refused in one line.

        ``work`` may be called again after a rollback, so it must not keep state from a
        failed attempt. Raises ``BusyError`` when the bound passes, ``StorageError`` for
        the causes above, ``Cancelled`` from the watcher; in each case nothing changed.
        """
        token = getattr(self._local, "token", None)

        def stopped(_elapsed: float | None) -> None:
            if token is not None and token.stopped:
                from portfolio.jobs import Cancelled

                raise Cancelled()

        waiting = BusyWait(on_busy=combine(on_busy or self.on_busy, stopped))
        if wait is not None:
            waiting.limit = wait
        courtesy = self._next_write_at - time.monotonic()
        if courtesy > 0:
            time.sleep(courtesy)
        try:
            while True:
                committing = False
                try:
                    with self._sessions() as session, session.begin(), self._stoppable(session):
                        self._lock_for_writing(session)
                        locked = time.monotonic()
                        result = work(session)
                        session.flush()
                        committing = True
                    if time.monotonic() - locked >= LONG_WRITE:
                        self._next_write_at = time.monotonic() + COURTESY_PAUSE
                    return result
                except DBAPIError as error:
                    if not self._is_busy(error):
                        explained = self._explained(error, committing=committing)
                        if explained is error:
                            raise
                        raise explained from error
                    if not waiting.pause():
                        raise BusyError(
                            f"{self.name} is locked by another program that has been writing "
                            f"to it for over {waiting.limit:.0f} s; nothing was changed, "
                            "try again when it is done"
                        ) from None
        finally:
            waiting.finish()

    def _lock_for_writing(self, session: Session) -> None:
        connection = session.connection()
        if self.is_sqlite:
            # A short wait inside SQLite per attempt; the back-off between attempts is
            # ours, so the watcher hears about the wait and Cancel is honoured.
            connection.exec_driver_sql(f"PRAGMA busy_timeout = {LOCK_ATTEMPT_MS}")
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            finally:
                connection.exec_driver_sql(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # PostgreSQL: each connection starts with a short lock_timeout already
        # (``portfolio.storage.server``), so no SET costs a round trip here.

    def _is_busy(self, error: DBAPIError) -> bool:
        original = error.orig
        if self.is_sqlite:
            code = (getattr(original, "sqlite_errorcode", None) or 0) & 0xFF
            return code in (SQLITE_BUSY, SQLITE_LOCKED) or "database is locked" in str(original)
        return getattr(original, "sqlstate", None) in POSTGRES_RETRY_STATES

    def _explained(self, error: DBAPIError, *, committing: bool = False) -> BaseException:
        if "interrupted" in str(error.orig) and getattr(self._local, "token", None) is not None:
            from portfolio.jobs import Cancelled

            return Cancelled()
        if self.path is not None:
            explained = explain_sqlite(self.path, error)
            if explained is not None:
                return explained
        elif self.is_postgres:
            explained = explain_postgres(self.name, error, committing=committing)
            if explained is not None:
                from portfolio.access.refusals import reworded

                return reworded(explained, self._user, self.name)
        return error

    def backup(self, destination: Path | None = None, *, tag: str = "") -> Path:
        """Back up an SQLite portfolio with the online backup API; see ``backup_sqlite``."""
        if self.path is None:
            raise DatabaseOpenError(
                "Back up a PostgreSQL portfolio with the server's tools (pg_dump); "
                "only SQLite files are backed up by Portfolio"
            )
        return backup_sqlite(self.path, destination, tag=tag)

    def close(self) -> None:
        """Close every connection; the portfolio is not used again (a read still running
        on a worker finds it closed rather than opening a connection nobody closes)."""
        if not self.closed:
            self.closed = True
            event.listen(self.engine, "checkout", _refuse_closed)
        if self.is_postgres:
            from portfolio.storage.server import stop_watchdog

            stop_watchdog(self.engine)
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _refuse_closed(_dbapi_connection, _record, _proxy) -> None:
    """A checkout after ``Database.close``: refused (the connection is returned)."""
    raise DatabaseOpenError("This portfolio was closed")


def open_database(
    target: str | Path | None = None,
    *,
    create: bool = False,
    upgrade: bool = True,
    user: str | None = None,
    timeouts: Timeouts | None = None,
    password: str | None = None,
) -> Database:
    """Open (upgrading as needed) the portfolio at ``target``.

    ``target`` is a file path, a SQLAlchemy URL or ``None`` for the default file. Only
    with ``create`` (``portfolio new``, File > New, the first start, a demo) does a
    missing file or an empty PostgreSQL database become a new, empty portfolio;
    otherwise it is refused, so a typo never turns into an empty book. A zero-byte file
    is always refused: it is a damaged or foreign file, not a portfolio. An older schema
    is upgraded after checking that the file and its folder are writable and taking one
    backup per schema step (``Database.upgrade_backup``). Raises ``DatabaseOpenError``
    with a one-line message for anything that is not a usable Portfolio database, and
    then nothing was changed.
    ``user`` works as that team member (name or login) instead of this login.
    On PostgreSQL, ``timeouts`` bound connecting and each statement (default
    ``Timeouts.from_environment()``) and ``password`` is used when the URL has none
    (from the keyring: ``portfolio.storage.credentials``).
    """
    url, path = location.resolve(target)
    name = location.describe(url, path)
    created_file = False
    if path is not None:
        try:
            created_file = create and not path.exists()
            state = _sqlite_state(path, create=create, make_folder=target is None)
        except OSError as error:
            raise DatabaseOpenError(str(explain_os(path, error, "open"))) from None
        engine = _sqlite_engine(url)
    else:
        if password is None and url.password is None:
            from portfolio.storage.credentials import recall

            password = recall(url)
        engine = postgres_engine(url, timeouts, password=password)
        state = None
    try:
        if state is None:
            state = _inspect_engine(engine, name)
            if state.kind == "empty" and not create:
                raise DatabaseOpenError(
                    f"{name} holds no portfolio yet; set it up with: portfolio new URL"
                )
        _refuse_unusable(state, name)
        database = Database(engine, url, path, user=user)
        if path is None:
            database.new_connection = driver_connector(engine, timeouts, password=password)
        database.created = state.kind == "empty" or created_file
        if state.kind in ("empty", "older"):
            if not upgrade:
                raise DatabaseOpenError(
                    f"{name} needs a schema upgrade ({state.revision} -> {migrate.SCHEMA_HEAD})"
                )
            backup = None
            if state.kind == "older" and path is not None:
                backup = database.upgrade_backup = _backup_before_upgrade(path, state)
            _migrate(engine, name, backup)
        return database
    except BaseException:
        engine.dispose()
        raise


def create_database(target: str | Path) -> Database:
    """A new, empty portfolio at ``target``, which must not hold one yet.

    The ``portfolio new`` command and File > New. An SQLite file must not exist; it is
    built under a partial name and appears only when whole. A PostgreSQL database must
    be empty. Raises ``DatabaseOpenError``.
    """
    url, path = location.resolve(target)
    if path is not None and (path.exists() or path.is_symlink()):
        raise DatabaseOpenError(f"{path} already exists; choose a new file name")
    database = open_database(target, create=True)
    if not database.created:
        database.close()
        raise DatabaseOpenError(f"{database.name} already holds a portfolio")
    return database


def _sqlite_state(path: Path, *, create: bool, make_folder: bool) -> SchemaState:
    """The file's state; a missing file is created (whole) when ``create`` is given."""
    if not path.exists():
        if path.is_symlink():
            raise DatabaseOpenError(f"{path} is a link to a file that does not exist")
        if create and make_folder:
            path.parent.mkdir(parents=True, exist_ok=True)
        elif not path.parent.is_dir():
            raise DatabaseOpenError(
                f"Cannot {'create' if create else 'open'} {path}: folder {path.parent} "
                "does not exist (is the network drive or disk connected?)"
            )
        if not create:
            raise DatabaseOpenError(
                f"{path} does not exist (make a new portfolio with 'portfolio new' "
                "or File > New portfolio)"
            )
        _create_sqlite_file(path)
    return inspect_sqlite_file(path)


def _create_sqlite_file(path: Path) -> None:
    """Build an empty portfolio under a partial name and move it to ``path`` when whole."""
    from portfolio.files import new_file_mode, new_partial, remove_abandoned

    remove_abandoned(path.parent, NEW_KIND)
    reason = not_writable_reason(path)
    if reason is not None:
        raise DatabaseOpenError(f"Cannot create {path}: {reason}")
    try:
        partial = new_partial(path, NEW_KIND)
        os.chmod(partial, new_file_mode())
    except OSError as error:
        raise DatabaseOpenError(str(explain_os(path, error, "create"))) from None
    engine = _sqlite_engine(URL.create("sqlite+pysqlite", database=str(partial)))
    try:
        try:
            _migrate(engine, str(path), None)
        except StorageError as error:
            raise DatabaseOpenError(str(error).replace(str(partial), str(path))) from None
        engine.dispose()
        try:
            os.link(partial, path)  # never over a file that appeared meanwhile
        except FileExistsError:
            raise DatabaseOpenError(f"{path} already exists; choose a new file name") from None
        except OSError:
            if path.exists():
                raise DatabaseOpenError(f"{path} already exists; choose a new file name") from None
            os.replace(partial, path)  # a file system without hard links
    finally:
        engine.dispose()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{partial}{suffix}").unlink(missing_ok=True)


def _backup_before_upgrade(path: Path, state: SchemaState) -> Path:
    """Check the upgrade can be written, then take (or retake) its one backup."""
    step = f"{state.revision} -> {migrate.SCHEMA_HEAD}"
    reason = not_writable_reason(path)
    if reason is not None:
        raise DatabaseOpenError(
            f"Cannot upgrade {path} to this version of Portfolio (schema {step}): {reason}; "
            "nothing was changed and no backup was taken"
        )
    destination = upgrade_backup_path(path, state.revision or "none", migrate.SCHEMA_HEAD)
    try:
        return backup_sqlite(path, destination)
    except StorageError as error:
        raise DatabaseOpenError(
            f"Not upgrading {path} (schema {step}) without a backup: {error}; nothing was changed"
        ) from None


def _inspect_engine(engine: Engine, name: str) -> SchemaState:
    try:
        with engine.execution_options(isolation_level="AUTOCOMMIT").connect() as connection:
            tables = set(inspect(connection).get_table_names())
            return classify(tables, lambda sql: connection.execute(text(sql)).all())
    except DBAPIError as error:
        sqlstate = getattr(error.orig, "sqlstate", None)
        if sqlstate == "42501":
            login = engine.url.username or "this login"
            raise DatabaseOpenError(
                f"Your login {login} has no access to the portfolio at {name}; a manager "
                f"can give it with: portfolio team add-login --login {login} ..."
            ) from None
        if sqlstate is None or str(sqlstate).startswith(("08", "28", "3D")):
            login = engine.url.username
            raise DatabaseOpenError(explain_connect(name, login, error)) from None
        explained = explain_postgres(name, error)
        if explained is not None:
            raise DatabaseOpenError(f"Cannot open {name}: {explained}") from None
        first_line = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise DatabaseOpenError(f"Cannot open {name}: {first_line}") from None


def _refuse_unusable(state: SchemaState, name: str) -> None:
    if state.kind == "foreign":
        raise DatabaseOpenError(f"{name} is not a Portfolio database")
    if state.kind == "newer":
        raise DatabaseOpenError(
            f"{name} was written by a newer version of Portfolio (schema {state.revision}); "
            f"this version reads schema {migrate.SCHEMA_HEAD} and older. Update Portfolio."
        )


def _migrate(engine: Engine, name: str, backup: Path | None) -> None:
    """Create or upgrade the schema in one transaction (on SQLite too: the lock is taken
    first with ``BEGIN IMMEDIATE``, so every DDL statement is inside it)."""
    try:
        migrate.upgrade_engine(engine)
    except SQLAlchemyError as error:
        explained = None
        if engine.dialect.name == "sqlite":
            explained = explain_sqlite(name, error, "upgrade")
        message = str(explained or f"Could not upgrade {name}: {_first_line(error)}")
        if backup is not None:
            message += f"; the file is as it was, and its backup is {backup}"
        raise DatabaseOpenError(message) from None


def _first_line(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    return lines[0] if lines else type(original).__name__
