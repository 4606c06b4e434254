"""What an offline copy has to send: each record changed here, and its base.

Every change made in the copy is journalled (``portfolio.actions``); ``scan`` reads the
journal entries made here since the last look and keeps, per record, its state
(created, updated, deleted here) and its *base*: the values the fields changed here had
when the copy and the server last agreed (the before of the first change of each
field; for a deletion the whole row). The three-way merge compares base, mine (the row
here now) and theirs (the row on the server now).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from portfolio.journal.values import dumps, loads
from portfolio.model import JournalChange, JournalEntry, OfflineCopy, OfflinePending
from portfolio.sync.book import row_of


@dataclass
class Pending:
    """A record changed here: ``mine`` is its row here now (None once deleted)."""

    entity: str
    row_id: int
    state: str
    first_entry_id: int
    base: dict[str, Any] | None
    base_version: int | None
    mine: dict[str, Any] | None
    held_because: str | None = None

    @property
    def key(self) -> tuple[str, int]:
        return (self.entity, self.row_id)


def the_copy(session: Session) -> OfflineCopy:
    """This copy's one ``OfflineCopy`` row; raises ``DatabaseOpenError`` in a portfolio
    that is not an offline copy."""
    from portfolio.errors import DatabaseOpenError

    copy = session.get(OfflineCopy, 1)
    if copy is None:
        raise DatabaseOpenError(
            "This portfolio is not an offline copy; make one from the team's portfolio "
            "with portfolio checkout (or File > Take offline…)"
        )
    return copy


def scan(session: Session) -> int:
    """Enter the records changed by journal entries made here since the last scan in
    ``offline_pending``; return how many entries were read. The caller commits."""
    copy = the_copy(session)
    rows = session.execute(
        select(
            JournalChange.entry_id,
            JournalChange.entity,
            JournalChange.row_id,
            JournalChange.op,
            JournalChange.before,
            JournalChange.version,
        )
        .join(JournalEntry, JournalEntry.id == JournalChange.entry_id)
        .where(JournalEntry.id > copy.scanned_position, JournalEntry.origin.is_(None))
        .order_by(JournalChange.id)
    ).all()
    known = {(p.entity, p.row_id): p for p in session.scalars(select(OfflinePending))}
    for entry_id, entity, row_id, op, before_text, version in rows:
        before = loads(entity, before_text)
        pending = known.get((entity, row_id))
        if pending is None:
            if op == "create":
                state, base, base_version = "created", None, None
            elif op == "delete":
                state, base, base_version = "deleted", before, (before or {}).get("version")
            else:
                state, base = "updated", before or {}
                base_version = None if version is None else version - 1
            pending = OfflinePending(
                entity=entity,
                row_id=row_id,
                state=state,
                first_entry_id=entry_id,
                base=dumps(base),
                base_version=base_version,
            )
            session.add(pending)
            known[(entity, row_id)] = pending
            continue
        if op == "delete":
            if pending.state == "created":
                session.delete(pending)  # made and removed here: the server never knew
                known.pop((entity, row_id))
                continue
            if pending.state == "updated":
                # The row as the sides last agreed: as deleted, with the base fields.
                whole = {**(before or {}), **(loads(entity, pending.base) or {})}
                if pending.base_version is not None:
                    whole["version"] = pending.base_version
                pending.base = dumps(whole)
            pending.state = "deleted"
        elif op == "create" and pending.state == "deleted":
            # A deletion undone here: compare field by field with the row it had.
            pending.state = "updated"
            pending.base_version = (loads(entity, pending.base) or {}).get("version")
        elif op == "update" and pending.state == "updated":
            base = loads(entity, pending.base) or {}
            for name, value in (before or {}).items():
                base.setdefault(name, value)
            pending.base = dumps(base)
    position = session.scalar(select(func.coalesce(func.max(JournalEntry.id), 0)))
    copy.scanned_position = max(copy.scanned_position, position or 0)
    session.flush()
    return len({row[0] for row in rows})


def load(session: Session) -> list[Pending]:
    """Every record waiting to be sent, with its row here now."""
    found = []
    for row in session.scalars(
        select(OfflinePending).order_by(OfflinePending.first_entry_id, OfflinePending.row_id)
    ):
        mine = row_of(session.connection(), row.entity, row.row_id)
        found.append(
            Pending(
                row.entity,
                row.row_id,
                row.state,
                row.first_entry_id,
                loads(row.entity, row.base),
                row.base_version,
                mine,
                row.held_because,
            )
        )
    return found


def settle(session: Session, sent: set[tuple[str, int]], held: dict[tuple[str, int], str]) -> None:
    """Forget the records that reached the server; note why the others wait."""
    for entity, row_id in sent:
        session.execute(
            delete(OfflinePending).where(
                OfflinePending.entity == entity, OfflinePending.row_id == row_id
            )
        )
    for (entity, row_id), reason in held.items():
        row = session.get(OfflinePending, (entity, row_id))
        if row is not None:
            row.held_because = reason


def count_waiting(session: Session) -> int:
    """Records changed here and not yet on the server (for the status bar)."""
    return session.scalar(select(func.count()).select_from(OfflinePending)) or 0


@dataclass(frozen=True)
class OfflineStatus:
    """What the status bar says about an offline copy."""

    server: str
    checked_out_at: Any
    synced_at: Any
    #: Records changed here and not yet on the server.
    waiting: int


def status(session: Session) -> OfflineStatus | None:
    """The copy's status, read only (None for a portfolio that is no offline copy)."""
    copy = session.get(OfflineCopy, 1)
    if copy is None:
        return None
    known = {(p.entity, p.row_id) for p in session.scalars(select(OfflinePending))}
    newer = session.execute(
        select(JournalChange.entity, JournalChange.row_id)
        .join(JournalEntry, JournalEntry.id == JournalChange.entry_id)
        .where(JournalEntry.id > copy.scanned_position, JournalEntry.origin.is_(None))
    ).all()
    return OfflineStatus(
        copy.server,
        copy.checked_out_at,
        copy.synced_at,
        len(known | {tuple(row) for row in newer}),
    )
