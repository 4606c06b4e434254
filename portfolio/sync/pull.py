"""Bringing the copy up to date with the server, after its own changes were sent.

In one local transaction: records made here take the ids the server gave them; every
record the server's journal changed since the copy's position (in the book, or team and
reference data) and every record just sent is read from the server and written here as
the server holds it (version counters included), or removed when the server removed it;
clients that joined the book (a director's new client) come down whole; and the
server's journal entries come down for the copy's history. A record that waits here
(a conflict not resolved, a refusal, a change made while the sync ran) is left alone.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Connection, delete, func, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from portfolio.journal.values import dumps
from portfolio.model import Base, JournalChange, JournalEntry, OfflinePending
from portfolio.storage.totals import rebuilt_after
from portfolio.sync.book import (
    LOCAL_SETTINGS,
    REFERENCE_TABLES,
    Scope,
    book_tables,
    descendants,
    gone_top,
    row_of,
    rows_in_book,
    table,
)
from portfolio.sync.checkout import CHUNK, LOCAL_IDS, copy_rows
from portfolio.sync.pending import scan, the_copy
from portfolio.sync.push import Pushed


@dataclass
class Pulled:
    records: int = 0
    removed: int = 0
    new_clients: int = 0
    history: int = 0


def _referring(name: str) -> list[tuple[str, str]]:
    """(table, column) of every single-column reference to table ``name``."""
    found = []
    for child in Base.metadata.sorted_tables:
        for constraint in child.foreign_key_constraints:
            if constraint.referred_table.name == name and len(constraint.elements) == 1:
                found.append((child.name, constraint.elements[0].parent.name))
    return found


def take_server_ids(session: Session, ids: dict[tuple[str, int], int]) -> None:
    """Records made here become the server's: their ids, and every reference to them.

    The monthly totals' triggers follow a line to its campaign's client, and a
    renumbered campaign or client leaves them looking for the old id (a line counted
    twice, a client's totals under an id that is gone): the totals are rebuilt instead.
    """
    renumbered = {key: value for key, value in ids.items() if key[1] != value}
    if not renumbered:
        return
    with rebuilt_after(session.connection()):
        _renumber(session, renumbered)


def _renumber(session: Session, ids: dict[tuple[str, int], int]) -> None:
    for (name, local_id), server_id in ids.items():
        model = table(name)
        session.execute(update(model).where(model.c.id == local_id).values(id=server_id))
        for child, column in _referring(name):
            referring = table(child)
            session.execute(
                update(referring).where(referring.c[column] == local_id).values({column: server_id})
            )
        changes = JournalChange.__table__
        session.execute(
            update(changes)
            .where(changes.c.entity == name, changes.c.row_id == local_id)
            .values(row_id=server_id)
        )
        if name == "client":
            session.execute(
                update(changes).where(changes.c.client_id == local_id).values(client_id=server_id)
            )
        session.execute(
            delete(OfflinePending).where(
                OfflinePending.entity == name, OfflinePending.row_id == local_id
            )
        )


def _changed_after(session: Session, through: int | None) -> set[tuple[str, int]]:
    """Records changed here by journal entries after ``through``: after the sync that
    is ending began (made while it ran, or after it was interrupted)."""
    if through is None:
        return set()
    return {
        (entity, row_id)
        for entity, row_id in session.execute(
            select(JournalChange.entity, JournalChange.row_id)
            .join(JournalEntry, JournalEntry.id == JournalChange.entry_id)
            .where(JournalEntry.id > through, JournalEntry.origin.is_(None))
        )
    }


def _rebase(session: Session, server: Connection, entity: str, row_id: int, through: int) -> None:
    """A record sent by this sync and changed here since: it waits for the next sync,
    against the server's record as this sync left it (what both sides now agree on)."""
    theirs = row_of(server, entity, row_id)
    mine = row_of(session.connection(), entity, row_id)
    pending = session.get(OfflinePending, (entity, row_id))
    if theirs is None:  # deleted there by this sync (and, here, made again): a new record
        if pending is not None:
            session.delete(pending)
        return
    if pending is None:
        pending = OfflinePending(entity=entity, row_id=row_id, state="updated", first_entry_id=0)
        session.add(pending)
    # Its history to send starts with its first change after this sync's.
    pending.first_entry_id = session.scalar(
        select(func.min(JournalChange.entry_id))
        .join(JournalEntry, JournalEntry.id == JournalChange.entry_id)
        .where(
            JournalChange.entity == entity,
            JournalChange.row_id == row_id,
            JournalEntry.id > through,
            JournalEntry.origin.is_(None),
        )
    )
    if mine is None:
        pending.state, pending.base = "deleted", dumps(theirs)
    else:
        pending.state = "updated"
        pending.base = dumps(
            {
                name: theirs[name]
                for name in theirs
                if name != "version" and mine[name] != theirs[name]
            }
        )
    pending.base_version = theirs["version"]
    pending.held_because = None
    session.flush()


def _going_with_waiting(
    session: Session, server: Connection, waiting: set[tuple[str, int]]
) -> set[tuple[str, int]]:
    """What goes with the records that wait here and are gone from the server (deleted
    there, changed here: a conflict). Their lines and drops were deleted there with
    them; here they wait with them, so that "use mine" can put all of it back and
    nothing is lost before the person has chosen."""
    by_table: dict[str, set[int]] = defaultdict(set)
    for entity, row_id in waiting:
        if row_id < LOCAL_IDS:  # made here: the server never had it, nothing went with it
            by_table[entity].add(row_id)
    kept: set[tuple[str, int]] = set()
    for name, ids in by_table.items():
        model = table(name)
        there = set(server.scalars(select(model.c.id).where(model.c.id.in_(sorted(ids)))))
        for row_id in sorted(ids - there):
            # From the highest record gone with it (a line's client deleted there).
            top = gone_top(session.connection(), server, name, row_id)
            kept.add(top)
            kept |= {(t, row["id"]) for t, row in descendants(session.connection(), *top)}
    return kept


def _upsert(session: Session, name: str, rows: list[dict]) -> None:
    model = table(name)
    keys = [c.name for c in model.primary_key.columns]
    for start in range(0, len(rows), CHUNK):
        part = rows[start : start + CHUNK]
        statement = sqlite_insert(model)
        columns = {c.name: statement.excluded[c.name] for c in model.columns if c.name not in keys}
        session.execute(statement.on_conflict_do_update(index_elements=keys, set_=columns), part)


def _refresh_reference(session: Session, server: Connection, waiting: set[tuple[str, int]]) -> int:
    """Reference data (team, currencies, rates, settings, SLA policies, objectives)
    as the server has it now, whole: it is small, and not every change to it is
    journalled (a manager locking budget years writes a setting), so following the
    journal would miss some. Records changed here and not yet sent keep their values;
    a setting gone from the server goes here too. Returns the rows read."""
    read = 0
    for name in REFERENCE_TABLES:
        model = table(name)
        query = select(model)
        if name == "setting":
            query = query.where(model.c.key.not_in(LOCAL_SETTINGS))
        rows = [dict(row) for row in server.execute(query).mappings()]
        if "id" in model.c:
            rows = [row for row in rows if (name, row["id"]) not in waiting]
        _upsert(session, name, rows)
        read += len(rows)
        if name == "setting":
            kept = {row["key"] for row in rows} | LOCAL_SETTINGS
            session.execute(delete(model).where(model.c.key.not_in(kept)))
    return read


def pull(
    session: Session,
    server: Connection,
    pushed: Pushed,
    copy_id: str,
    held_there: set[tuple[str, int]] = frozenset(),
) -> Pulled:
    """Bring the copy in ``session`` (a local write transaction) up to date from
    ``server`` (a connection reading one snapshot of the server); ``held_there`` are
    server records that wait with a conflict here."""
    session.execute(select(1))
    session.connection().exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    take_server_ids(session, pushed.ids)
    scan(session)  # changes made here while this sync ran wait for the next one
    copy = the_copy(session)
    later = _changed_after(session, copy.attempt_through)
    for entity, row_id in pushed.sent:
        server_id = pushed.ids.get((entity, row_id), row_id)
        if (entity, server_id) in later:
            _rebase(session, server, entity, server_id, copy.attempt_through)
            continue
        session.execute(
            delete(OfflinePending).where(
                OfflinePending.entity == entity, OfflinePending.row_id == server_id
            )
        )
    waiting = {(p.entity, p.row_id) for p in session.scalars(select(OfflinePending))}
    waiting |= _going_with_waiting(session, server, waiting)
    waiting |= set(held_there)
    for key in held_there:  # what is under a server record that waits, waits with it
        waiting |= {(t, row["id"]) for t, row in descendants(server, *key)}
    result = Pulled()
    scope = Scope.from_json(copy.scope)
    local_clients = set(session.scalars(select(table("client").c.id)))
    server_clients = set(
        server.scalars(
            select(table("client").c.id).where(
                table("client").c.director_id == scope.director_id
                if scope.director_id is not None
                else table("client").c.id.in_(scope.client_ids)
            )
        )
    )
    new_clients = sorted(server_clients - local_clients)
    book = sorted(local_clients | server_clients)
    position = server.scalar(select(func.coalesce(func.max(JournalEntry.id), 0)))
    changes = JournalChange.__table__
    touched: dict[str, set[int]] = defaultdict(set)
    rows = server.execute(
        select(changes.c.entity, changes.c.row_id, changes.c.client_id).where(
            changes.c.entry_id > copy.server_position, changes.c.entry_id <= position
        )
    )
    for entity, row_id, client_id in rows:
        if client_id in book and entity not in REFERENCE_TABLES:
            touched[entity].add(row_id)
    for entity, row_id in pushed.sent:
        touched[entity].add(pushed.ids.get((entity, row_id), row_id))
    # A record added on both sides is now the server's: what it held there (held back
    # while the conflict waited, so before this copy's journal position) comes down.
    for (entity, _local_id), server_id in pushed.ids.items():
        for name, row in descendants(server, entity, server_id):
            touched[name].add(row["id"])
    if new_clients:
        for name in book_tables():
            for row in server.execute(rows_in_book(name, new_clients)).mappings():
                touched[name].add(row["id"])
        result.new_clients = len(new_clients)
    order = [t.name for t in Base.metadata.sorted_tables if t.name in touched]
    for name in order:
        ids = sorted(i for i in touched[name] if (name, i) not in waiting)
        model = table(name)
        present: list[dict] = []
        for start in range(0, len(ids), CHUNK):
            part = ids[start : start + CHUNK]
            present += [
                dict(row)
                for row in server.execute(select(model).where(model.c.id.in_(part))).mappings()
            ]
        _upsert(session, name, present)
        result.records += len(present)
        gone = set(ids) - {row["id"] for row in present}
        if gone:
            session.execute(delete(model).where(model.c.id.in_(sorted(gone))))
            result.removed += len(gone)
    _refresh_reference(session, server, waiting)
    result.history = _history(session, server, copy.server_position, position, book, copy_id)
    copy.server_position = position
    copy.attempt = None
    copy.attempt_through = None
    copy.synced_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    session.flush()
    return result


def _history(
    session: Session, server: Connection, since: int, until: int, book: list[int], copy_id: str
) -> int:
    """The server's journal entries for the book since ``since``, for the copy's history
    (not the copy's own changes, which its journal already holds)."""
    entries = JournalEntry.__table__
    changes = JournalChange.__table__
    wanted = (
        select(changes.c.entry_id)
        .where(changes.c.entry_id > since, changes.c.entry_id <= until)
        .where(changes.c.client_id.in_(book))
        .distinct()
    )
    rows = server.execute(
        select(entries)
        .where(entries.c.id.in_(wanted))
        .where(entries.c.origin.is_(None) | ~entries.c.origin.like(f"{copy_id}:%"))
        .order_by(entries.c.id)
    ).mappings()
    numbers: dict[int, int] = {}
    for row in rows:
        values = {
            **{k: v for k, v in row.items() if k not in ("id", "reverts_id", "undone_by_id")},
            "origin": f"server:{row['id']}",
        }
        numbers[row["id"]] = session.execute(
            entries.insert().returning(entries.c.id), values
        ).scalar_one()
    if not numbers:
        return 0
    for start in range(0, len(numbers), CHUNK):
        part = list(numbers)[start : start + CHUNK]
        values = [
            {**{k: v for k, v in row.items() if k != "id"}, "entry_id": numbers[row["entry_id"]]}
            for row in server.execute(
                select(changes).where(changes.c.entry_id.in_(part)).order_by(changes.c.id)
            ).mappings()
        ]
        if values:
            session.execute(changes.insert(), values)
    return len(numbers)


__all__ = ["Pulled", "copy_rows", "pull", "take_server_ids"]
