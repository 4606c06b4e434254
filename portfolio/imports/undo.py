"""Undoing the last applied import as one step, from its journal.

Undo puts back the previous values of every row the import changed and removes every
row it added, in one transaction, and marks the import undone. It refuses (changing
nothing) when that would lose someone's later work: a row edited since the import
(its version moved on), or a row added since under a client or campaign the import
created (removing the parent would remove it too).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from portfolio.editing import entity
from portfolio.errors import ConflictError, PortfolioError
from portfolio.imports.headers import ORDER
from portfolio.jobs import Job
from portfolio.model import ImportBatch, ImportChange
from portfolio.model.base import Base

#: Ids per IN (...) list.
CHUNK = 5000


class NothingToUndoError(PortfolioError):
    pass


@dataclass(frozen=True)
class Undone:
    batch_id: int
    source: str
    imported_at: dt.datetime
    removed: int
    restored: int


def last_import(session: Session) -> ImportBatch | None:
    """The most recent import that has not been undone."""
    return session.scalars(
        select(ImportBatch).where(ImportBatch.undone_at.is_(None)).order_by(ImportBatch.id.desc())
    ).first()


def undo_last_import(session: Session, job: Job, batch_id: int | None = None) -> Undone:
    """Undo the most recent import, or import ``batch_id``; the caller commits.

    The desktop app names the batch it applied (its undo stack has the order); the
    command line undoes the latest.
    """
    if batch_id is None:
        batch = last_import(session)
        if batch is None:
            raise NothingToUndoError("There is no import to undo")
    else:
        batch = session.get(ImportBatch, batch_id)
        if batch is None or batch.undone_at is not None:
            raise NothingToUndoError("That import was already undone")
    rows = session.execute(
        select(
            ImportChange.entity,
            ImportChange.row_id,
            ImportChange.action,
            ImportChange.previous,
            ImportChange.version,
        ).where(ImportChange.batch_id == batch.id)
    ).all()
    by_entity: dict[str, list] = defaultdict(list)
    for row in rows:
        by_entity[row.entity].append(row)
    job.step(0.1, "Checking nothing changed since the import")
    blocked = _moved_on(session, by_entity) + _new_children(session, by_entity)
    if blocked:
        example = "; ".join(blocked[:3])
        raise ConflictError(
            f"Cannot undo the import of {batch.source}: {len(blocked):,} record(s) changed "
            f"since ({example}); nothing was changed"
        )
    restored = removed = 0
    for name in ORDER:
        changed = [row for row in by_entity.get(name, []) if row.action == "changed"]
        restored += _restore(session, name, changed)
    for name in reversed(ORDER):
        added = [row.row_id for row in by_entity.get(name, []) if row.action == "added"]
        model = entity(name).model
        for start in range(0, len(added), CHUNK):
            session.execute(delete(model).where(model.id.in_(added[start : start + CHUNK])))
        removed += len(added)
    job.step(0.9, "Undone")
    batch.undone_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    session.flush()
    return Undone(batch.id, batch.source, batch.imported_at, removed, restored)


def _moved_on(session: Session, by_entity: dict[str, list]) -> list[str]:
    blocked = []
    for name, rows in by_entity.items():
        spec = entity(name)
        model = spec.model
        expected = {row.row_id: row.version for row in rows}
        ids = list(expected)
        found: dict[int, int] = {}
        for start in range(0, len(ids), CHUNK):
            found.update(
                session.execute(
                    select(model.id, model.version).where(model.id.in_(ids[start : start + CHUNK]))
                ).all()
            )
        for row_id, version in expected.items():
            if row_id not in found:
                blocked.append(f"{spec.label.lower()} {row_id} was deleted")
            elif found[row_id] != version:
                blocked.append(f"{spec.label.lower()} {row_id} was edited")
    return blocked


def _children_of(parent: str) -> list[type[Base]]:
    """Tables whose rows hang off a client or campaign (removed with it)."""
    from portfolio.editing.entities import ENTITIES

    key = f"{parent}_id"
    return [
        spec.model
        for spec in ENTITIES.values()
        if key in spec.model.__table__.c and spec.name != parent
    ]


def _new_children(session: Session, by_entity: dict[str, list]) -> list[str]:
    blocked = []
    added = {
        name: {row.row_id for row in rows if row.action == "added"}
        for name, rows in by_entity.items()
    }
    for parent in ("client", "campaign"):
        parents = sorted(added.get(parent, ()))
        if not parents:
            continue
        for model in _children_of(parent):
            ours = added.get(_entity_name(model), set())
            column = getattr(model, f"{parent}_id")
            for start in range(0, len(parents), CHUNK):
                query = (
                    select(func.count())
                    .select_from(model)
                    .where(column.in_(parents[start : start + CHUNK]))
                )
                if ours:
                    query = query.where(model.id.not_in(ours))
                count = session.scalar(query) or 0
                if count:
                    label = entity(_entity_name(model)).plural.lower()
                    blocked.append(f"{count:,} {label} were added to imported {parent}s")
    return blocked


def _entity_name(model: type[Base]) -> str:
    from portfolio.editing.entities import entity_for_table

    spec = entity_for_table(model.__tablename__)
    return spec.name if spec else model.__tablename__


def _restore(session: Session, name: str, rows: list) -> int:
    spec = entity(name)
    table = spec.model.__table__
    groups: dict[tuple[str, ...], list[tuple[int, int, dict[str, Any]]]] = defaultdict(list)
    for row in rows:
        previous = {
            field: _typed(spec.field(field).kind, value)
            for field, value in json.loads(row.previous).items()
        }
        groups[tuple(sorted(previous))].append((row.row_id, row.version, previous))
    for fields, group in groups.items():
        statement = (
            update(table)
            .where(table.c.id == bindparam("_id"), table.c.version == bindparam("_version"))
            .values({field: bindparam(f"_old_{field}") for field in fields})
            .values(version=table.c.version + 1)
        )
        for start in range(0, len(group), CHUNK):
            chunk = group[start : start + CHUNK]
            params = [
                {"_id": row_id, "_version": version, **{f"_old_{k}": v for k, v in old.items()}}
                for row_id, version, old in chunk
            ]
            result = session.execute(statement, params)
            if result.rowcount != len(chunk):
                raise ConflictError(
                    "Rows changed while the import was being undone; nothing was changed"
                )
    return len(rows)


def _typed(kind: str, value: Any) -> Any:
    """A journalled JSON value back as the field's Python type."""
    if value is None:
        return None
    if kind == "date":
        return dt.date.fromisoformat(value)
    if kind == "datetime":
        return dt.datetime.fromisoformat(value)
    if kind in ("percent", "rate"):
        return Decimal(value)
    return value
