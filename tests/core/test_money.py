from decimal import Decimal

import pytest

from portfolio.editing.fields import FieldSpec, parse_decimal_text, parse_money
from portfolio.errors import ValidationError
from portfolio.money import check_currency, format_money, from_minor, spread, to_minor


def test_minor_units_follow_the_currency():
    assert to_minor("12.34", "USD") == 1234
    assert to_minor("1234", "JPY") == 1234
    assert to_minor("1.234", "KWD") == 1234
    assert from_minor(1234, "USD") == Decimal("12.34")
    assert from_minor(-5, "USD") == Decimal("-0.05")
    assert from_minor(1234, "JPY") == Decimal("1234")


def test_an_amount_the_currency_cannot_hold_is_refused_not_rounded():
    with pytest.raises(ValidationError, match="more than 2 decimal places for USD"):
        to_minor("12.345", "USD")
    with pytest.raises(ValidationError, match="more than 0 decimal places for JPY"):
        to_minor("10.5", "JPY")


def test_unknown_currency_is_refused_with_the_field_named():
    assert check_currency(" eur ") == "EUR"
    with pytest.raises(ValidationError) as caught:
        check_currency("XYZ")
    assert "Currency" in str(caught.value) and "XYZ" in str(caught.value)


@pytest.mark.parametrize(
    ("minor", "currency", "shown"),
    [
        (123456789, "USD", "$1,234,567.89"),
        (-1234550, "USD", "-$12,345.50"),
        (5000, "JPY", "¥5,000"),
        (99, "EUR", "€0.99"),
        (1000, "SEK", "10.00 SEK"),
    ],
)
def test_format_money(minor, currency, shown):
    assert format_money(minor, currency) == shown


@pytest.mark.parametrize(("total", "parts"), [(10000, 3), (1, 4), (-10001, 3), (0, 2), (7, 7)])
def test_spread_adds_up_to_the_cent(total, parts):
    pieces = spread(total, parts)
    assert sum(pieces) == total
    assert len(pieces) == parts
    assert max(pieces) - min(pieces) <= 1


def test_spread_gives_the_remainder_to_the_first_months():
    assert spread(10000, 3) == [3334, 3333, 3333]


@pytest.mark.parametrize(
    ("text", "comma", "value"),
    [
        ("$1,234.50", False, Decimal("1234.50")),
        ("(1,234.50)", False, Decimal("-1234.50")),
        ("-1234.5", False, Decimal("-1234.5")),
        ("1.234,50 €", True, Decimal("1234.50")),
        ("1 234,50", True, Decimal("1234.50")),
        ("USD 99", False, Decimal("99")),
        ("12", False, Decimal("12")),
    ],
)
def test_money_text_as_people_type_it(text, comma, value):
    assert parse_decimal_text(text, decimal_comma=comma) == value


@pytest.mark.parametrize("text", ["1,5", "12,34,567", "abc", "1.2.3", "--5", ""])
def test_ambiguous_or_broken_money_text_is_refused(text):
    spec = FieldSpec("spend_budget", "Spend budget", "money")
    with pytest.raises(ValidationError) as caught:
        parse_money(text, "USD", spec)
    assert str(caught.value).startswith("Spend budget:")


def test_spreadsheet_floats_are_accepted_only_when_they_are_whole_cents():
    spec = FieldSpec("spend_actual", "Spend actual", "money")
    assert parse_money(1234.5, "USD", spec) == 123450
    assert parse_money(0.1 + 0.2, "USD", spec) == 30
    with pytest.raises(ValidationError, match="more than 2 decimals"):
        parse_money(1.005001, "USD", spec)
