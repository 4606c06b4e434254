"""Sending a copy's merged changes to the server: one transaction, with their history.

What the merge settled is written in bulk (new records first, parents before children,
with the server's ids; then changed fields, each guarded by the version the merge read;
then deletions, children first). The server's journal then gets one entry per change
made offline, with its real author and the time it was made, marked with when it was
synced and with an origin (copy, sync attempt, the copy's entry) that lets an
interrupted sync find out afterwards that its changes did arrive. A change the server
refuses (permissions, a rule) is found record by record and waits in the copy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from portfolio.actions.versioned import versioned_params, versioned_update
from portfolio.errors import ConflictError, PortfolioError
from portfolio.identity import User
from portfolio.journal.recorder import JournalWrite, Recorded, now, write_many
from portfolio.journal.values import loads
from portfolio.model import Base, JournalChange, JournalEntry
from portfolio.naming import Named, RecordNames, counted
from portfolio.sync.book import row_of, table
from portfolio.sync.checkout import LOCAL_IDS
from portfolio.sync.merge import Plan
from portfolio.sync.pending import Pending


@dataclass
class LocalEntry:
    """A journal entry made in the copy, with its changes."""

    id: int
    at: dt.datetime
    login: str
    member_id: int | None
    user_name: str
    action: str
    kind: str
    changes: list[dict[str, Any]] = field(default_factory=list)
    #: An undo or redo: the entry it reverts, as the server knows it (an entry brought
    #: down, ``server:N``) or as made here (sent by an earlier sync); else None.
    reverts_there: int | None = None
    reverts_here: int | None = None
    source: str | None = None


@dataclass
class Pushed:
    """What reached the server."""

    #: (entity, local id) -> server id, for records made here.
    ids: dict[tuple[str, int], int] = field(default_factory=dict)
    #: Records now as the merge wanted them on the server (or settled).
    sent: set[tuple[str, int]] = field(default_factory=set)
    #: Records refused by the server, and why.
    refused: dict[tuple[str, int], str] = field(default_factory=dict)
    entries: int = 0


def local_entries(session: Session, since: int) -> list[LocalEntry]:
    """Journal entries made in the copy from entry ``since`` on, oldest first."""
    entries = {
        row.id: LocalEntry(
            row.id, row.at, row.login, row.member_id, row.user_name, row.action, row.kind
        )
        for row in session.scalars(
            select(JournalEntry)
            .where(JournalEntry.id >= since, JournalEntry.origin.is_(None))
            .order_by(JournalEntry.id)
        )
    }
    if not entries:
        return []
    for row in session.scalars(select(JournalEntry).where(JournalEntry.id.in_(list(entries)))):
        entries[row.id].source = row.source
        if row.reverts_id is None:
            continue
        reverted = session.get(JournalEntry, row.reverts_id)
        if reverted is not None and (reverted.origin or "").startswith("server:"):
            entries[row.id].reverts_there = int(reverted.origin.split(":", 1)[1])
        elif reverted is not None and reverted.origin is None:
            entries[row.id].reverts_here = reverted.id
    for change in session.execute(
        select(JournalChange.__table__)
        .where(JournalChange.entry_id.in_(list(entries)))
        .order_by(JournalChange.id)
    ).mappings():
        entries[change["entry_id"]].changes.append(dict(change))
    return list(entries.values())


def _references(name: str) -> list[tuple[str, str]]:
    """(column, referred table) of each single-column foreign key of ``name``."""
    return [
        (c.elements[0].parent.name, c.elements[0].column.table.name)
        for c in table(name).foreign_key_constraints
        if len(c.elements) == 1
    ]


def _mapped(name: str, row: dict[str, Any], ids: dict[tuple[str, int], int]) -> dict:
    """``row`` with references to records made here turned into the server's ids."""
    values = dict(row)
    for column, target in _references(name):
        value = values.get(column)
        if isinstance(value, int) and value >= LOCAL_IDS:
            values[column] = ids.get((target, value), value)
    return values


def _order() -> dict[str, int]:
    return {t.name: i for i, t in enumerate(Base.metadata.sorted_tables)}


