"""The three-way merge of an offline copy's changes with the server's, record by record.

For each record changed here: *base* (the values when the sides last agreed), *mine*
(the row here now) and *theirs* (the row on the server now):

* a field changed only here takes my value; a field changed only there keeps theirs
  (it comes down when the copy is brought up to date); changed on both sides to the
  same value, nothing to do;
* a field changed on both sides to different values is a conflict: base, mine and
  theirs, who changed theirs and when. Resolved "mine" it takes my value, "theirs" it
  keeps theirs; unresolved, *nothing* of that record is sent, and it waits here;
* creates and deletes follow the same rule: a record deleted there that was changed
  here, or changed there and deleted here, is a conflict; a record added here whose
  name was added there too is one ("added on both sides": resolved, the two become
  the server's record, with my values or theirs).

Source: the field-level merge of three-way merge tools (base, mine, theirs), applied
per field as EspoCRM and Dynamics apply it per record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from portfolio.editing.entities import ENTITIES
from portfolio.journal.lookup import last_touching, record_changes
from portfolio.journal.wording import Wording, field_label, local_time
from portfolio.model import Base
from portfolio.naming import RecordNames
from portfolio.sync.book import descendants, gone_top, row_of, table
from portfolio.sync.checkout import LOCAL_IDS
from portfolio.sync.pending import Pending

MINE = "mine"
THEIRS = "theirs"
#: Columns the merge never compares (bookkeeping of each side).
UNCOMPARED = frozenset({"id", "version"})


@dataclass(frozen=True)
class SyncConflict:
    """One field (or, with ``field`` None, a whole record) changed on both sides."""

    entity: str
    row_id: int
    record: str
    field: str | None
    #: ``field``, ``deleted_there``, ``changed_there``, ``added_both``; or ``refused``
    #: (the server refused the change, ``mine`` says why): "theirs" lets it go.
    kind: str
    base: str = ""
    mine: str = ""
    theirs: str = ""
    by: str | None = None
    at: dt.datetime | None = None
    #: For "added on both sides": the server's record of that name.
    theirs_id: int | None = None

    @property
    def key(self) -> tuple[str, int, str | None]:
        return (self.entity, self.row_id, self.field)

    def __str__(self) -> str:
        who = f"{self.by or 'someone'} on {local_time(self.at)}" if self.by else "someone"
        if self.kind == "field":
            return (
                f"{field_label(self.entity, self.field or '')} of {self.record}: yours "
                f"{self.mine}, theirs {self.theirs} (changed by {who}; it was {self.base})"
            )
        if self.kind == "deleted_there":
            return f"{self.record}: you changed it, {who} deleted it"
        if self.kind == "refused":
            return f"{self.record}: refused by the server ({self.mine})"
        if self.kind == "changed_there":
            return f"{self.record}: you deleted it, {who} changed it"
        return f"{self.record}: you added it, and {who} added one of that name"


#: How conflicts are settled: by (entity, row id, field or None), else a default.
Resolver = Callable[[SyncConflict], str | None]


def resolver(choices: dict[tuple, str] | None = None, default: str | None = None) -> Resolver:
    """``choices`` by conflict key, else ``default`` (None: leave it unresolved)."""
    chosen = dict(choices or {})

    def resolve(conflict: SyncConflict) -> str | None:
        return chosen.get(conflict.key, default)

    return resolve


@dataclass
class Plan:
    """What to send, per record, after the merge."""

    #: Created here: rows to add on the server (parents first).
    creates: list[Pending] = field(default_factory=list)
    #: (entity, local id) -> (server id, {field: my stored value}, server version now).
    updates: dict[tuple[str, int], tuple[int, dict[str, Any], int]] = field(default_factory=dict)
    #: Deleted here: (entity, id, server version now).
    deletes: list[tuple[str, int, int]] = field(default_factory=list)
    #: Deleted there, changed here, resolved "mine": rows to put back on the server.
    recreates: list[Pending] = field(default_factory=list)
    #: ... for each, the record changed here that put it back (a line, for its client)
    put_back_for: dict[tuple[str, int], tuple[str, int]] = field(default_factory=dict)
    #: ... and the rows that went with it there, as this copy holds them.
    restores: dict[tuple[str, int], list[tuple[str, dict[str, Any]]]] = field(default_factory=dict)
    #: Added on both sides, resolved: (entity, local id) -> the server's id.
    adopted: dict[tuple[str, int], int] = field(default_factory=dict)
    #: ... and the server's row as the merge found it.
    adopted_rows: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    #: Records whose merge is settled with nothing to send (agree, or "theirs").
    settled: set[tuple[str, int]] = field(default_factory=set)
    #: Fields each sent record sends (for the server's journal).
    sent_fields: dict[tuple[str, int], set[str]] = field(default_factory=dict)
    #: The server's stored values the sent fields replace: the server's journal says
    #: "before" as the server had it, not as the copy last saw it.
    overwritten: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    conflicts: list[SyncConflict] = field(default_factory=list)
    #: Records that wait here, and why.
    held: dict[tuple[str, int], str] = field(default_factory=dict)

    @property
    def held_there(self) -> set[tuple[str, int]]:
        """Server records held back with a record here that waits (the other one of a
        pair added on both sides): they come down once the conflict is settled."""
        return {
            (c.entity, c.theirs_id)
            for c in self.conflicts
            if c.kind == "added_both" and c.theirs_id is not None
        }

    @property
    def sent(self) -> set[tuple[str, int]]:
        keys = {(p.entity, p.row_id) for p in self.creates + self.recreates}
        keys |= set(self.updates) | {(e, r) for e, r, _ in self.deletes} | set(self.adopted)
        return keys | self.settled


class Merger:
    """Merges the pending records of a copy against a server session."""

    def __init__(self, server: Session, resolve: Resolver, local: Session) -> None:
        """``local`` is the copy: records made here are named (and their values worded)
        from it, since the server does not know them yet."""
        self.server = server
        self.resolve = resolve
        self.local = local
        self.names = RecordNames(local)
        self.wording = Wording(self.names)
        self.their_names = RecordNames(server)
        self.their_wording = Wording(self.their_names)

    def theirs(self, pending: Iterable[Pending]) -> dict[tuple[str, int], dict[str, Any]]:
        by_table: dict[str, list[int]] = {}
        for item in pending:
            if item.row_id < LOCAL_IDS:
                by_table.setdefault(item.entity, []).append(item.row_id)
        found: dict[tuple[str, int], dict[str, Any]] = {}
        for name, ids in by_table.items():
            model = table(name)
            for start in range(0, len(ids), 2000):
                rows = self.server.execute(
                    select(model).where(model.c.id.in_(ids[start : start + 2000]))
                ).mappings()
                for row in rows:
                    found[(name, row["id"])] = dict(row)
        return found

    def words(
        self, entity: str, name: str, value: Any, row: dict[str, Any], *, theirs: bool = False
    ) -> str:
        """A value in words, read where its references live (the copy, or the server)."""
        names, wording = (
            (self.their_names, self.their_wording) if theirs else (self.names, self.wording)
        )
        return wording.value(entity, name, value, names.of(entity, row).currency)

    def who(self, entity: str, row_id: int, name: str | None, since: int | None):
        history = record_changes(self.server, entity, row_id, after_version=since)
        past = last_touching(history, name)
        return (past.user_name, past.at) if past else (None, None)

    def plan(
        self, pending: list[Pending], held_parents: set[tuple[str, int]] = frozenset()
    ) -> Plan:
        result = Plan()
        current = self.theirs(pending)
        # Parents before children: a line made here under a campaign added on both
        # sides looks for its twin under the campaign the merge has just adopted.
        order = {t.name: n for n, t in enumerate(Base.metadata.sorted_tables)}
        for item in sorted(pending, key=lambda p: (order[p.entity], p.first_entry_id, p.row_id)):
            key = item.key
            theirs = current.get(key)
            record = self.names.of(
                item.entity, item.mine or item.base or {"id": item.row_id}
            ).record
            if item.state == "created":
                self._created(result, item, record)
            elif item.state == "deleted":
                self._deleted(result, item, theirs, record)
            else:
                self._updated(result, item, theirs, record)
        self._hold_orphans(result, pending)
        return result

    def _conflict(self, result: Plan, conflict: SyncConflict) -> str | None:
        choice = self.resolve(conflict)
        if choice not in (MINE, THEIRS):
            result.conflicts.append(conflict)
            result.held[(conflict.entity, conflict.row_id)] = f"conflict: {conflict}"
        return choice

    def _created(self, result: Plan, item: Pending, record: str) -> None:
        spec = ENTITIES.get(item.entity)
        clash = None
        if spec is not None and spec.natural_key and item.mine is not None:
            key = [
                self._as_there(result, item.entity, name, item.mine[name])
                for name in spec.natural_key
            ]
            if all(v is not None and not (isinstance(v, int) and v >= LOCAL_IDS) for v in key):
                model = table(item.entity)
                columns = [model.c[name] for name in spec.natural_key]
                clash = (
                    self.server.execute(select(model).where(tuple_(*columns) == tuple_(*key)))
                    .mappings()
                    .first()
                )
        if clash is None:
            result.creates.append(item)
            result.sent_fields[item.key] = set(item.mine or ())
            return
        by, at = self.who(item.entity, clash["id"], None, None)
        choice = self._conflict(
            result,
            SyncConflict(
                item.entity,
                item.row_id,
                record,
                None,
                "added_both",
                by=by,
                at=at,
                theirs_id=clash["id"],
            ),
        )
        if choice is None:
            return
        result.adopted[item.key] = clash["id"]
        result.adopted_rows[item.key] = dict(clash)
        if choice == MINE:
            fields = {
                name: value
                for name, value in (item.mine or {}).items()
                if name not in UNCOMPARED and clash.get(name) != value
            }
            if fields:
                result.updates[item.key] = (clash["id"], fields, clash["version"])
                result.sent_fields[item.key] = set(fields)

    @staticmethod
    def _as_there(result: Plan, entity: str, name: str, value: Any) -> Any:
        """A reference to a record made here, as the server knows it when the merge
        adopted the server's twin (else unchanged: no record there can match it)."""
        if not (isinstance(value, int) and value >= LOCAL_IDS):
            return value
        for foreign in table(entity).c[name].foreign_keys:
            adopted = result.adopted.get((foreign.column.table.name, value))
            if adopted is not None:
                return adopted
        return value

    def _put_back(self, result: Plan, item: Pending) -> None:
        """Put a record deleted there back ("use mine"), from the highest record that
        went with it (a line's client, if the client was deleted), with everything that
        went with that: the copy still holds all of it."""
        top = gone_top(self.local.connection(), self.server.connection(), *item.key)
        changed_here = item.key
        if top != item.key:
            result.settled.add(item.key)  # it goes back with ``top``, as it is here
            if top in result.restores:
                return
            row = row_of(self.local.connection(), *top)
            item = Pending(top[0], top[1], "updated", item.first_entry_id, None, None, row)
        result.recreates.append(item)
        result.put_back_for[top] = changed_here  # whose change here put it back
        # What went with it there (its lines, say) is still here: it goes back too.
        result.restores[top] = [
            (name, row)
            for name, row in descendants(self.local.connection(), *top)
            if row["id"] < LOCAL_IDS  # made here: sent as a create of its own
        ]

    def _deleted(self, result: Plan, item: Pending, theirs: dict | None, record: str) -> None:
        if theirs is None:
            result.settled.add(item.key)  # deleted on both sides
            return
        if item.base_version is None or theirs["version"] == item.base_version:
            result.deletes.append((item.entity, item.row_id, theirs["version"]))
            return
        by, at = self.who(item.entity, item.row_id, None, item.base_version)
        choice = self._conflict(
            result,
            SyncConflict(item.entity, item.row_id, record, None, "changed_there", by=by, at=at),
        )
        if choice == MINE:
            result.deletes.append((item.entity, item.row_id, theirs["version"]))
        elif choice == THEIRS:
            result.settled.add(item.key)  # it comes back here with their changes

    def _updated(self, result: Plan, item: Pending, theirs: dict | None, record: str) -> None:
        mine = item.mine
        if mine is None:  # deleted here after all (the scan saw it); nothing to send
            result.settled.add(item.key)
            return
        if theirs is None:
            by, at = self.who(item.entity, item.row_id, None, None)
            choice = self._conflict(
                result,
                SyncConflict(item.entity, item.row_id, record, None, "deleted_there", by=by, at=at),
            )
            if choice == MINE:
                self._put_back(result, item)
            elif choice == THEIRS:
                result.settled.add(item.key)
            return
        fields: dict[str, Any] = {}
        unresolved = False
        for name, base in (item.base or {}).items():
            if name in UNCOMPARED or name not in mine:
                continue
            ours, there = mine[name], theirs.get(name)
            if ours == base or ours == there:
                continue  # not changed here, or changed alike on both sides
            if there == base:
                fields[name] = ours
                continue
            by, at = self.who(item.entity, item.row_id, name, item.base_version)
            choice = self._conflict(
                result,
                SyncConflict(
                    item.entity,
                    item.row_id,
                    record,
                    name,
                    "field",
                    base=self.words(item.entity, name, base, mine),
                    mine=self.words(item.entity, name, ours, mine),
                    theirs=self.words(item.entity, name, there, theirs, theirs=True),
                    by=by,
                    at=at,
                ),
            )
            if choice == MINE:
                fields[name] = ours
            elif choice is None:
                unresolved = True
        if unresolved:
            return
        if fields:
            result.updates[item.key] = (item.row_id, fields, theirs["version"])
            result.sent_fields[item.key] = set(fields)
            result.overwritten[item.key] = {name: theirs.get(name) for name in fields}
        else:
            result.settled.add(item.key)

    def _hold_orphans(self, result: Plan, pending: list[Pending]) -> None:
        """A record made here under a parent made here that waits, waits too."""
        waiting = set(result.held)
        changed = True
        while changed:
            changed = False
            for item in result.creates[:]:
                parents = [
                    (
                        c.elements[0].column.table.name,
                        (item.mine or {}).get(c.elements[0].parent.name),
                    )
                    for c in table(item.entity).foreign_key_constraints
                    if len(c.elements) == 1
                ]
                if any(
                    isinstance(parent, int) and parent >= LOCAL_IDS and (name, parent) in waiting
                    for name, parent in parents
                ):
                    result.creates.remove(item)
                    result.held[item.key] = "its parent waits for a conflict to be resolved"
                    waiting.add(item.key)
                    changed = True
