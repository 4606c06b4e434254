"""Check-out: a director's book (or named clients) from a team portfolio into a laptop file.

The copy is a full portfolio: the book's clients and every row under them with their
ids and version counters, all team members and reference data (currencies, rates, SLA
policies, settings, objectives), and the journal of the book's records for its history.
It records where it came from, who took it and the server's journal position, read in
the same snapshot as the rows, so the first sync brings exactly what changed after it.
Records made offline get ids from ``LOCAL_IDS`` up, which the server never hands out;
sync gives them the server's ids once they are there.

The file appears only when whole (built under a partial name); an existing file is
never overwritten, since it may hold changes not yet synced.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, delete, func, insert, select
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from portfolio.errors import DatabaseOpenError
from portfolio.jobs import Job, quiet
from portfolio.model import JournalChange, JournalEntry, OfflineCopy
from portfolio.storage import Database, open_database
from portfolio.sync.book import (
    LOCAL_SETTINGS,
    REFERENCE_TABLES,
    Scope,
    book_tables,
    identity_of,
    rows_in_book,
    table,
)

#: Ids from here up are records made in an offline copy and not yet on the server.
LOCAL_IDS = 1 << 40
#: Rows read and written per statement.
CHUNK = 5000
#: The kind of partial file a check-out is built in (``portfolio.files``).
CHECKOUT_KIND = "checkout"


@dataclass(frozen=True)
class CheckedOut:
    path: Path
    clients: int
    rows: int
    server_position: int


@contextmanager
def snapshot(db: Database) -> Iterator[Connection]:
    """A connection whose reads all see one moment of the portfolio."""
    with db.engine.connect() as connection:
        if db.is_sqlite:
            connection.exec_driver_sql("BEGIN")  # a read transaction: one WAL snapshot
        else:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        try:
            yield connection
        finally:
            connection.rollback()


def copy_rows(source: Connection, target: Connection, query, name: str) -> int:
    """Insert into ``target``'s table ``name`` the rows ``query`` reads from ``source``."""
    model = table(name)
    result = source.execution_options(stream_results=True, yield_per=CHUNK).execute(query)
    copied = 0
    for part in result.mappings().partitions(CHUNK):
        target.execute(insert(model), [dict(row) for row in part])
        copied += len(part)
    return copied


def copy_journal(source: Connection, target: Connection, client_ids: list[int]) -> int:
    """The journal of the book's records, for its history; entries keep their time and
    author and say which server entry they came from."""
    changes = JournalChange.__table__
    entries = JournalEntry.__table__
    wanted = select(changes.c.entry_id).where(changes.c.client_id.in_(client_ids)).distinct()
    numbers: dict[int, int] = {}
    rows = source.execute(select(entries).where(entries.c.id.in_(wanted)).order_by(entries.c.id))
    for row in rows.mappings():
        values = {
            **{k: v for k, v in row.items() if k not in ("id", "reverts_id", "undone_by_id")},
            "origin": f"server:{row['id']}",
        }
        numbers[row["id"]] = target.execute(
            insert(entries).returning(entries.c.id), values
        ).scalar_one()
    copied = 0
    query = (
        select(changes)
        .where(changes.c.client_id.in_(client_ids))
        .order_by(changes.c.id)
        .execution_options(stream_results=True, yield_per=CHUNK)
    )
    for part in source.execute(query).mappings().partitions(CHUNK):
        values = [
            {**{k: v for k, v in row.items() if k != "id"}, "entry_id": numbers[row["entry_id"]]}
            for row in part
        ]
        target.execute(insert(changes), values)
        copied += len(values)
    return copied


def _reserve_local_ids(target: Connection) -> None:
    """Make records created offline take ids the server never hands out."""
    # sqlite_sequence has no key: update the table's row, or add one if it has none yet.
    for name in book_tables() + ["team_member", "fx_rate", "sales_objective"]:
        updated = target.exec_driver_sql(
            "UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = ?", (LOCAL_IDS, name)
        )
        if updated.rowcount == 0:
            target.exec_driver_sql(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (name, LOCAL_IDS)
            )


def where_of(server: Database) -> str:
    """The server as a copy remembers it: its file, or its URL without the password
    (found again in the keyring, ``~/.pgpass`` or ``PGPASSWORD`` when syncing)."""
    if server.path is not None:
        return str(server.path)
    url = server.url
    # Not ``url.set(password=None)``: None there means "unchanged", and kept it.
    bare = URL.create(url.drivername, url.username, None, url.host, url.port, url.database)
    return bare.update_query_dict(dict(url.query)).render_as_string(hide_password=False)


def checkout(
    server: Database, scope: Scope, path: str | Path, job: Job | None = None
) -> CheckedOut:
    """Copy ``scope``'s book from ``server`` into a new SQLite file at ``path``.

    Raises ``DatabaseOpenError`` when ``path`` exists, ``ValidationError`` when the book
    holds no clients; nothing is left behind on failure.
    """
    from portfolio.files import atomic_output

    job = job or quiet()
    target = Path(path).expanduser()
    if target.exists() or target.is_symlink():
        raise DatabaseOpenError(
            f"{target} already exists; it may hold changes not yet synced. Choose a new name"
        )
    owner = server.user
    rows = 0
    with atomic_output(target, kind=CHECKOUT_KIND) as partial:
        partial.unlink()
        local = open_database(partial, create=True)
        try:
            with snapshot(server) as source, local.engine.begin() as sink:
                sink.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
                session = Session(bind=source)
                if source.scalar(select(func.count()).select_from(OfflineCopy.__table__)):
                    raise DatabaseOpenError(
                        f"{server.name} is itself an offline copy: take the book from the "
                        "team's portfolio it came from, so that it can sync back there"
                    )
                client_ids = scope.clients(session)
                position = source.scalar(select(func.coalesce(func.max(JournalEntry.id), 0)))
                for name in REFERENCE_TABLES:
                    model = table(name)
                    job.step(0.05, f"Copying {name.replace('_', ' ')}")
                    query = select(model)
                    if name == "setting":
                        query = query.where(model.c.key.not_in(LOCAL_SETTINGS))
                        sink.execute(delete(model).where(model.c.key.not_in(LOCAL_SETTINGS)))
                    else:
                        sink.execute(delete(model))
                    rows += copy_rows(source, sink, query, name)
                names = book_tables()
                for number, name in enumerate(names):
                    job.step(0.1 + 0.7 * number / len(names), f"Copying {name.replace('_', ' ')}s")
                    rows += copy_rows(source, sink, rows_in_book(name, client_ids), name)
                job.step(0.85, "Copying the book's history")
                copy_journal(source, sink, client_ids)
                _reserve_local_ids(sink)
                sink.execute(
                    insert(OfflineCopy.__table__),
                    {
                        "id": 1,
                        "copy_id": str(uuid.uuid4()),
                        "server": where_of(server),
                        "server_identity": identity_of(source),
                        "checked_out_at": dt.datetime.now(dt.UTC).replace(
                            tzinfo=None, microsecond=0
                        ),
                        "owner_login": owner.login,
                        "owner_member_id": owner.member_id,
                        "scope": scope.to_json(),
                        "server_position": position,
                        "scanned_position": sink.scalar(
                            select(func.coalesce(func.max(JournalEntry.id), 0))
                        ),
                        "attempt": None,
                        "synced_at": None,
                    },
                )
        finally:
            local.close()
    job.step(1.0, f"Checked out {len(client_ids)} clients")
    return CheckedOut(target, len(client_ids), rows, position)
