"""The number reader and name cleaning, over many generated values (Hypothesis).

The properties are the rules of ``portfolio.numbers`` and ``portfolio.text``: any
amount written in any supported style reads back as itself when its decimal mark is
known, and when it is not, it reads as itself or is refused as ambiguous, never as
another number; a clean name is a fixed point and every invisible difference between
two spellings of a name disappears in its key.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from portfolio.editing import entity
from portfolio.editing.fields import parse_int, parse_money, parse_plain
from portfolio.errors import ValidationError
from portfolio.numbers import (
    COMMA,
    POINT,
    AmbiguousNumber,
    CellPercent,
    NumberError,
    decimal_mark_shown_by,
    read_number,
)
from portfolio.text import TextError, clean_block, clean_line, name_key

SPACES = [" ", "\u00a0", "\u202f", "\u2009", "\u2007"]
SIGNS_BEFORE = ["$", "€", "£", "USD ", "EUR", "zł "]
SIGNS_AFTER = [" €", "€", " zł", " USD", "\u00a0€"]


def written(value: Decimal, places: int, style: dict) -> str:
    """``value`` as a person or a spreadsheet in ``style`` would write it."""
    mark, group = style["mark"], style["group"]
    decimal_char = "." if mark == POINT else ","
    digits = f"{abs(value):.{places}f}"
    whole, _, fraction = digits.partition(".")
    if group is not None:
        groups = []
        while len(whole) > 3:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        whole = group.join([whole, *groups])
    text = whole + (decimal_char + fraction if fraction else "")
    currency = style["currency"]
    if currency and currency[0] == "before":
        text = currency[1] + text
    elif currency:
        text = text + currency[1]
    if value < 0:
        text = {
            "lead": f"-{text}",
            "minus": f"\u2212{text}",
            "trail": f"{text}-",
            "parens": f"({text})",
        }[style["negative"]]
    return style["pad"] + text + style["pad"]


def styles(mark: str) -> st.SearchStrategy[dict]:
    groups = [None, *SPACES, "'", "," if mark == POINT else "."]
    return st.fixed_dictionaries(
        {
            "mark": st.just(mark),
            "group": st.sampled_from(groups),
            "currency": st.one_of(
                st.none(),
                st.tuples(st.just("before"), st.sampled_from(SIGNS_BEFORE)),
                st.tuples(st.just("after"), st.sampled_from(SIGNS_AFTER)),
            ),
            "negative": st.sampled_from(["lead", "minus", "trail", "parens"]),
            "pad": st.sampled_from(["", " ", "\u00a0"]),
        }
    )


amounts = st.decimals(
    min_value=Decimal("-9999999999999.99"),
    max_value=Decimal("9999999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


@settings(max_examples=400, deadline=None)
@given(value=amounts, places=st.sampled_from([0, 1, 2]), data=st.data())
@example(value=Decimal("16700"), places=0, data=None)
def test_any_amount_in_any_style_reads_back_as_itself(value, places, data):
    value = value.quantize(Decimal(1).scaleb(-places))
    for mark in (POINT, COMMA):
        style = (
            data.draw(styles(mark))
            if data
            else {
                "mark": mark,
                "group": "," if mark == POINT else ".",
                "currency": None,
                "negative": "lead",
                "pad": "",
            }
        )
        text = written(value, places, style)
        assert read_number(text, mark).value == value, text
        # With the mark unknown: the right number, or refused; never another number.
        try:
            assert read_number(text, None).value == value, text
        except AmbiguousNumber:
            assert decimal_mark_shown_by(text) is None
        shown = decimal_mark_shown_by(text)
        assert shown in (None, mark), text


@settings(max_examples=300, deadline=None)
@given(
    value=st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2),
    mark=st.sampled_from([POINT, COMMA]),
    data=st.data(),
)
def test_amounts_read_by_the_field_are_the_minor_units_written(value, mark, data):
    style = data.draw(styles(mark))
    style["currency"] = None
    spec = entity("budget_line").field("spend_actual")
    text = written(value, 2, style)
    assert parse_money(text, "EUR", spec, decimal_comma=mark == COMMA) == int(value * 100)


@settings(max_examples=200, deadline=None)
@given(
    whole=st.integers(min_value=0, max_value=10**12),
    fraction=st.integers(min_value=1, max_value=9),
    mark=st.sampled_from([POINT, COMMA]),
)
def test_a_count_with_a_fraction_is_refused_never_rounded(whole, fraction, mark):
    spec = entity("budget_line").field("responses")
    text = f"{whole}{'.' if mark == POINT else ','}{fraction}"
    with pytest.raises(ValidationError, match="not a whole number"):
        parse_int(text, spec, decimal_comma=mark == COMMA)


@settings(max_examples=200, deadline=None)
@given(percent=st.integers(min_value=0, max_value=10000), mark=st.sampled_from([POINT, COMMA]))
def test_a_percentage_means_the_same_however_it_arrives(percent, mark):
    value = Decimal(percent) / 100
    spec = entity("campaign").field("persistency_pct")
    comma = mark == COMMA
    plain = f"{value:f}".replace(".", "," if comma else ".")
    cell = CellPercent(float(value / 100))  # the float nearest the cell's decimal value
    forms = [plain, f"{plain}%", f"{plain} %", f"{plain}\u00a0%", cell]
    forms.append(CellPercent(percent / 10000))
    for form in forms:
        parsed = parse_plain(spec, form, decimal_comma=comma)
        if value <= 100:
            assert parsed == value, form
    assert parse_plain(spec, value, decimal_comma=comma) == value


@pytest.mark.parametrize(
    ("text", "mark", "why"),
    [
        ("12,34,567", POINT, "grouping"),
        ("1.2.3", None, "grouping"),
        ("--5", POINT, "more than one sign"),
        ("(5-)", POINT, "more than one sign"),
        ("$5 €", POINT, "twice"),
        ("5 % $", POINT, "both a percentage and an amount"),
        ("1.234,50", POINT, "decimal comma, not a decimal point"),
        ("1e5", POINT, "not a number"),
        ("abc 5", POINT, "no currency"),
    ],
)
def test_numbers_that_are_not_well_formed_are_refused(text, mark, why):
    with pytest.raises(NumberError, match=why):
        read_number(text, mark)


def test_an_amount_in_another_currency_is_refused_not_converted():
    spec = entity("budget_line").field("spend_actual")
    with pytest.raises(ValidationError, match="written in €, but the amounts here are in USD"):
        parse_money("€12.50", "USD", spec)
    assert parse_money("US$12.50", "USD", spec) == 1250
    assert parse_money("CHF 12.50", "CHF", spec) == 1250


# -- names ---------------------------------------------------------------------------

WHITESPACE = [" ", "  ", "\t", "\u00a0", "\u202f", "\u2009", "\u3000", "\n", " \u00a0 "]
words = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp", "Cf", "Co", "Cn"),
        blacklist_characters="\ufffe\uffff",
    ),
    min_size=1,
    max_size=12,
).filter(lambda word: word.strip() == word and not any(c.isspace() for c in word))


@settings(max_examples=400, deadline=None)
@given(parts=st.lists(words, min_size=1, max_size=5), data=st.data())
def test_a_name_spelt_with_any_whitespace_and_either_normal_form_has_one_key(parts, data):
    canonical = " ".join(parts)
    gaps = [data.draw(st.sampled_from(WHITESPACE)) for _ in parts[1:]]
    messy = data.draw(st.sampled_from(["", " ", "\u00a0", "\u200b"]))
    for part, gap in zip(parts, [*gaps, ""], strict=True):
        messy += part + gap
    messy += data.draw(st.sampled_from(["", " ", "\u202f"]))
    decomposed = unicodedata.normalize("NFD", messy)
    clean = clean_line(decomposed)
    assert clean == clean_line(clean)  # a fixed point
    assert clean == unicodedata.normalize("NFC", clean)
    assert clean == clean.strip() and "  " not in clean
    assert not any(c.isspace() and c != " " for c in clean)
    assert name_key(decomposed) == name_key(canonical) == name_key(clean)
    assert name_key(canonical.upper()) == name_key(canonical.lower()) or not canonical.isascii()


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\ud800", "\uffff"])
def test_control_characters_are_refused_naming_the_field(char):
    with pytest.raises(TextError, match="control character"):
        clean_line(f"Acme{char}Ltd")
    with pytest.raises(TextError, match="control character"):
        clean_block(f"Notes{char}here")
    spec = entity("client").field("name")
    with pytest.raises(ValidationError, match=r"^Client: holds the control character"):
        parse_plain(spec, f"Acme{char}Ltd")


def test_notes_keep_their_line_breaks_and_tabs():
    assert clean_block("\nfirst line\r\n\tsecond\n") == "first line\r\n\tsecond"


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (__import__("datetime").datetime(2026, 3, 26), "a date (2026-03-26 00:00:00)"),
        (__import__("datetime").date(2026, 3, 26), "a date (2026-03-26)"),
        (12345, "a number (12345)"),
        (1.5e20, "a number"),
    ],
)
def test_a_date_or_number_where_a_name_belongs_is_refused(value, kind):
    spec = entity("campaign").field("name")
    with pytest.raises(ValidationError, match="^" + re.escape(f"Campaign: is {kind}")):
        parse_plain(spec, value)
