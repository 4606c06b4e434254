"""Opening a portfolio: check what the target is before touching it, then migrate and connect.

The order matters for the promise that a file which is not a Portfolio database (or was
written by a newer Portfolio) is left byte-for-byte untouched: an SQLite file is first
inspected through a read-only connection, and only a recognised file is ever opened for
writing, backed up, or migrated.
"""

from __future__ import annotations

import sqlite3
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
from portfolio.storage.backup import backup_sqlite, readonly_uri

T = TypeVar("T")

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000


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
        raise DatabaseOpenError(f"Cannot read {path}: {error.strerror}") from None
    if not header:
        return SchemaState("empty")
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
    """An open portfolio: the engine, a session factory, and where it lives."""

    def __init__(
        self, engine: Engine, url: URL, path: Path | None, *, user: str | None = None
    ) -> None:
        self.engine = engine
        self.url = url
        self.path = path
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        #: Backup taken by the last schema upgrade on open, if any.
        self.upgrade_backup: Path | None = None
        #: Who to work as instead of this login (a member's name or login; see
        #: ``portfolio.identity``); None: the login, or ``PORTFOLIO_USER``.
        self.user_override = user
        self._user = None

    @property
    def user(self):
        """Who is working on this portfolio (``portfolio.identity.User``), read once.

        Raises ``NotFoundError`` when ``PORTFOLIO_USER`` or ``user=`` names nobody.
        """
        if self._user is None:
            from portfolio.identity import resolve

            with self.session() as session:
                self._user = resolve(session, self.user_override)
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

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed as a whole when the block ends, else rolled back."""
        with self._sessions() as session, session.begin():
            yield session

    def write(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` as one unit of work that writes, and commit it; return its result.

        Every write of a user action goes through here (``portfolio.actions``, imports),
        so what a write needs once (waiting for a busy database, refusing a read-only
        one) is added in this one place. ``work`` may be called again after a rollback,
        so it must not keep state from a failed attempt.
        """
        with self.transaction() as session:
            return work(session)

    def backup(self, destination: Path | None = None, *, tag: str = "") -> Path:
        """Back up an SQLite portfolio with the online backup API; see ``backup_sqlite``."""
        if self.path is None:
            raise DatabaseOpenError(
                "Back up a PostgreSQL portfolio with the server's tools (pg_dump); "
                "only SQLite files are backed up by Portfolio"
            )
        return backup_sqlite(self.path, destination, tag=tag)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_database(
    target: str | Path | None = None,
    *,
    create: bool = True,
    upgrade: bool = True,
    user: str | None = None,
) -> Database:
    """Open (creating or upgrading as needed) the portfolio at ``target``.

    ``target`` is a file path, a SQLAlchemy URL or ``None`` for the default file. A new
    SQLite file is created only when ``create`` is true. An older schema is upgraded to
    the current one after a timestamped backup of the file; raises ``DatabaseOpenError``
    with a one-line message for anything that is not a usable Portfolio database.
    ``user`` works as that team member (name or login) instead of this login.
    """
    url, path = location.resolve(target)
    name = location.describe(url, path)
    state: SchemaState | None = None
    if path is not None:
        if path.exists():
            state = inspect_sqlite_file(path)
        elif not create:
            raise DatabaseOpenError(f"{path} does not exist")
        elif target is None:
            path.parent.mkdir(parents=True, exist_ok=True)
        elif not path.parent.is_dir():
            raise DatabaseOpenError(f"Cannot create {path}: folder {path.parent} does not exist")
        engine = _sqlite_engine(url)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    try:
        if state is None:
            state = _inspect_engine(engine, name)
        _refuse_unusable(state, name)
        database = Database(engine, url, path, user=user)
        if state.kind in ("empty", "older"):
            if not upgrade:
                raise DatabaseOpenError(
                    f"{name} needs a schema upgrade ({state.revision} -> {migrate.SCHEMA_HEAD})"
                )
            if state.kind == "older" and path is not None:
                database.upgrade_backup = backup_sqlite(path, tag=f"schema-{state.revision}")
            _migrate(engine, name)
        return database
    except BaseException:
        engine.dispose()
        raise


def _inspect_engine(engine: Engine, name: str) -> SchemaState:
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            return classify(tables, lambda sql: connection.execute(text(sql)).all())
    except DBAPIError as error:
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


def _migrate(engine: Engine, name: str) -> None:
    try:
        migrate.upgrade_engine(engine)
    except SQLAlchemyError as error:
        raise DatabaseOpenError(f"Could not upgrade {name}: {error}") from error