class _Sending:
    def __init__(self, session: Session, plan: Plan, careful: bool) -> None:
        self.session = session
        self.plan = plan
        self.careful = careful
        self.pushed = Pushed()
        self.versions: dict[tuple[str, int], int | None] = {}

    def _each(self, key: tuple[str, int], work) -> bool:
        """Do ``work``; when careful, in a savepoint, noting a refusal instead of failing."""
        if not self.careful:
            work()
            return True
        try:
            with self.session.begin_nested():
                work()
        except (DBAPIError, PortfolioError) as error:
            self.pushed.refused[key] = _reason(error)
            return False
        return True

    def run(self) -> Pushed:
        order = _order()
        plan = self.plan
        self.pushed.ids.update(plan.adopted)
        self.pushed.sent |= set(plan.adopted)
        # Put back first: a record made here may belong under one put back.
        for item in sorted(plan.recreates, key=lambda p: order[p.entity]):
            self._each(item.key, lambda item=item: self._recreate(item))
        for item in sorted(plan.creates, key=lambda p: order[p.entity]):
            self._each(item.key, lambda item=item: self._create(item))
        if self.careful:
            for key, (server_id, fields, version) in plan.updates.items():
                self._each(
                    key, lambda k=key, s=server_id, f=fields, v=version: self._update(k, s, f, v)
                )
        else:
            self._update_all(plan.updates)
        for entity, row_id, version in sorted(plan.deletes, key=lambda d: -order[d[0]]):
            key = (entity, row_id)
            self._each(key, lambda e=entity, r=row_id, v=version: self._delete(e, r, v))
        self.pushed.sent |= plan.settled
        return self.pushed

    def _create(self, item: Pending) -> None:
        assert item.mine is not None
        row = _mapped(item.entity, item.mine, self.pushed.ids)
        row.pop("id")
        row["version"] = 1
        model = table(item.entity)
        server_id = self.session.execute(insert(model).returning(model.c.id), row).scalar_one()
        self.pushed.ids[item.key] = server_id
        self.pushed.sent.add(item.key)
        self.versions[item.key] = 1

    def _recreate(self, item: Pending) -> None:
        assert item.mine is not None
        row = _mapped(item.entity, item.mine, self.pushed.ids)
        row["version"] = (item.base_version or row.get("version") or 1) + 1
        self.session.execute(insert(table(item.entity)), row)
        for name, child in self.plan.restores.get(item.key, ()):
            self.session.execute(insert(table(name)), _mapped(name, child, self.pushed.ids))
        self.pushed.sent.add(item.key)
        self.versions[item.key] = row["version"]

    def _update(self, key, server_id: int, fields: dict, version: int) -> None:
        model = table(key[0])
        values = _mapped(key[0], fields, self.pushed.ids)
        result = self.session.execute(
            update(model)
            .where(model.c.id == server_id, model.c.version == version)
            .values(**values, version=model.c.version + 1)
        )
        if result.rowcount != 1:
            raise ConflictError("A record changed on the server while this sync ran; sync again")
        self.pushed.sent.add(key)
        self.versions[key] = version + 1

    def _update_all(self, updates: dict) -> None:
        """Every changed field in a few statements: rows changing the same fields of
        one table go together (a link with 20 ms round trips makes one statement per
        record cost a second per 50 records)."""
        groups: dict[tuple[str, tuple[str, ...]], list] = {}
        for key, (server_id, fields, version) in updates.items():
            values = _mapped(key[0], fields, self.pushed.ids)
            groups.setdefault((key[0], tuple(sorted(values))), []).append(
                (key, server_id, values, version)
            )
        for (name, fields), rows in groups.items():
            model = table(name)
            statement = versioned_update(model, fields)
            params = [
                versioned_params(server_id, version, values)
                for _key, server_id, values, version in rows
            ]
            result = self.session.execute(statement, params)
            if result.rowcount != len(params):
                raise ConflictError(
                    "A record changed on the server while this sync ran; sync again"
                )
            for key, _server_id, _values, version in rows:
                self.pushed.sent.add(key)
                self.versions[key] = version + 1

    def _delete(self, entity: str, row_id: int, version: int) -> None:
        model = table(entity)
        result = self.session.execute(
            delete(model).where(model.c.id == row_id, model.c.version == version)
        )
        if result.rowcount != 1:
            # Already gone with its parent (deleted here too, parents after children).
            exists = self.session.scalar(select(model.c.id).where(model.c.id == row_id))
            if exists is not None:
                raise ConflictError(
                    "A record changed on the server while this sync ran; sync again"
                )
        self.pushed.sent.add((entity, row_id))
        self.versions[(entity, row_id)] = None


def _reason(error: BaseException) -> str:
    """What the server said, in one line."""
    if isinstance(error, PortfolioError):
        return str(error)
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    return lines[0] if lines else type(original).__name__


