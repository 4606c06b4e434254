"""Dates as people type them into a field or a cell, read strictly or refused with a reason.

Accepted, whatever the computer's language:

* ISO: ``2027-01-31``, ``2027/01/31``, ``20270131`` (and a time after it for datetimes);
* a month by name: ``31 Jan 2027``, ``31-Jan-2027``, ``31 January 2027``,
  ``Jan 31, 2027`` (English names, and the local names handed to ``configure``);
* the computer's short form (``1/31/27`` where that is how the computer writes a date,
  ``31/01/2027`` where it is day first), once the desktop app has told ``configure``
  which order the locale uses.

Anything else is refused with a message saying what was typed and what would be read,
never guessed: ``03/04/2027`` with no known order could be two dates; a date without a
year is not filled in from today; ``31 Feb 2027`` is no date at all. The desktop app
hands the locale's short pattern over from Qt (``QLocale.system()``), which reads it
from the operating system on every platform; the core knows nothing of Qt.
"""

from __future__ import annotations

import datetime as dt
import re

ENGLISH_MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        1,
    )
    for name in names
}


class DateTextError(ValueError):
    """Typed text that is no date, or reads as more than one; ``str()`` says which."""


class LocalDates:
    """How this computer writes a short date: the day-month order and its example."""

    def __init__(self) -> None:
        self.order: str | None = None  # "dmy", "mdy" or "ymd"
        self.pattern: str | None = None  # e.g. "M/d/yy", shown in messages
        self.month_names: dict[str, int] = {}

    def example(self) -> str | None:
        """``2027-01-31`` in the short form, e.g. ``1/31/27`` (for messages and hints)."""
        if self.pattern is None:
            return None
        return format_short(dt.date(2027, 1, 31), self.pattern)


#: The locale's conventions, set once at start by the desktop app (``configure``).
LOCAL = LocalDates()


def configure(short_pattern: str | None, month_names: dict[str, int] | None = None) -> None:
    """Tell the core how this computer writes a short date (a Qt/ICU pattern: ``d/M/yy``).

    ``month_names`` maps the locale's month names (any case) to 1..12, so ``31 janv.
    2027`` reads in French. A pattern whose order cannot be seen is ignored.
    """
    LOCAL.order = _order_of(short_pattern) if short_pattern else None
    LOCAL.pattern = short_pattern if LOCAL.order else None
    LOCAL.month_names = {
        name.casefold().rstrip("."): number for name, number in (month_names or {}).items()
    }


def _order_of(pattern: str) -> str | None:
    positions = {}
    for letter, name in (("d", "d"), ("M", "m"), ("y", "y")):
        found = pattern.find(letter)
        if found < 0:
            return None
        positions[name] = found
    return "".join(sorted(positions, key=positions.get))


def format_short(day: dt.date, pattern: str) -> str:
    """``day`` written with a short Qt/ICU pattern of d, dd, M, MM, yy and yyyy only."""

    def token(match: re.Match) -> str:
        text = match.group(0)
        if text[0] == "d":
            return f"{day.day:02d}" if len(text) >= 2 else str(day.day)
        if text[0] == "M":
            return f"{day.month:02d}" if len(text) >= 2 else str(day.month)
        return str(day.year) if len(text) >= 3 else f"{day.year % 100:02d}"

    return re.sub(r"d+|M+|y+", token, pattern)


_ISO = re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$")
_ISO_BASIC = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DAY_NAMED = re.compile(r"^(\d{1,2})\.?[\s\-./]*([^\W\d_]{3,}\.?)[\s\-./,]*(\d{4})$")
_NAMED_DAY = re.compile(r"^([^\W\d_]{3,}\.?)\s*(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
_NUMERIC = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})$")
_ISO_WITH_TIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?$"
)

USE = "type it as 2027-01-31 or 31 Jan 2027"


