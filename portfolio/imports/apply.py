"""Applying a previewed import in one transaction, journalled so it can be undone.

The plan says exactly which rows to add and which fields to change; this writes
exactly that, in bulk (``executemany``; a hundred thousand single-row ORM flushes
would take minutes). Each change is guarded by the version it was planned against
(``WHERE id = ? AND version = ?``, bumping the version as the ORM does): if any row
moved on since the preview, the whole import is rolled back with a message. The import
is one entry of the change journal (kind ``import``), written in the same transaction:
every added row and every changed row's fields before and after, so that ``portfolio
import undo`` and the app's Edit > Undo revert it like any other action.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from portfolio.actions.changes import Changes
from portfolio.editing import entity
from portfolio.errors import ConflictError
from portfolio.identity import User
from portfolio.imports.headers import ORDER
from portfolio.imports.plan import ImportPlan, RowChange
from portfolio.jobs import Job
from portfolio.journal.recorder import Recorded, Recorder
from portfolio.model import Client
from portfolio.naming import Named

#: Rows written per statement.
CHUNK = 5000


@dataclass(frozen=True)
class Applied:
    #: The import's journal entry (None when the journal was not written: benchmarks).
    entry_id: int | None
    added: int
    changed: int
    changes: Changes


def apply_plan(
    session: Session, plan: ImportPlan, job: Job, user: User, *, journal: bool = True
) -> Applied:
    """Write ``plan``'s additions and changes and journal them as ``user``; the caller
    commits. ``journal=False`` is for the benchmark's baseline only."""
    recorder = Recorder(session)
    new_ids: dict[tuple, int] = {}
    client_ids = {
        name.casefold(): ident for name, ident in session.execute(select(Client.name, Client.id))
    }
    by_entity: dict[str, list[RowChange]] = defaultdict(list)
    for change in plan.changes:
        by_entity[change.entity].append(change)
    total = max(len(plan.changes), 1)
    done = 0
    for name in ORDER:
        changes = by_entity.get(name, [])
        adds = [change for change in changes if change.is_added]
        edits = [change for change in changes if not change.is_added]
        if adds:
            _insert(session, name, adds, new_ids, client_ids, recorder)
        if edits:
            _update(session, name, edits, client_ids, recorder)
        done += len(changes)
        job.step(0.9 + 0.1 * done / total, f"Applying {name.replace('_', ' ')}s")
    entry_id = None
    if journal and recorder:
        entry_id = recorder.write(user, f"Import {plan.source}", "import", source=plan.source)
    return Applied(entry_id, plan.added, plan.changed, recorder.changes())


def _named(change: RowChange, client_ids: dict[str, int], row_id: int) -> Named:
    if change.entity == "client":
        return Named(change.key, row_id, change.values.get("currency") or change.currency)
    client_id = client_ids.get(change.client.casefold()) if change.client else None
    return Named(change.key, client_id, change.currency)


def _insert(
    session: Session,
    name: str,
    adds: list[RowChange],
    new_ids: dict[tuple, int],
    client_ids: dict[str, int],
    recorder: Recorder,
) -> None:
    table = entity(name).model.__table__
    rows = []
    for change in adds:
        values = dict(change.values)
        if change.pending_parent is not None:
            kind, key = change.pending_parent
            parent = "client_id" if kind == "client" else "campaign_id"
            values[parent] = new_ids[(kind, _fold(key))]
        values["version"] = 1
        rows.append(values)
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    ids: list[int] = []
    for start in range(0, len(rows), CHUNK):
        ids += [row[0] for row in session.execute(statement, rows[start : start + CHUNK])]
    for change, values, row_id in zip(adds, rows, ids, strict=True):
        if name == "client":
            new_ids[("client", _fold(values["name"]))] = row_id
            client_ids[values["name"].casefold()] = row_id
        elif name == "campaign":
            new_ids[("campaign", _fold((change.client, values["name"])))] = row_id
        row = {**values, "id": row_id}
        recorder.add(
            Recorded(name, row_id, "create", None, row, 1, _named(change, client_ids, row_id))
        )


def _update(
    session: Session,
    name: str,
    edits: list[RowChange],
    client_ids: dict[str, int],
    recorder: Recorder,
) -> None:
    table = entity(name).model.__table__
    groups: dict[tuple[str, ...], list[RowChange]] = defaultdict(list)
    for change in edits:
        groups[tuple(sorted(change.values))].append(change)
    for fields, group in groups.items():
        statement = (
            update(table)
            .where(table.c.id == bindparam("_id"), table.c.version == bindparam("_version"))
            .values({field: bindparam(f"_new_{field}") for field in fields})
            .values(version=table.c.version + 1)
        )
        for start in range(0, len(group), CHUNK):
            chunk = group[start : start + CHUNK]
            params = [
                {
                    "_id": change.row_id,
                    "_version": change.version,
                    **{f"_new_{field}": change.values[field] for field in fields},
                }
                for change in chunk
            ]
            result = session.execute(statement, params)
            if result.rowcount != len(chunk):
                raise ConflictError(
                    f"{len(chunk) - result.rowcount} of the rows to change were changed by "
                    "someone else after the preview; nothing was imported. Preview again."
                )
    for change in edits:
        recorder.add(
            Recorded(
                name,
                change.row_id,
                "update",
                dict(change.previous),
                dict(change.values),
                change.version + 1,
                _named(change, client_ids, change.row_id),
            )
        )


def _fold(key: Any) -> Any:
    if isinstance(key, str):
        return key.casefold()
    if isinstance(key, tuple):
        return tuple(_fold(part) for part in key)
    return key