def push(
    session: Session,
    plan: Plan,
    entries: list[LocalEntry],
    *,
    copy_id: str,
    attempt: str,
    careful: bool = False,
) -> Pushed:
    """Write ``plan`` and its history in ``session`` (the server's write transaction).

    ``careful`` sends record by record in savepoints, setting aside what the server
    refuses; without it a refusal raises (the caller then tries again carefully).
    """
    sending = _Sending(session, plan, careful)
    pushed = sending.run()
    _journal(session, plan, pushed, sending.versions, entries, copy_id, attempt)
    return pushed


def _journal(
    session: Session,
    plan: Plan,
    pushed: Pushed,
    versions: dict[tuple[str, int], int | None],
    entries: list[LocalEntry],
    copy_id: str,
    attempt: str,
) -> None:
    """One server journal entry per offline entry, holding what of it was sent."""
    sent = {key for key in pushed.sent if key not in plan.settled} - set(pushed.refused)
    last_change: dict[tuple[str, int], tuple[int, int]] = {}
    for entry in entries:
        for number, change in enumerate(entry.changes):
            key = (change["entity"], change["row_id"])
            if key in sent:
                last_change[key] = (entry.id, number)
    synced = now()
    batch = []
    first_seen: set[tuple[tuple[str, int], str]] = set()
    #: Local entry id -> its place in ``batch``; (undo's place, reverted's place, kind).
    in_batch: dict[int, int] = {}
    later_marks: list[tuple[int, int, str]] = []
    for entry in entries:
        items = []
        for number, change in enumerate(entry.changes):
            key = (change["entity"], change["row_id"])
            if key not in sent:
                continue
            item = _translate(
                change, key, plan, pushed, versions, last_change, entry, number, first_seen
            )
            if item is not None:
                items.append(item)
        if items:
            user = User(login=entry.login, member_id=entry.member_id, name=entry.user_name)
            reverts = _reverted_there(session, entry, copy_id)
            kind = entry.kind
            if kind in ("undo", "redo") and reverts is None:
                if entry.reverts_here in in_batch:  # sent just now: marked once written
                    later_marks.append((len(batch), in_batch[entry.reverts_here], kind))
                else:
                    kind = "edit"  # what it reverts is not on the server: a change there
            in_batch[entry.id] = len(batch)
            batch.append(
                JournalWrite(
                    user,
                    entry.action,
                    kind,
                    items,
                    at=entry.at,
                    origin=f"{copy_id}:{attempt}:{entry.id}",
                    synced_at=synced,
                    reverts_id=reverts,
                    source=entry.source,
                )
            )
    batch += _restored(session, plan, pushed, entries, copy_id, attempt, synced)
    ids = write_many(session, batch)
    pushed.entries += len(batch)
    entries_table = JournalEntry.__table__
    for undo_at, reverted_at, kind in later_marks:
        if kind == "redo":  # the entry that undo had undone is live again
            session.execute(
                update(entries_table)
                .where(entries_table.c.undone_by_id == ids[reverted_at])
                .values(undone_by_id=None)
            )
        session.execute(
            update(entries_table)
            .where(entries_table.c.id == ids[reverted_at])
            .values(undone_by_id=ids[undo_at])
        )


def _reverted_there(session: Session, entry: LocalEntry, copy_id: str) -> int | None:
    """The server's entry that ``entry`` (an undo or redo made here) reverts, when it is
    on the server already: brought down from it, or sent by an earlier sync."""
    if entry.kind not in ("undo", "redo"):
        return None
    if entry.reverts_there is not None:
        return entry.reverts_there
    if entry.reverts_here is None:
        return None
    return session.scalar(
        select(JournalEntry.id)
        .where(
            JournalEntry.origin.like(f"{copy_id}:%:{entry.reverts_here}"),
            JournalEntry.origin.not_like(f"{copy_id}:%:restored:%"),
        )
        .order_by(JournalEntry.id.desc())
        .limit(1)
    )


