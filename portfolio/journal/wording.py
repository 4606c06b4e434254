"""Journalled values in words: "$9,400.00", "Isla Patel", "Telemarketing", "empty".

The history, conflict messages and the undo refusals show stored values the way the
lists show them: money in the record's currency, choices by their label, people and
linked records by name.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from portfolio.editing.entities import ENTITIES
from portfolio.money import format_money
from portfolio.naming import RecordNames
from portfolio.periods import month_key


def local_time(at: dt.datetime | None) -> str:
    """A journal time (UTC, as stored) in this computer's time zone: "30 Nov 2026 14:02"."""
    if at is None:
        return "at an unknown time"
    return at.replace(tzinfo=dt.UTC).astimezone().strftime("%d %b %Y %H:%M")


def entity_label(entity: str) -> str:
    """The name a person uses for a kind of record ("Budget line")."""
    spec = ENTITIES.get(entity)
    return spec.label if spec is not None else entity.replace("_", " ").capitalize()


def field_label(entity: str, field: str) -> str:
    """The name a person sees for ``field`` of ``entity`` ("Spend actual")."""
    spec = ENTITIES.get(entity)
    if spec is not None:
        for candidate in spec.fields:
            if candidate.name == field:
                return candidate.label
    return field.replace("_", " ").capitalize()


class Wording:
    """Says stored values in words; reads people and records through ``names``."""

    def __init__(self, names: RecordNames) -> None:
        self.names = names

    def value(self, entity: str, field: str, value: Any, currency: str | None) -> str:
        if value is None or value == "":
            return "empty"
        spec = ENTITIES.get(entity)
        kind = None
        field_spec = None
        if spec is not None:
            field_spec = next((f for f in spec.fields if f.name == field), None)
            kind = field_spec.kind if field_spec else None
        if kind == "money" and currency and isinstance(value, int):
            return format_money(value, currency)
        if kind == "person" and isinstance(value, int):
            return self.names.person(value)
        if kind == "reference" and isinstance(value, int) and field_spec is not None:
            target = field_spec.refers_to
            if target == "client":
                return self.names.client(value)[0]
            if target == "campaign":
                return self.names.campaign(value)[1]
            if target == "deadline":
                return self.names.deadline(value)[1]
            return f"#{value}"
        if kind == "choice" and field_spec is not None and field_spec.vocabulary is not None:
            return field_spec.vocabulary.label(value)
        if kind == "month" and isinstance(value, int):
            return month_key(value)
        if kind == "bool" or isinstance(value, bool):
            return "yes" if value else "no"
        if kind in ("count", "integer") and isinstance(value, int):
            return f"{value:,}"
        if kind == "percent":
            return f"{value}%"
        text = " ".join(str(value).split())
        return text if len(text) <= 80 else text[:79] + "…"
