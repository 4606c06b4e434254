"""Budget months and reporting periods.

A budget month is stored as the integer ``YYYYMM`` (``202607``): portable between SQLite
and PostgreSQL, readable in a SQL shell, and cheap to group by year (``month / 100``) or
quarter in SQL. A ``Period`` is an inclusive range of such months with a label.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from portfolio.errors import ValidationError

MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_of(day: dt.date) -> int:
    return day.year * 100 + day.month


def month_start(month: int) -> dt.date:
    return dt.date(month // 100, month % 100, 1)


def add_months(month: int, count: int) -> int:
    index = (month // 100) * 12 + (month % 100 - 1) + count
    return (index // 12) * 100 + index % 12 + 1


def months_between(first: int, last: int) -> list[int]:
    """Every month from ``first`` to ``last`` inclusive; empty if ``last < first``."""
    out = []
    month = first
    while month <= last:
        out.append(month)
        month = add_months(month, 1)
    return out


def month_label(month: int) -> str:
    """``202607`` -> ``Jul 2026``."""
    return f"{MONTH_NAMES[month % 100 - 1]} {month // 100}"


def month_key(month: int) -> str:
    """``202607`` -> ``2026-07``, the form the command line and files use."""
    return f"{month // 100:04d}-{month % 100:02d}"


def is_valid_month(month: int) -> bool:
    return 190001 <= month <= 299912 and 1 <= month % 100 <= 12


def last_closed_month(today: dt.date | None = None) -> int:
    """The month whose actuals are in: the one before ``today``'s month."""
    return add_months(month_of(today or dt.date.today()), -1)


@dataclass(frozen=True)
class Period:
    """An inclusive range of budget months, e.g. a quarter or a fiscal year."""

    first: int
    last: int
    label: str

    def months(self) -> list[int]:
        return months_between(self.first, self.last)

    def __contains__(self, month: int) -> bool:
        return self.first <= month <= self.last

    @property
    def span(self) -> str:
        """Its months: ``Jul-Oct 2026``, ``Jul 2026-Jun 2027``, ``Oct 2026``."""
        return month_span(self.first, self.last)


def month_span(first: int, last: int) -> str:
    """``202607, 202610`` -> ``Jul-Oct 2026``; across years ``Jul 2026-Jun 2027``."""
    if first == last:
        return month_label(first)
    if first // 100 == last // 100:
        return f"{MONTH_NAMES[first % 100 - 1]}-{month_label(last)}"
    return f"{month_label(first)}-{month_label(last)}"


def year_kind(start_month: int) -> str:
    """``calendar`` for a year that starts in January, else ``fiscal``."""
    return "calendar" if start_month == 1 else "fiscal"


def year_to_date(as_of: int, start_month: int = 1) -> Period:
    """From the start of the (fiscal) year holding ``as_of`` to ``as_of``, named with its
    months and kind of year: ``YTD Jul-Oct 2026 (fiscal)``, ``YTD Jan-Oct 2026 (calendar)``.

    Every "year to date" in the app, the command line, workbooks and decks is this one.
    """
    year = fiscal_year_of(as_of, start_month)
    last = min(as_of, year.last)
    return Period(
        year.first, last, f"YTD {month_span(year.first, last)} ({year_kind(start_month)})"
    )


def period_title(period: Period, start_month: int = 1) -> str:
    """A period as a heading that names its months: ``FY2027 (Jul 2026-Jun 2027, fiscal)``,
    ``2026 (Jan-Dec 2026, calendar)``, ``2026-Q4 (Oct-Dec 2026)``; a YTD label as is."""
    if period.label.startswith("YTD") or period.first == period.last:
        return period.label
    if len(period.months()) == 12 and "Q" not in period.label:
        return f"{period.label} ({period.span}, {year_kind(start_month)})"
    return f"{period.label} ({period.span})"


def fiscal_year(year: int, start_month: int = 1) -> Period:
    """The fiscal year that *ends* in calendar ``year`` when it does not start in January.

    FY2026 for a client whose year starts in April runs Apr 2025 - Mar 2026, the usual
    convention for fiscal years named by their closing year.
    """
    if start_month == 1:
        return Period(year * 100 + 1, year * 100 + 12, str(year))
    first = (year - 1) * 100 + start_month
    return Period(first, add_months(first, 11), f"FY{year}")


def fiscal_year_of(month: int, start_month: int = 1) -> Period:
    year = month // 100
    if start_month != 1 and month % 100 >= start_month:
        year += 1
    return fiscal_year(year, start_month)


_PERIOD = re.compile(r"^(\d{4})(?:-(?:(Q[1-4])|(\d{1,2})))?$", re.IGNORECASE)


def parse_period(text: str, as_of: int, start_month: int = 1) -> Period:
    """Read ``2026``, ``2026-Q3``, ``2026-07``, ``ytd`` or ``fy`` into a ``Period``.

    ``ytd`` runs from the start of the (fiscal) year that contains ``as_of`` up to
    ``as_of``; ``fy`` is that whole year. Quarters and years are calendar ones unless
    ``start_month`` says the year starts elsewhere.
    """
    value = (text or "").strip()
    lowered = value.lower()
    if lowered in ("ytd", "fy"):
        if lowered == "fy":
            return fiscal_year_of(as_of, start_month)
        return year_to_date(as_of, start_month)
    match = _PERIOD.match(value)
    if not match:
        raise ValidationError(
            "period", f"{text!r} is not a period (use 2026, 2026-Q3, 2026-07 or ytd)"
        )
    year = int(match.group(1))
    quarter, month = match.group(2), match.group(3)
    if quarter:
        q = int(quarter[1])
        first = add_months(fiscal_year(year, start_month).first, (q - 1) * 3)
        return Period(first, add_months(first, 2), f"{year}-Q{q}")
    if month:
        m = int(month)
        if not 1 <= m <= 12:
            raise ValidationError("period", f"{text!r}: month must be 01 to 12")
        return Period(year * 100 + m, year * 100 + m, month_label(year * 100 + m))
    return fiscal_year(year, start_month)


def parse_month(text: str, field: str = "month") -> int:
    """Read ``2026-07`` or ``202607`` into a budget month."""
    value = (text or "").strip()
    match = re.match(r"^(\d{4})-?(\d{2})$", value)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValidationError(field, f"{text!r} is not a month (use YYYY-MM)")
    return int(match.group(1)) * 100 + int(match.group(2))