def _restored(
    session: Session,
    plan: Plan,
    pushed: Pushed,
    entries: list[LocalEntry],
    copy_id: str,
    attempt: str,
    synced: dt.datetime,
) -> list[JournalWrite]:
    """The rows put back with a record deleted there ("use mine"), journalled as
    created by whoever last changed the record here, so the history says they returned."""
    names = RecordNames(session)
    out = []
    for key, rows in plan.restores.items():
        if key not in pushed.sent or key in pushed.refused:
            continue
        changed_here = plan.put_back_for.get(key, key)
        touching = [
            entry
            for entry in entries
            if any((c["entity"], c["row_id"]) == changed_here for c in entry.changes)
        ]
        entry = touching[-1] if touching else None
        if entry is None:
            continue
        # The record itself first: its history then shows it came back (after the
        # deletion there), not only the offline edit dated before that deletion.
        items = [
            Recorded(name, row["id"], "create", None, row, row.get("version"), names.of(name, row))
            for name, row in [(key[0], row_of(session.connection(), *key)), *rows]
        ]
        out.append(
            JournalWrite(
                User(login=entry.login, member_id=entry.member_id, name=entry.user_name),
                f"Put back {items[0].named.record}"
                + (f" with {counted(len(rows), 'record')} under it" if rows else ""),
                "edit",
                items,
                at=synced,
                origin=f"{copy_id}:{attempt}:restored:{key[0]}:{key[1]}",
                synced_at=synced,
            )
        )
    return out


def _translate(
    change: dict[str, Any],
    key: tuple[str, int],
    plan: Plan,
    pushed: Pushed,
    versions: dict[tuple[str, int], int | None],
    last_change: dict[tuple[str, int], tuple[int, int]],
    entry: LocalEntry,
    number: int,
    first_seen: set[tuple[tuple[str, int], str]],
) -> Recorded | None:
    """A change made here, as the server's journal holds it."""
    entity = change["entity"]
    server_id = pushed.ids.get(key, change["row_id"])
    final = last_change.get(key) == (entry.id, number)
    version = versions.get(key) if final else None
    before = loads(entity, change["before"])
    after = loads(entity, change["after"])
    fields = plan.sent_fields.get(key)
    op = change["op"]
    if key in plan.adopted:
        if op != "create":
            return None
        # Added on both sides: the server's record now stands for the one made here.
        # Its change says which record here it was (an interrupted sync finds it).
        theirs = plan.adopted_rows[key]
        sent_fields = sorted(fields or ())
        return Recorded(
            entity,
            server_id,
            "update",
            {**{f: theirs.get(f) for f in sent_fields}, "offline_id": change["row_id"]},
            {f: (after or {}).get(f) for f in sent_fields},
            versions.get(key) if final else None,
            Named(change["record"], change["client_id"], change["currency"]),
        )
    if op == "update" and fields is not None:
        before = {k: v for k, v in (before or {}).items() if k in fields}
        after = {k: v for k, v in (after or {}).items() if k in fields}
        if not after:
            return None
        # A field's first change here replaced what the server held then ("use mine"
        # over someone's change there, say): the server's history shows that value.
        overwritten = plan.overwritten.get(key, {})
        for name in after:
            if name in overwritten and (key, name) not in first_seen:
                first_seen.add((key, name))
                before[name] = overwritten[name]
    if op == "create":
        after = _mapped(entity, {**(after or {}), "id": server_id}, pushed.ids)
        before = {"offline_id": change["row_id"]} if change["row_id"] >= LOCAL_IDS else None
    elif after is not None:
        after = _mapped(entity, after, pushed.ids)
    if op == "delete" and before is not None:
        before = _mapped(entity, before, pushed.ids)
    client_id = change["client_id"]
    if isinstance(client_id, int) and client_id >= LOCAL_IDS:
        client_id = pushed.ids.get(("client", client_id), client_id)
    return Recorded(
        entity,
        server_id,
        op,
        before,
        after,
        version,
        Named(change["record"], client_id, change["currency"]),
    )


def already_pushed(session: Session, copy_id: str, attempt: str) -> Pushed | None:
    """What an interrupted sync's push did, if it reached the server (else None)."""
    entries = list(
        session.scalars(
            select(JournalEntry.id).where(JournalEntry.origin.like(f"{copy_id}:{attempt}:%"))
        )
    )
    if not entries:
        return None
    pushed = Pushed(entries=len(entries))
    for row in session.execute(
        select(JournalChange.entity, JournalChange.row_id, JournalChange.before).where(
            JournalChange.entry_id.in_(entries)
        )
    ):
        local_id = row.row_id
        offline_id = (loads(row.entity, row.before) or {}).get("offline_id")
        if offline_id is not None:
            local_id = offline_id
            pushed.ids[(row.entity, local_id)] = row.row_id
        pushed.sent.add((row.entity, local_id))
    return pushed
