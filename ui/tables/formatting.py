"""How a stored value reads in a cell, and what an editor starts from.

Money is shown in the row's own currency with its symbol and decimals
(``portfolio.money.format_money``); a money column without a currency (a make-up action
on sales) holds a count. Variances carry their sign, and whether they are unfavourable
is decided by the column's direction (overspend is bad, under-delivered revenue is bad).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from portfolio.money import format_money, from_minor
from portfolio.periods import month_key
from portfolio.queries.listing import ListColumn

EMPTY = ""


def display(column: ListColumn, value: Any, currency: str | None) -> str:
    """The text of one cell."""
    if value is None:
        return EMPTY
    kind = column.kind
    if kind == "money":
        text = format_money(value, currency) if currency else f"{value:,}"
        return _signed(text, value) if column.is_variance else text
    if kind == "count":
        text = f"{value:,}"
        return _signed(text, value) if column.is_variance else text
    if kind == "integer":
        return str(value)
    if kind == "percent":
        number = Decimal(value)
        if column.is_variance:
            return f"{number:+.1f}%" if number else "0.0%"
        return f"{number:.0f}%" if number == number.to_integral_value() else f"{number:.2f}%"
    if kind == "month":
        return month_key(value)
    if kind == "datetime":
        return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, dt.datetime) else str(value)
    if kind == "date":
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if kind == "choice" and column.vocabulary is not None:
        return column.vocabulary.label(value)
    if kind == "bool":
        return "Yes" if value else "No"
    return str(value)


def _signed(text: str, value: int) -> str:
    return f"+{text}" if value > 0 else text


def unfavourable(column: ListColumn, value: Any) -> bool:
    """Whether a variance cell goes against its measure's direction."""
    if not column.is_variance or value is None or value == 0:
        return False
    return (value < 0) if column.higher_is_better else (value > 0)


def edit_text(column: ListColumn, value: Any, currency: str | None) -> Any:
    """What an editor starts from: plain amounts (no grouping), dates as dates, raw choices."""
    if value is None:
        return None
    if column.kind == "money":
        return str(from_minor(value, currency)) if currency else str(value)
    if column.kind in ("count", "integer"):
        return str(value)
    if column.kind == "percent":
        return str(value)
    if column.kind == "month":
        return month_key(value)
    return value