def read_date(value: object) -> dt.date:
    """A typed date -> ``date``; raises ``DateTextError`` with the reason.

    Dates and datetimes pass through (a datetime gives its day).
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = " ".join(str(value).split())
    if not text:
        raise DateTextError("is empty")
    with_time = _ISO_WITH_TIME.match(text)
    if with_time:  # an ISO timestamp (a CSV's or a workbook's): its day
        text = with_time.group(1)
    return _read(text)


def read_datetime(value: object) -> dt.datetime:
    """A typed date and time (``2027-01-31 14:30``, ``31 Jan 2027 2:30``) -> naive datetime.

    A date alone is midnight. Seconds and time zones are dropped (stored to the minute).
    """
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    text = " ".join(str(value).split())
    if not text:
        raise DateTextError("is empty")
    try:
        return dt.datetime.fromisoformat(text).replace(tzinfo=None, microsecond=0)
    except ValueError:
        pass
    day_text, time_text = text, None
    match = re.match(r"^(.*\S)[ T](\d{1,2}:\d{2}(?::\d{2})?)$", text)
    if match:
        day_text, time_text = match.group(1), match.group(2)
    day = _read(day_text)
    if time_text is None:
        return dt.datetime.combine(day, dt.time())
    hour, minute, second = (int(part) for part in (time_text.split(":") + ["0"])[:3])
    try:
        return dt.datetime.combine(day, dt.time(hour, minute, second))
    except ValueError:
        raise DateTextError(f"{text!r} has no such time of day") from None


def _month_number(name: str, text: str) -> int:
    key = name.casefold().rstrip(".")
    number = ENGLISH_MONTHS.get(key) or LOCAL.month_names.get(key)
    if number is None:
        raise DateTextError(f"{text!r}: {name!r} is not a month name")
    return number


def _make(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise DateTextError(f"{text!r} is not a real date") from None


def _read(text: str) -> dt.date:
    if match := _ISO.match(text):
        return _make(int(match.group(1)), int(match.group(3)), int(match.group(4)), text)
    if match := _ISO_BASIC.match(text):
        return _make(int(match.group(1)), int(match.group(2)), int(match.group(3)), text)
    if match := _DAY_NAMED.match(text):
        month = _month_number(match.group(2), text)
        return _make(int(match.group(3)), month, int(match.group(1)), text)
    if match := _NAMED_DAY.match(text):
        month = _month_number(match.group(1), text)
        return _make(int(match.group(3)), month, int(match.group(2)), text)
    if match := _NUMERIC.match(text):
        return _read_numeric(text, match)
    raise DateTextError(f"{text!r} is not a date; {USE}")


def _read_numeric(text: str, match: re.Match) -> dt.date:
    """``1/31/27`` or ``31.01.2027``: only in the computer's own order."""
    parts = [match.group(1), match.group(2), match.group(3)]
    order = LOCAL.order
    if order is None:
        raise DateTextError(f"{text!r} could be read day first or month first; {USE}")
    example = LOCAL.example()
    by_name = dict(zip(order, parts, strict=True))
    year_text = by_name["y"]
    if len(year_text) == 2:
        year = _full_year(int(year_text))
    elif len(year_text) == 4:
        year = int(year_text)
    else:
        raise DateTextError(f"{text!r}: the year must have 2 or 4 digits")
    if len(by_name["d"]) > 2 or len(by_name["m"]) > 2:
        raise DateTextError(f"{text!r} is not a date in this computer's form ({example}); {USE}")
    month, day = int(by_name["m"]), int(by_name["d"])
    if not 1 <= month <= 12:
        raise DateTextError(
            f"{text!r} is not a date in this computer's form ({example} is 31 Jan 2027); {USE}"
        )
    return _make(year, month, day, text)


def _full_year(two_digits: int) -> int:
    """A two-digit year in the century window around today: 27 -> 2027, 85 -> 1985."""
    this_year = dt.date.today().year
    year = this_year - this_year % 100 + two_digits
    if year > this_year + 50:
        year -= 100
    elif year <= this_year - 50:
        year += 100
    return year
