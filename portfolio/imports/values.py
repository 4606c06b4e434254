"""Dates and months as people type them, read without guessing.

Spreadsheets hand over real dates for date cells; text cells and CSV files hold what
someone typed: ``2026-07-15``, ``07/2026``, ``Jul 2026``, ``15 Jul 2026``,
``15/07/2026``. The last is only unambiguous because 15 cannot be a month: ``03/04/2026``
is 3 April to a European and March 4 to an American. Such a date is read only when the
day-month order is known, from the user or from the file itself (another date in it
that can only be read one way); otherwise the row is reported, never guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from portfolio.dates import ENGLISH_MONTHS
from portfolio.editing.fields import FieldSpec

#: Day-month orders a user can choose.
DATE_ORDERS = ("dmy", "mdy")

#: Month names a file may use (English, as the desktop's own date reader knows them).
MONTHS = ENGLISH_MONTHS

_ISO = re.compile(r"^\d{4}-?\d{2}(-\d{2}([ T].*)?)?$")
_NUMERIC_MONTH = re.compile(r"^(\d{1,2})[/.\-](\d{4})$")
_NAMED_MONTH = re.compile(r"^([A-Za-z]{3,9})\.?[\s\-/,']*(\d{4})$")
_DAY_NAMED = re.compile(r"^(\d{1,2})[\s\-.]+([A-Za-z]{3,9})\.?[\s\-.,]+(\d{4})$")
_NAMED_DAY = re.compile(r"^([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})$")
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})$")
_YEAR_FIRST = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


class AmbiguousDate(Exception):
    """The text reads as two different dates; the day-month order must decide."""


def order_shown_by(text: Any) -> str | None:
    """``"dmy"`` or ``"mdy"`` if ``text`` can only be read that way, else ``None``."""
    if not isinstance(text, str):
        return None
    match = _NUMERIC_DATE.match(text.strip().split(" ")[0])
    if not match:
        return None
    first, second = int(match.group(1)), int(match.group(2))
    if first > 12 >= second:
        return "dmy"
    if second > 12 >= first:
        return "mdy"
    return None


def read_temporal(value: Any, spec: FieldSpec, order: str | None) -> Any:
    """``value`` for a date, datetime or month field, in a form the core parses.

    Non-text values and ISO text pass through unchanged. Raises the field's
    ``ValidationError`` for text that is no date, and ``AmbiguousDate`` when the
    day-month order is needed but unknown.
    """
    if not isinstance(value, str):
        return value
    text = " ".join(value.split())
    if not text or _ISO.match(text):
        return text
    time_part = None
    if spec.kind == "datetime" and " " in text:
        text, _, time_part = text.partition(" ")
    day = _read_text(text, spec, order)
    if isinstance(day, int):  # a month
        if spec.kind == "month":
            return day
        raise spec.refuse(f"{value!r} is a month; a full date is needed")
    if spec.kind == "month":
        if day.day != 1:
            raise spec.refuse(
                f"{value!r} is {day.day} {day:%B %Y}, not the first of a month; a month "
                f"column takes {day:%Y-%m} or {day:%Y-%m}-01"
            )
        return day.year * 100 + day.month
    if spec.kind == "datetime":
        return dt.datetime.combine(day, _read_time(time_part, value, spec))
    return day


def _read_text(text: str, spec: FieldSpec, order: str | None) -> dt.date | int:
    def month_number(name: str) -> int:
        number = MONTHS.get(name.casefold())
        if number is None:
            raise spec.refuse(f"{name!r} is not a month name")
        return number

    def make(year: int, month: int, day: int) -> dt.date:
        try:
            return dt.date(year, month, day)
        except ValueError:
            raise spec.refuse(f"{text!r} is not a real date") from None

    if match := _NUMERIC_MONTH.match(text):
        month, year = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise spec.refuse(f"{text!r} is not a month (use MM/YYYY or YYYY-MM)")
        return year * 100 + month
    if match := _NAMED_MONTH.match(text):
        return int(match.group(2)) * 100 + month_number(match.group(1))
    if match := _DAY_NAMED.match(text):
        return make(int(match.group(3)), month_number(match.group(2)), int(match.group(1)))
    if match := _NAMED_DAY.match(text):
        return make(int(match.group(3)), month_number(match.group(1)), int(match.group(2)))
    if match := _YEAR_FIRST.match(text):
        return make(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if match := _NUMERIC_DATE.match(text):
        first, second, year_text = int(match.group(1)), int(match.group(2)), match.group(3)
        if len(year_text) != 4:
            raise spec.refuse(f"{text!r} has a two-digit year; write the year in full")
        year = int(year_text)
        # A chosen order is applied strictly: 15/07/2026 is no month-day date.
        shown = order or order_shown_by(text)
        if shown is None and first != second:
            raise AmbiguousDate(text)
        if shown == "mdy":
            return make(year, first, second)
        return make(year, second, first)
    raise spec.refuse(f"{text!r} is not a date (use YYYY-MM-DD)")


def _read_time(text: str | None, original: str, spec: FieldSpec) -> dt.time:
    if not text:
        return dt.time()
    match = _TIME.match(text)
    if not match:
        raise spec.refuse(f"{original!r} is not a date and time (use YYYY-MM-DD HH:MM)")
    hour, minute, second = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
    try:
        return dt.time(hour, minute, second)
    except ValueError:
        raise spec.refuse(f"{original!r} has no such time of day") from None
