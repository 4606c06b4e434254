"""Typed dates: read in every unambiguous form, refused with a reason otherwise.

Pins issue 10 faults 4 and 5 at the core: ``2027-01-31`` typed into a date was dropped
(saved as no date) or replaced (saved as 2025-11-01).
"""

from __future__ import annotations

import datetime as dt

import pytest

from portfolio import dates
from portfolio.dates import DateTextError, read_date, read_datetime
from portfolio.editing.fields import FieldSpec, parse_plain
from portfolio.errors import ValidationError

END = FieldSpec("end_date", "End date", "date")


@pytest.fixture
def locale_us():
    dates.configure("M/d/yy")
    yield
    dates.configure(None)


@pytest.fixture
def locale_uk():
    dates.configure("dd/MM/yyyy", {"janvier": 1})
    yield
    dates.configure(None)


@pytest.mark.parametrize(
    "text",
    [
        "2027-01-31",
        "2027/01/31",
        "20270131",
        "31 Jan 2027",
        "31-Jan-2027",
        "31 January 2027",
        "Jan 31, 2027",
        "january 31 2027",
        " 2027-01-31 ",
        "2027-01-31T00:00:00",
    ],
)
def test_unambiguous_forms_read_the_same_day(text):
    assert read_date(text) == dt.date(2027, 1, 31)


def test_the_locale_short_form_is_read_in_its_own_order(locale_us):
    assert read_date("1/31/27") == dt.date(2027, 1, 31)
    assert read_date("1/31/2027") == dt.date(2027, 1, 31)
    with pytest.raises(DateTextError, match="this computer's form"):
        read_date("31/1/27")  # day first is not how this computer writes dates


def test_day_first_locale_and_its_month_names(locale_uk):
    assert read_date("31/01/2027") == dt.date(2027, 1, 31)
    assert read_date("03/04/2027") == dt.date(2027, 4, 3)
    assert read_date("31 janvier 2027") == dt.date(2027, 1, 31)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("03/04/2027", "day first or month first"),  # no locale order known: two dates
        ("31 Feb 2027", "not a real date"),
        ("31 Jan", "not a date"),  # no year: never filled in from today
        ("abc", "not a date"),
        ("2027-13-01", "not a real date"),
        ("31 Foo 2027", "not a month name"),
    ],
)
def test_what_is_not_one_date_is_refused_with_a_reason(text, reason):
    with pytest.raises(DateTextError, match=reason):
        read_date(text)


def test_a_field_refusal_names_the_field():
    with pytest.raises(ValidationError) as caught:
        parse_plain(END, "2027-02-30")
    assert str(caught.value).startswith("End date: ")
    assert parse_plain(END, "2027-01-31") == dt.date(2027, 1, 31)


def test_datetimes_take_the_same_day_forms_and_a_time():
    assert read_datetime("2027-01-31 14:30") == dt.datetime(2027, 1, 31, 14, 30)
    assert read_datetime("31 Jan 2027 14:30") == dt.datetime(2027, 1, 31, 14, 30)
    assert read_datetime("31 Jan 2027") == dt.datetime(2027, 1, 31)
    with pytest.raises(DateTextError, match="no such time"):
        read_datetime("31 Jan 2027 25:00")
