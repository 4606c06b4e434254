"""What an action changed, typed, so every view refreshes once and only what it shows.

An action (an edit, a paste, a delete, an import, an undo) returns ``Changes``: per
record, the table, the id, whether it was created, updated or deleted, and for an
update the fields. A view asks ``touches(reads)`` with the tables its query reads (a
list's base table and joins, a figure page's ``READS`` from the analytics it shows),
and a view that made the change itself (``origin``) can keep what it already shows.
The same type describes other people's changes read from the journal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class RecordChange:
    """One record an action created, updated or deleted."""

    entity: str
    row_id: int
    #: ``create``, ``update`` or ``delete``.
    op: str
    #: For an update: the changed fields (column names). Empty for create and delete.
    fields: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Changes:
    """The records an action (or several) changed; empty when nothing changed."""

    records: tuple[RecordChange, ...] = ()
    #: Whatever asked for the action (a view), so it can skip refreshing its own edit.
    origin: Any = None
    #: Everything may have changed (a portfolio reopened, another program's changes
    #: whose extent is unknown): every view reloads.
    everything: bool = False
    _by_entity: dict[str, dict[int, RecordChange]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        for change in self.records:
            self._by_entity.setdefault(change.entity, {})[change.row_id] = change

    @classmethod
    def all(cls, origin: Any = None) -> Changes:
        return cls(everything=True, origin=origin)

    def __bool__(self) -> bool:
        return self.everything or bool(self.records)

    def __len__(self) -> int:
        return len(self.records)

    @property
    def entities(self) -> frozenset[str]:
        """The tables whose rows changed."""
        return frozenset(self._by_entity)

    def ids(self, entity: str) -> frozenset[int]:
        """Ids of the changed rows of ``entity``."""
        return frozenset(self._by_entity.get(entity, ()))

    def of(self, entity: str, row_id: int) -> RecordChange | None:
        return self._by_entity.get(entity, {}).get(row_id)

    def touches(self, reads: Iterable[str]) -> bool:
        """Whether a view reading the tables ``reads`` may show something else now."""
        return self.everything or not self.entities.isdisjoint(reads)

    def only_updates(self, entity: str) -> bool:
        """Every change is an update of ``entity`` rows: a list can re-read them in place
        (no row appeared, went or changed its place in other tables)."""
        return not self.everything and all(
            change.entity == entity and change.op == "update" for change in self.records
        )

    def merged(self, other: Changes) -> Changes:
        """Both sets of changes (several actions reported at once)."""
        return Changes(
            self.records + other.records,
            origin=self.origin if self.origin is other.origin else None,
            everything=self.everything or other.everything,
        )
