"""Printing records as an aligned table, CSV or JSON, with money exact in every form.

Commands describe their columns once; each format renders them its own way. In CSV and
JSON money is a plain decimal string with the currency's exact number of decimals
(``"-1234.50"``), never a float, and counts are integers.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TextIO

from portfolio.cli.terminal import one_line
from portfolio.money import format_money, from_minor

FORMATS = ("table", "csv", "json")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    #: text | money | count | pct (a signed change) | percent (a share) | bool | list
    kind: str = "text"
    #: For money: the record key holding the currency code (None means a count).
    currency_key: str = "currency"


def records_of(
    rows: Sequence[Any], columns: Sequence[Column], **computed: Callable[[Any], Any]
) -> list[dict]:
    """One record per row, keyed by the columns: each value is the row's attribute of
    that name, or ``computed[key](row)`` where the record says something else."""
    return [
        {c.key: computed[c.key](row) if c.key in computed else getattr(row, c.key) for c in columns}
        for row in rows
    ]


def plain(record: dict, column: Column) -> Any:
    """The value as CSV and JSON carry it."""
    value = record.get(column.key)
    if value is None:
        return None
    if column.kind == "money":
        currency = record.get(column.currency_key)
        return str(from_minor(value, currency)) if currency else value
    if column.kind in ("pct", "percent"):
        return str(value)
    if column.kind == "list":
        return list(value)
    return value


def shown(record: dict, column: Column) -> str:
    """The value as a person reads it in the table."""
    value = record.get(column.key)
    if value is None:
        return "-" if column.kind in ("money", "count", "pct", "percent") else ""
    if column.kind == "money":
        currency = record.get(column.currency_key)
        return format_money(value, currency) if currency else f"{value:,}"
    if column.kind == "count":
        return f"{value:,}"
    if column.kind == "pct":
        return f"{value:+.2f}%" if isinstance(value, Decimal) else str(value)
    if column.kind == "percent":
        return f"{value:.2f}%" if isinstance(value, Decimal) else str(value)
    if column.kind == "bool":
        return "yes" if value else "no"
    if column.kind == "list":
        return "; ".join(str(item) for item in value)
    return str(value)


def emit(
    records: Sequence[dict],
    columns: Sequence[Column],
    fmt: str,
    out: TextIO,
    *,
    footer: Sequence[dict] = (),
    note: str | None = None,
) -> None:
    """Write ``records`` in ``fmt``; ``footer`` rows (totals) and ``note`` only in tables."""
    if fmt == "json":
        json.dump(
            [{c.key: plain(r, c) for c in columns} for r in records],
            out,
            ensure_ascii=False,
            indent=2,
        )
        out.write("\n")
        return
    if fmt == "csv":
        # Data for a file or a pipe is written exactly; on a terminal, escaped.
        writer = csv.writer(getattr(out, "exact", out), lineterminator="\n")
        writer.writerow([c.key for c in columns])
        for record in records:
            writer.writerow(["" if (v := plain(record, c)) is None else _csv(v) for c in columns])
        return
    _table(records, columns, out, footer, note)


def _csv(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return str(value)


def _table(
    records: Sequence[dict],
    columns: Sequence[Column],
    out: TextIO,
    footer: Sequence[dict],
    note: str | None,
) -> None:
    cells = [[one_line(shown(r, c)) for c in columns] for r in [*records, *footer]]
    widths = [max([len(c.header), *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]
    numeric = ("money", "count", "pct", "percent")
    right: list[Callable[[str, int], str]] = [
        (str.rjust if c.kind in numeric else str.ljust) for c in columns
    ]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            align(v, w) for align, v, w in zip(right, values, widths, strict=False)
        ).rstrip()

    out.write(line([c.header for c in columns]) + "\n")
    out.write(line(["-" * w for w in widths]) + "\n")
    for index, row in enumerate(cells):
        if index == len(records) and footer:
            out.write(line(["-" * w for w in widths]) + "\n")
        out.write(line(row) + "\n")
    if not records:
        out.write("(no rows)\n")
    if note:
        out.write(one_line(note) + "\n")
