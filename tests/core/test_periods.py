import pytest

from portfolio.errors import ValidationError
from portfolio.periods import (
    Period,
    add_months,
    fiscal_year_of,
    months_between,
    parse_month,
    parse_period,
)


def test_month_arithmetic_crosses_years():
    assert add_months(202611, 2) == 202701
    assert add_months(202601, -1) == 202512
    assert months_between(202511, 202602) == [202511, 202512, 202601, 202602]
    assert months_between(202603, 202602) == []


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2026", 202601, 202612),
        ("2026-Q3", 202607, 202609),
        ("2026-q1", 202601, 202603),
        ("2026-07", 202607, 202607),
        ("ytd", 202601, 202610),
        ("fy", 202601, 202612),
    ],
)
def test_calendar_periods(text, first, last):
    period = parse_period(text, as_of=202610)
    assert (period.first, period.last) == (first, last)


def test_fiscal_years_are_named_by_the_year_they_end_in():
    assert fiscal_year_of(202610, 4) == Period(202604, 202703, "FY2027")
    assert fiscal_year_of(202602, 4) == Period(202504, 202603, "FY2026")
    ytd = parse_period("ytd", 202610, start_month=7)
    assert (ytd.first, ytd.last) == (202607, 202610)
    assert parse_period("2026-Q1", 202610, start_month=7).first == 202507


@pytest.mark.parametrize("text", ["2026-13", "26", "Q3", "2026-Q5", "last year"])
def test_bad_periods_are_refused_naming_the_field(text):
    with pytest.raises(ValidationError, match="^Period: "):
        parse_period(text, as_of=202610)


def test_parse_month():
    assert parse_month("2026-07") == 202607
    assert parse_month("202607") == 202607
    with pytest.raises(ValidationError):
        parse_month("2026-00")
