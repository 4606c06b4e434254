"""Stored values in and out of the journal's JSON, exactly, by the column's type.

A journal change keeps values as a JSON object of column name -> stored value: money
and counts as integers (minor units), dates and times as ISO text, ``Numeric`` values
(rates, percentages) as decimal text so they never pass through a binary float.
Reading them back uses the same table's column types, so an undone change writes back
exactly what was there.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Numeric

from portfolio.model.base import Base


def plain(value: Any) -> Any:
    """One stored value as JSON holds it."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def dumps(values: dict[str, Any] | None) -> str | None:
    """``{"spend_actual": 123450, "start_date": date(2026, 7, 1)}`` -> JSON text."""
    if values is None:
        return None
    return json.dumps({name: plain(value) for name, value in values.items()}, ensure_ascii=False)


@cache
def _readers(table: str) -> dict[str, Any]:
    readers: dict[str, Any] = {}
    for column in Base.metadata.tables[table].columns:
        kind = column.type
        if isinstance(kind, DateTime):
            readers[column.name] = dt.datetime.fromisoformat
        elif isinstance(kind, Date):
            readers[column.name] = dt.date.fromisoformat
        elif isinstance(kind, Numeric) and kind.asdecimal:
            readers[column.name] = Decimal
        elif isinstance(kind, Boolean):
            readers[column.name] = bool
    return readers


def typed(table: str, name: str, value: Any) -> Any:
    """A JSON value of column ``name`` of ``table`` back as the column's Python type."""
    if value is None:
        return None
    reader = _readers(table).get(name)
    return reader(value) if reader is not None else value


def loads(table: str, text: str | None) -> dict[str, Any] | None:
    """JSON text of a journal change -> stored values of ``table``'s columns.

    Keys that are no column (``offline_id``: the id a record had in the offline copy it
    came from) are kept as they are.
    """
    if text is None:
        return None
    return {name: typed(table, name, value) for name, value in json.loads(text).items()}


def column_values(table: str, values: dict[str, Any] | None) -> dict[str, Any] | None:
    """Only the entries of ``values`` that are columns of ``table``."""
    if values is None:
        return None
    columns = set(columns_of(table))
    return {name: value for name, value in values.items() if name in columns}


def columns_of(table: str) -> tuple[str, ...]:
    return tuple(column.name for column in Base.metadata.tables[table].columns)
