"""Applying a previewed import in one transaction, journalled so it can be undone.

The plan says exactly which rows to add and which fields to change; this writes
exactly that, in bulk (``executemany``; a hundred thousand single-row ORM flushes
would take minutes). Each change is guarded by the version it was planned against
(``WHERE id = ? AND version = ?``, bumping the version as the ORM does): if any row
moved on since the preview, the whole import is rolled back with a message. Every added
row and every changed row's previous values go into the journal (``ImportBatch``,
``ImportChange``) in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import Session

from portfolio.editing import entity
from portfolio.errors import ConflictError
from portfolio.imports.headers import ORDER
from portfolio.imports.plan import ImportPlan, RowChange
from portfolio.jobs import Job
from portfolio.model import ImportBatch, ImportChange

#: Rows written per statement.
CHUNK = 5000


@dataclass(frozen=True)
class Applied:
    batch_id: int
    added: int
    changed: int


def apply_plan(session: Session, plan: ImportPlan, job: Job) -> Applied:
    """Write ``plan``'s additions and changes and journal them; the caller commits."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    batch = ImportBatch(
        source=plan.source[:500], imported_at=now, added=plan.added, changed=plan.changed
    )
    session.add(batch)
    session.flush()
    new_ids: dict[tuple, int] = {}
    journal: list[dict[str, Any]] = []
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
            _insert(session, name, adds, new_ids, journal, batch.id)
        if edits:
            _update(session, name, edits, journal, batch.id)
        done += len(changes)
        job.step(0.9 + 0.1 * done / total, f"Applying {name.replace('_', ' ')}s")
    table = ImportChange.__table__
    for start in range(0, len(journal), CHUNK):
        session.execute(insert(table), journal[start : start + CHUNK])
    return Applied(batch.id, plan.added, plan.changed)


def _insert(
    session: Session,
    name: str,
    adds: list[RowChange],
    new_ids: dict[tuple, int],
    journal: list[dict[str, Any]],
    batch_id: int,
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
        elif name == "campaign":
            new_ids[("campaign", _fold((change.client, values["name"])))] = row_id
        journal.append(_entry(batch_id, name, row_id, "added", None, 1))


def _update(
    session: Session,
    name: str,
    edits: list[RowChange],
    journal: list[dict[str, Any]],
    batch_id: int,
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
        previous = json.dumps({key: _jsonable(value) for key, value in change.previous.items()})
        journal.append(
            _entry(batch_id, name, change.row_id, "changed", previous, change.version + 1)
        )


def _entry(
    batch_id: int, name: str, row_id: int, action: str, previous: str | None, version: int
) -> dict[str, Any]:
    return {
        "batch_id": batch_id,
        "entity": name,
        "row_id": row_id,
        "action": action,
        "previous": previous,
        "version": version,
    }


def _fold(key: Any) -> Any:
    if isinstance(key, str):
        return key.casefold()
    if isinstance(key, tuple):
        return tuple(_fold(part) for part in key)
    return key


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
