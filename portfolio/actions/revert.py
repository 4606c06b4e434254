"""Reverting one journal entry: the mechanism behind undo, redo and undoing an import.

Reverting puts back what the entry changed, in bulk (an import may have changed a
hundred thousand rows):

1. rows it deleted are written back whole, ids and version counters included, parents
   before children;
2. fields it updated get their values before, guarded by the version read here;
3. rows it created are deleted, children before parents.

Nothing is written until every record has been checked, and the whole revert is refused
as an ``EditConflictError`` (nothing changed) when it would overwrite or lose someone
else's work: a field changed since to a value other than the entry's, a created row
edited since or with someone else's rows now hanging off it, a deleted row whose name
was taken again or whose parent is gone. With ``overwrite`` the person chose "Use mine"
for changed values; lost rows and clashes are refused even then.

What the revert changes is reported to the caller's ``Recorder`` (for its own journal
entry), named as the original entry named each record.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, delete, insert, select, tuple_
from sqlalchemy.orm import Session

from portfolio.actions.conflicts import ConflictFinder, EditConflictError, FieldConflict
from portfolio.actions.versioned import versioned_params, versioned_update
from portfolio.editing.entities import ENTITIES
from portfolio.journal.recorder import Recorded, Recorder
from portfolio.journal.values import column_values, loads
from portfolio.model import JournalChange
from portfolio.model.base import Base
from portfolio.naming import Named

#: Ids per ``IN (...)`` list, well inside every backend's parameter limit.
CHUNK = 2000


@dataclass(slots=True)
class _Change:
    entity: str
    row_id: int
    op: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    version: int | None
    named: Named


def _order() -> dict[str, int]:
    return {table.name: index for index, table in enumerate(Base.metadata.sorted_tables)}


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _load(session: Session, entry_id: int) -> list[_Change]:
    rows = session.execute(
        select(
            JournalChange.entity,
            JournalChange.row_id,
            JournalChange.op,
            JournalChange.before,
            JournalChange.after,
            JournalChange.version,
            JournalChange.record,
            JournalChange.client_id,
            JournalChange.currency,
        )
        .where(JournalChange.entry_id == entry_id)
        .order_by(JournalChange.id)
    ).all()
    return [
        _Change(
            row.entity,
            row.row_id,
            row.op,
            column_values(row.entity, loads(row.entity, row.before)),
            column_values(row.entity, loads(row.entity, row.after)),
            row.version,
            Named(row.record, row.client_id, row.currency),
        )
        for row in rows
    ]


def _coalesce(changes: list[_Change]) -> list[_Change]:
    """One change per record: an entry that edited a row twice is reverted to the
    first values from the last; a row it created (and maybe edited) is just removed;
    a row it created and deleted again needs nothing."""
    created = {(c.entity, c.row_id) for c in changes if c.op == "create"}
    deleted = {(c.entity, c.row_id) for c in changes if c.op == "delete"}
    latest: dict[tuple[str, int], int] = {}
    for change in changes:
        if change.version is not None:
            latest[(change.entity, change.row_id)] = change.version
    merged: dict[tuple[str, int, str], _Change] = {}
    for change in changes:
        key = (change.entity, change.row_id)
        if key in created and key in deleted:
            continue
        if change.op == "update" and key in created:
            continue
        if change.op == "create":
            change.version = latest.get(key, change.version)
        slot = (change.entity, change.row_id, change.op)
        if change.op == "update" and slot in merged:
            first = merged[slot]
            first.before = {**(change.before or {}), **(first.before or {})}
            first.after = (
                None
                if first.after is None or change.after is None
                else {**first.after, **change.after}
            )
            first.version = change.version
            continue
        merged[slot] = change
    return list(merged.values())


def _stored(session: Session, table: str, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The rows of ``table`` with ``ids`` that exist now, by id."""
    model = _table(table)
    found: dict[int, dict[str, Any]] = {}
    for part in _chunks(list(ids)):
        for row in session.execute(select(model).where(model.c.id.in_(part))).mappings():
            found[row["id"]] = dict(row)
    return found


