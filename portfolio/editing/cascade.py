"""What a delete removes: the row, everything that cascades with it, what it blanks.

Deleting a client removes its campaigns, their budget lines, its requests and more (the
schema's ``ON DELETE CASCADE``), and clears references to it elsewhere (``SET NULL``).
``capture`` reads all of that before a delete, walking the schema's foreign keys rather
than a hand-kept list, so the journal keeps every row whole (ids and version counters
included) and an undone delete leaves the portfolio exactly as it was
(``portfolio.actions.revert``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from portfolio.editing.entities import entity
from portfolio.model import Base

#: Rows read per ``IN (...)`` list, well inside every backend's parameter limit.
CHUNK = 5000


@dataclass
class Captured:
    """A row and everything its deletion removes or clears, in insert order."""

    entity: str
    row_id: int
    #: table name -> rows (column name -> value), in the schema's dependency order.
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: References the delete sets to NULL: (table, column, [(row id, value)]).
    cleared: list[tuple[str, str, list[tuple[int, int]]]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


def _chunks(values: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _references_to(parent: Table) -> list[tuple[Table, str, str | None]]:
    """(child table, column holding the parent's id, ON DELETE action) for each reference."""
    found = []
    for table in Base.metadata.sorted_tables:
        for constraint in table.foreign_key_constraints:
            if constraint.referred_table is not parent:
                continue
            for element in constraint.elements:
                if element.column.name == "id":
                    found.append((table, element.parent.name, constraint.ondelete))
    return found


def capture(session: Session, entity_name: str, row_id: int) -> Captured:
    """Read the row ``row_id`` of ``entity_name`` and everything deleting it would touch."""
    spec = entity(entity_name)
    root = spec.model.__table__
    captured = Captured(entity_name, row_id)
    seen: dict[str, set[int]] = {}
    frontier: list[tuple[Table, list[int]]] = [(root, [row_id])]
    while frontier:
        table, ids = frontier.pop(0)
        known = seen.setdefault(table.name, set())
        ids = [i for i in ids if i not in known]
        if not ids:
            continue
        known.update(ids)
        for part in _chunks(ids):
            rows = session.execute(select(table).where(table.c.id.in_(part))).mappings()
            captured.rows.setdefault(table.name, []).extend(dict(row) for row in rows)
        for child, column, action in _references_to(table):
            link = child.c[column]
            for part in _chunks(ids):
                pairs = session.execute(select(child.c.id, link).where(link.in_(part))).all()
                if not pairs:
                    continue
                if action == "CASCADE":
                    frontier.append((child, [child_id for child_id, _ in pairs]))
                elif action == "SET NULL":
                    captured.cleared.append((child.name, column, [tuple(p) for p in pairs]))
    order = {table.name: index for index, table in enumerate(Base.metadata.sorted_tables)}
    captured.rows = dict(sorted(captured.rows.items(), key=lambda item: order[item[0]]))
    return captured
