"""A book of clients and every row that belongs to it, as queries on any portfolio.

Check-out copies a book; sync brings the server's changes to it. Both ask the same
question of each table: which of its rows are under these clients? A table with a
``client_id`` says so itself; budget lines and drops through their campaign, materials
through their deadline. Team members, rates, currencies, settings, SLA policies and
objectives are reference data every page needs: a copy holds all of them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Select, Table, select
from sqlalchemy.orm import Session

from portfolio.errors import ValidationError
from portfolio.model import Base

#: Tables copied whole: what every page, report and deck needs beside the book.
REFERENCE_TABLES = (
    "currency",
    "setting",
    "sla_policy",
    "team_member",
    "fx_rate",
    "sales_objective",
)
#: Tables that are Portfolio's own bookkeeping, never copied as data. ``month_total``
#: is derived: each side's triggers keep it from its own budget lines.
BOOKKEEPING = frozenset(
    {
        "alembic_version",
        "journal_entry",
        "journal_change",
        "month_total",
        "offline_copy",
        "offline_pending",
    }
)
#: Settings that belong to the file, not the team (kept as the copy has them).
LOCAL_SETTINGS = frozenset({"application", "portfolio_id"})
#: The setting naming a portfolio (made by migration 0006, one per portfolio).
IDENTITY_KEY = "portfolio_id"


def identity_of(connection: Connection) -> str:
    """The portfolio's ``portfolio_id`` setting."""
    model = table("setting")
    found = connection.scalar(select(model.c.value).where(model.c.key == IDENTITY_KEY))
    if found is None:
        raise ValueError("the portfolio has no portfolio_id setting (migration 0006 makes it)")
    return found


def table(name: str) -> Table:
    return Base.metadata.tables[name]


def book_tables() -> list[str]:
    """The tables under a client, parents before children."""
    return [
        t.name
        for t in Base.metadata.sorted_tables
        if t.name not in BOOKKEEPING and t.name not in REFERENCE_TABLES
    ]


def rows_in_book(name: str, client_ids: Sequence[int]) -> Select:
    """The rows of table ``name`` that belong to the clients ``client_ids``."""
    model = table(name)
    ids = list(client_ids)
    if name == "client":
        return select(model).where(model.c.id.in_(ids))
    if "client_id" in model.c:
        return select(model).where(model.c.client_id.in_(ids))
    for constraint in model.foreign_key_constraints:
        parent = constraint.referred_table
        if len(constraint.elements) == 1 and "client_id" in parent.c:
            link = constraint.elements[0].parent
            owners = select(parent.c.id).where(parent.c.client_id.in_(ids))
            return select(model).where(link.in_(owners))
    raise ValueError(f"table {name} has no way to its client")


def _cascade_links(child: Table) -> list[tuple[str, str]]:
    """``(parent table, column here holding the parent's id)`` for each foreign key of
    ``child`` declared ``ON DELETE CASCADE`` to a table of the book (a composite key,
    such as a deadline's campaign-of-client, by its column naming the parent's id)."""
    links = []
    for constraint in child.foreign_key_constraints:
        parent = constraint.referred_table.name
        if constraint.ondelete != "CASCADE" or parent in BOOKKEEPING or parent in REFERENCE_TABLES:
            continue
        for element in constraint.elements:
            if element.column.name == "id":
                links.append((parent, element.parent.name))
    return links


def descendants(connection: Connection, entity: str, row_id: int) -> list[tuple[str, dict]]:
    """The rows that go with one record when it is deleted (its budget lines and drops,
    a client's everything), parents first: ``[(table, row), ...]``.

    Follows the foreign keys declared ``ON DELETE CASCADE``; a row that only points at
    the record (``SET NULL``) outlives it and is not among them.
    """
    found: dict[str, set[int]] = {entity: {row_id}}
    out: list[tuple[str, dict]] = []
    for child in Base.metadata.sorted_tables:
        if child.name in BOOKKEEPING or child.name in REFERENCE_TABLES or child.name == entity:
            continue
        for parent, column in _cascade_links(child):
            parents = found.get(parent)
            if not parents:
                continue
            query = select(child).where(child.c[column].in_(sorted(parents))).order_by(child.c.id)
            for row in connection.execute(query).mappings():
                if row["id"] not in found.setdefault(child.name, set()):
                    found[child.name].add(row["id"])
                    out.append((child.name, dict(row)))
    return out


def row_of(connection: Connection, entity: str, row_id: int) -> dict | None:
    """Record ``row_id`` of table ``entity`` as stored (None: there is none)."""
    model = table(entity)
    row = connection.execute(select(model).where(model.c.id == row_id)).mappings().first()
    return None if row is None else dict(row)


def gone_top(here: Connection, there: Connection, entity: str, row_id: int) -> tuple[str, int]:
    """The highest record, going up from ``(entity, row_id)`` through the parents it is
    deleted with, that the copy ``here`` holds and the server ``there`` no longer does:
    a line whose client was deleted there answers the client. The record itself when
    its parents are all still there."""
    key = (entity, row_id)
    while True:
        row = row_of(here, *key)
        if row is None:
            return key
        for parent, column in _cascade_links(table(key[0])):
            parent_id = row[column]
            if parent_id is None:
                continue
            parent_table = table(parent)
            there_now = there.scalar(
                select(parent_table.c.id).where(parent_table.c.id == parent_id)
            )
            if there_now is None:
                key = (parent, parent_id)
                break
        else:
            return key


@dataclass(frozen=True)
class Scope:
    """What a copy holds: a director's book (as it grows) or named clients."""

    director_id: int | None = None
    client_ids: tuple[int, ...] = ()

    def to_json(self) -> str:
        if self.director_id is not None:
            return json.dumps({"director_id": self.director_id})
        return json.dumps({"client_ids": list(self.client_ids)})

    @classmethod
    def from_json(cls, text: str) -> Scope:
        data = json.loads(text)
        if "director_id" in data:
            return cls(director_id=int(data["director_id"]))
        return cls(client_ids=tuple(int(i) for i in data["client_ids"]))

    def clients(self, session: Session) -> list[int]:
        """The book's clients as the portfolio holds them now."""
        client = table("client")
        query = select(client.c.id).order_by(client.c.id)
        if self.director_id is not None:
            query = query.where(client.c.director_id == self.director_id)
        else:
            query = query.where(client.c.id.in_(self.client_ids))
        found = list(session.scalars(query))
        if not found and self.director_id is not None:
            people = table("team_member")
            name = session.scalar(select(people.c.name).where(people.c.id == self.director_id))
            raise ValidationError(
                "book",
                f"{name or 'This person'} is the director of no client, so there is no "
                "book to take offline; choose a director, or name the clients",
                label="Book",
            )
        if not found:
            raise ValidationError("book", "holds none of those clients", label="Book")
        return found
