"""Dates and months as typed: the forms accepted, and the ones never guessed."""

from __future__ import annotations

import datetime as dt

import pytest

from portfolio.editing import entity
from portfolio.errors import ValidationError
from portfolio.imports.headers import normal, target_for_header
from portfolio.imports.values import AmbiguousDate, order_shown_by, read_temporal

MONTH = entity("budget_line").field("month")
DATE = entity("campaign").field("start_date")
WHEN = entity("client_request").field("opened_at")


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("07/2026", 202607),
        ("7-2026", 202607),
        ("Jul 2026", 202607),
        ("July 2026", 202607),
        ("sept. 2026", 202609),
        ("2026/07/01", 202607),
        ("1 Jul 2026", 202607),
        (dt.datetime(2026, 7, 1), dt.datetime(2026, 7, 1)),
        ("2026-07", "2026-07"),  # ISO text is left to the core
    ],
)
def test_months(text, month):
    assert read_temporal(text, MONTH, None) == month


@pytest.mark.parametrize(
    ("text", "order", "day"),
    [
        ("15 Jul 2026", None, dt.date(2026, 7, 15)),
        ("Jul 15, 2026", None, dt.date(2026, 7, 15)),
        ("15.07.2026", None, dt.date(2026, 7, 15)),
        ("07/15/2026", None, dt.date(2026, 7, 15)),
        ("05/05/2026", None, dt.date(2026, 5, 5)),
        ("03/04/2026", "dmy", dt.date(2026, 4, 3)),
        ("03/04/2026", "mdy", dt.date(2026, 3, 4)),
    ],
)
def test_dates(text, order, day):
    assert read_temporal(text, DATE, order) == day


@pytest.mark.parametrize(
    "text", ["15/07/2026", "2026/07/15", "15 Jul 2026", "2026-07-15", "2026-07-01 09:30"]
)
def test_a_month_column_refuses_a_day_other_than_the_first(text):
    """Regression: 15/07/2026 in a Month column was silently read as July."""
    from portfolio.editing.fields import parse_month_value

    with pytest.raises(ValidationError, match="not the first of a month|a moment, not a month"):
        parse_month_value(read_temporal(text, MONTH, None), MONTH)


def test_a_date_that_reads_two_ways_needs_an_order():
    with pytest.raises(AmbiguousDate):
        read_temporal("03/04/2026", DATE, None)
    assert order_shown_by("13/04/2026") == "dmy"
    assert order_shown_by("04/13/2026") == "mdy"
    assert order_shown_by("03/04/2026") is None


@pytest.mark.parametrize(
    ("text", "order", "reason"),
    [
        ("15/07/2026", "mdy", "not a real date"),
        ("31/02/2026", None, "not a real date"),
        ("3/4/26", "dmy", "two-digit year"),
        ("Juli 2026", None, "not a month name"),
        ("07/2026", None, "a full date is needed"),
        ("next Tuesday", None, "is not a date"),
    ],
)
def test_refusals(text, order, reason):
    with pytest.raises(ValidationError, match=reason):
        read_temporal(text, DATE, order)


def test_date_and_time():
    assert read_temporal("15/07/2026 14:30", WHEN, None) == dt.datetime(2026, 7, 15, 14, 30)
    with pytest.raises(ValidationError, match="no such time"):
        read_temporal("15/07/2026 25:00", WHEN, None)


def test_header_matching_ignores_case_spacing_and_units():
    assert normal("  Spend_Budget (USD) ") == "spend budget"
    assert target_for_header(["client name", "PROGRAM", "Month", "forecast"]).entity == (
        "budget_line"
    )
    assert target_for_header(["Client", "Campaign", "Channel"]).entity == "campaign"
    assert target_for_header(["Client", "Opportunity", "Stage"]).entity == "opportunity"
    assert target_for_header(["Account", "Vertical", "Currency"]).entity == "client"
    # A report that merely names clients is not a client list.
    assert target_for_header(["Client", "Spend variance"]) is None


@pytest.mark.parametrize(
    ("kind", "value", "stored", "currency", "same"),
    [
        ("money", 1234.56, 123456, "USD", True),
        ("money", 1500, 150000, "USD", True),
        ("money", 1234.57, 123456, "USD", False),
        ("money", 0.1 + 0.2, 30, "USD", False),  # left to the core, which reads it as 0.30
        ("money", "1234.56", 123456, "USD", False),  # text always goes to the core
        ("money", 1500, 1500, "JPY", True),
        ("money", None, None, "USD", True),
        ("money", None, 5, "USD", False),
        ("count", 7, 7, None, True),
        ("month", dt.datetime(2026, 7, 1), 202607, None, True),
        ("date", dt.datetime(2026, 7, 1, 9, 30), dt.date(2026, 7, 1), None, False),
        ("date", dt.datetime(2026, 7, 1), dt.date(2026, 7, 1), None, True),
        ("bool", True, True, None, True),
        ("bool", 1, True, None, False),
        ("choice", "Email", "email", None, False),
    ],
)
def test_cells_equal_to_the_stored_value_are_recognised(kind, value, stored, currency, same):
    from portfolio.imports.plan import same_as_stored

    assert same_as_stored(kind, value, stored, currency) is same