class _Revert:
    def __init__(self, session: Session, changes: list[_Change], recorder: Recorder) -> None:
        self.session = session
        self.recorder = recorder
        self.finder = ConflictFinder(session, recorder.names)
        self.conflicts: list[FieldConflict] = []
        changes = _coalesce(changes)
        order = _order()
        self.restores = sorted(
            (c for c in changes if c.op == "delete"), key=lambda c: order[c.entity]
        )
        self.updates = [c for c in changes if c.op == "update"]
        self.removals = sorted(
            (c for c in changes if c.op == "create"), key=lambda c: -order[c.entity]
        )

    # -- checks ---------------------------------------------------------------------------

    def check(self, overwrite: bool) -> None:
        self._check_restores()
        self._check_updates(overwrite)
        self._check_removals(overwrite)

    def _check_restores(self) -> None:
        by_table: dict[str, list[_Change]] = defaultdict(list)
        for change in self.restores:
            by_table[change.entity].append(change)
        restoring = {(c.entity, c.row_id) for c in self.restores}
        for table, changes in by_table.items():
            existing = _stored(self.session, table, [c.row_id for c in changes])
            for change in changes:
                if change.row_id in existing:
                    self.conflicts.append(
                        FieldConflict(
                            table, change.row_id, change.named.record, None, "exists again"
                        )
                    )
            self._check_keys(table, changes)
            self._check_parents(table, changes, restoring)

    def _check_keys(self, table: str, changes: list[_Change]) -> None:
        spec = ENTITIES.get(table)
        if spec is None or not spec.natural_key:
            return
        model = _table(table)
        columns = [model.c[name] for name in spec.natural_key]
        keyed = {tuple(c.before[name] for name in spec.natural_key): c for c in changes}
        keys = [key for key in keyed if all(part is not None for part in key)]
        for part in _chunks(keys):
            clashes = self.session.execute(
                select(model.c.id, *columns).where(tuple_(*columns).in_(part))
            ).all()
            for clash in clashes:
                change = keyed[tuple(clash[1:])]
                history = self.finder_history(table, clash[0])
                who = f" (created by {history[0]} on {history[1]})" if history else ""
                last = spec.field(spec.natural_key[-1]).label.lower()
                self.conflicts.append(
                    FieldConflict(
                        table,
                        change.row_id,
                        change.named.record,
                        None,
                        f"cannot come back: another {spec.label.lower()} with this {last} "
                        f"exists now{who}",
                    )
                )

    def finder_history(self, table: str, row_id: int) -> tuple[str, str] | None:
        from portfolio.journal.lookup import record_changes
        from portfolio.journal.wording import local_time

        created = [c for c in record_changes(self.session, table, row_id) if c.op == "create"]
        if not created:
            return None
        return created[-1].user_name, local_time(created[-1].at)

    def _check_parents(
        self, table: str, changes: list[_Change], restoring: set[tuple[str, int]]
    ) -> None:
        model = _table(table)
        for constraint in model.foreign_key_constraints:
            if len(constraint.elements) != 1:
                continue
            element = constraint.elements[0]
            column, target = element.parent.name, element.column.table.name
            if element.column.name != "id":
                continue
            wanted = {
                c.before[column]
                for c in changes
                if c.before.get(column) is not None and (target, c.before[column]) not in restoring
            }
            if not wanted:
                continue
            present = set(_stored(self.session, target, sorted(wanted)))
            for change in changes:
                parent = change.before.get(column)
                if parent in wanted and parent not in present:
                    label = target.replace("_", " ")
                    self.conflicts.append(
                        FieldConflict(
                            table,
                            change.row_id,
                            change.named.record,
                            None,
                            f"cannot come back: its {label} was deleted since",
                        )
                    )

    def _check_updates(self, overwrite: bool) -> None:
        by_table: dict[str, list[_Change]] = defaultdict(list)
        for change in self.updates:
            by_table[change.entity].append(change)
        restored = {(c.entity, c.row_id) for c in self.restores}
        removed = {(c.entity, c.row_id) for c in self.removals}
        self.current: dict[tuple[str, int], dict[str, Any]] = {}
        for table, changes in by_table.items():
            stored = _stored(self.session, table, [c.row_id for c in changes])
            for change in changes:
                key = (table, change.row_id)
                row = stored.get(change.row_id)
                if row is None:
                    if key not in restored and key not in removed:
                        self.conflicts.append(self.finder.gone(table, change.row_id, change.named))
                    continue
                self.current[key] = row
                if overwrite:
                    continue
                if change.after is None:  # journalled without its values (imports of 0002)
                    self.conflicts.extend(
                        self.finder.changed_record(table, row, change.named, version=change.version)
                    )
                    continue
                self.conflicts.extend(
                    self.finder.changed_fields(
                        table,
                        row,
                        change.named,
                        list(change.after),
                        version=None,
                        seen=change.after,
                        mine=change.before,
                    )
                )

    def _check_removals(self, overwrite: bool) -> None:
        by_table: dict[str, list[_Change]] = defaultdict(list)
        for change in self.removals:
            by_table[change.entity].append(change)
        removing = {(c.entity, c.row_id) for c in self.removals}
        self.gone_rows: dict[tuple[str, int], dict[str, Any]] = {}
        for table, changes in by_table.items():
            stored = _stored(self.session, table, [c.row_id for c in changes])
            for change in changes:
                row = stored.get(change.row_id)
                if row is None:
                    continue  # deleted since: what undo wanted is already so
                self.gone_rows[(table, change.row_id)] = row
                if not overwrite:
                    self.conflicts.extend(
                        self.finder.changed_record(table, row, change.named, version=change.version)
                    )
            present = [c for c in changes if (table, c.row_id) in self.gone_rows]
            self._check_dependants(table, present, removing)

    def _check_dependants(
        self, table: str, changes: list[_Change], removing: set[tuple[str, int]]
    ) -> None:
        """Rows of others that reference rows about to be removed (removing them would
        remove or blank those too)."""
        if not changes:
            return
        ids = [c.row_id for c in changes]
        for child in Base.metadata.sorted_tables:
            for constraint in child.foreign_key_constraints:
                if constraint.referred_table.name != table or len(constraint.elements) != 1:
                    continue
                link = constraint.elements[0].parent
                for part in _chunks(ids):
                    found = self.session.execute(
                        select(child.c.id, link).where(link.in_(part))
                    ).all()
                    others = [row for row in found if (child.name, row[0]) not in removing]
                    if not others:
                        continue
                    spec = ENTITIES.get(child.name)
                    count: dict[int, int] = defaultdict(int)
                    for _, parent in others:
                        count[parent] += 1
                    named = {c.row_id: c.named for c in changes}
                    cascades = constraint.ondelete == "CASCADE"
                    for parent, number in count.items():
                        noun = child.name.replace("_", " ")
                        if spec is not None:
                            noun = (spec.label if number == 1 else spec.plural).lower()
                        what = (
                            f"has {number:,} {noun} added since that would go with it"
                            if cascades
                            else f"is now named in {number:,} {noun} of others'"
                        )
                        self.conflicts.append(
                            FieldConflict(table, parent, named[parent].record, None, what)
                        )

    # -- writes ---------------------------------------------------------------------------

    def write(self) -> None:
        self._restore()
        self._update()
        self._remove()

    def _restore(self) -> None:
        by_table: dict[str, list[_Change]] = defaultdict(list)
        for change in self.restores:
            by_table[change.entity].append(change)
        order = _order()
        for table in sorted(by_table, key=order.__getitem__):
            changes = by_table[table]
            for part in _chunks(changes):
                self.session.execute(insert(_table(table)), [dict(c.before) for c in part])
            for change in changes:
                self.recorder.created(table, dict(change.before), change.named)

    def _update(self) -> None:
        groups: dict[tuple[str, tuple[str, ...]], list[_Change]] = defaultdict(list)
        for change in self.updates:
            groups[(change.entity, tuple(sorted(change.before)))].append(change)
        for (table, fields), changes in groups.items():
            model = _table(table)
            statement = versioned_update(model, fields)
            params = []
            for change in changes:
                row = self.current.get((table, change.row_id))
                if row is None:  # restored or removed by this same revert
                    row = _stored(self.session, table, [change.row_id]).get(change.row_id)
                    if row is None:
                        continue
                params.append(
                    versioned_params(
                        change.row_id,
                        row["version"],
                        {name: change.before[name] for name in fields},
                    )
                )
                after = {**row, **change.before, "version": row["version"] + 1}
                self.recorder.add(
                    Recorded(
                        table,
                        change.row_id,
                        "update",
                        {name: row[name] for name in fields},
                        dict(change.before),
                        after["version"],
                        change.named,
                    )
                )
            for part in _chunks(params):
                result = self.session.execute(statement, list(part))
                if result.rowcount != len(part):
                    raise EditConflictError(
                        [],
                        doing="Records changed while this was being undone (try again)",
                    )

    def _remove(self) -> None:
        by_table: dict[str, list[_Change]] = defaultdict(list)
        for change in self.removals:
            if (change.entity, change.row_id) in self.gone_rows:
                by_table[change.entity].append(change)
        order = _order()
        for table in sorted(by_table, key=lambda name: -order[name]):
            model = _table(table)
            changes = by_table[table]
            for change in changes:
                self.recorder.deleted(table, self.gone_rows[(table, change.row_id)], change.named)
            ids = [c.row_id for c in changes]
            for part in _chunks(ids):
                self.session.execute(delete(model).where(model.c.id.in_(part)))


def revert(
    session: Session,
    entry_id: int,
    recorder: Recorder,
    *,
    doing: str,
    overwrite: bool = False,
) -> None:
    """Put back what journal entry ``entry_id`` changed; report it to ``recorder``.

    Raises ``EditConflictError`` (with every conflict found, ``doing`` naming the action)
    when that would overwrite or lose someone else's work; nothing is written then.
    """
    changes = _load(session, entry_id)
    work = _Revert(session, changes, recorder)
    work.check(overwrite)
    if work.conflicts:
        raise EditConflictError(work.conflicts, doing=doing)
    work.write()
    session.expire_all()
