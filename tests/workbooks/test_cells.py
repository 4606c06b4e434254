"""Typed columns to worksheet XML: exact money, inert and faithful text."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from xml.etree import ElementTree

import openpyxl
import pytest

from portfolio.exports import formats
from portfolio.exports.cells import (
    CUT_MARK,
    MAX_TEXT,
    Column,
    decimal_text,
    escape_text,
    text_element,
)
from portfolio.exports.streamed_sheet import StreamedSheet


@pytest.mark.parametrize(
    ("minor", "digits", "text"),
    [
        (123450, 2, "1234.50"),
        (-5, 2, "-0.05"),
        (0, 2, "0.00"),
        (-1234567, 0, "-1234567"),
        (1, 3, "0.001"),
        (Decimal(250), 2, "2.50"),
        (10**20 + 1, 2, "1000000000000000000.01"),
    ],
)
def test_money_is_spelled_exactly(minor, digits, text):
    assert decimal_text(minor, digits) == text


def test_fractional_minor_units_are_refused():
    with pytest.raises(ValueError):
        decimal_text(Decimal("1.5"), 2)


@pytest.mark.parametrize(
    "text",
    ["\rstarts with CR", "tab\there", "a < b & c > d", "  spaced  ", "line\nbreak", "ünï €"],
)
def test_text_survives_an_xml_parser_unchanged(text):
    element = ElementTree.fromstring(f"<is>{text_element(text)}</is>")
    assert element.find("t").text == text


def test_characters_xml_cannot_carry_are_replaced_not_dropped():
    assert escape_text("a\x00b\x1fc") == "a\ufffdb\ufffdc"


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("a\x01b", "a_x0001_b"),
        ("literal _x0041_ stays", "literal _x005F_x0041_ stays"),
        ("\ufffe", "_xFFFE_"),
    ],
)
def test_cell_text_uses_the_formats_own_escapes(text, written):
    """Regression: control characters were replaced by U+FFFD and a literal _x0041_ was
    read by Excel as 'A'; both now read back as written (ECMA-376 ST_Xstring)."""
    from portfolio.imports.sheet_reader import unescape

    element = ElementTree.fromstring(f"<is>{text_element(text)}</is>")
    assert element.find("t").text == written
    assert unescape(written) == text


def test_text_longer_than_excel_allows_is_cut_and_says_how_long_it_is():
    element = ElementTree.fromstring(f"<is>{text_element('x' * (MAX_TEXT + 10))}</is>")
    text = element.find("t").text
    assert len(text) == MAX_TEXT
    assert CUT_MARK.search(text).group(1) == f"{MAX_TEXT + 10:,}"


def test_formats_carry_the_currency_and_its_decimals():
    assert formats.money("USD") == "[$$-409]#,##0.00"
    assert formats.money("JPY") == "[$¥-411]#,##0"
    assert formats.money("KWD") == '#,##0.000 "KWD"'
    assert formats.money("EUR", signed=True) == (
        "+#,##0.00 [$€-1];-#,##0.00 [$€-1];#,##0.00 [$€-1]"
    )


def test_every_kind_reads_back_as_its_type(tmp_path):
    book = openpyxl.Workbook(write_only=True)
    sheet = StreamedSheet(book, "Kinds")
    book._add_sheet(sheet)
    columns = [
        Column("text"),
        Column("money", "money", currency=7),
        Column("count", "count"),
        Column("pct", "percent"),
        Column("date", "date"),
        Column("month", "month"),
        Column("when", "datetime"),
        Column("currency"),
        Column("flag", "bool"),
        Column("twice", "formula", formula="=B{r}*2", currency=7),
        Column("word", "formula", formula='=IF(B{r}>0,"up","down")', result="text"),
    ]
    row = [
        "=1+1",
        -123456,
        42,
        Decimal("0.125"),
        dt.date(2026, 7, 4),
        202607,
        dt.datetime(2026, 7, 4, 13, 30, 15),
        "JPY",
        True,
        -246912,
        "down",
    ]
    sheet.write(sheet.encoder(columns), [row])
    book.save(tmp_path / "kinds.xlsx")
    read = openpyxl.load_workbook(tmp_path / "kinds.xlsx")["Kinds"]
    cells = list(read.iter_rows())[0]
    assert [cell.data_type for cell in cells] == ["s", "n", "n", "n", "d", "d", "d", "s", "b"] + [
        "f",
        "f",
    ]
    assert cells[0].value == "=1+1"
    assert cells[1].value == -123456 and cells[1].number_format == formats.money("JPY")
    assert cells[3].value == 0.125
    assert cells[4].value == dt.datetime(2026, 7, 4)
    assert cells[5].value == dt.datetime(2026, 7, 1) and cells[5].number_format == "mmm yyyy"
    assert cells[6].value == dt.datetime(2026, 7, 4, 13, 30, 15)
    assert cells[8].value is True
    assert cells[9].value == "=B1*2"
    cached = openpyxl.load_workbook(tmp_path / "kinds.xlsx", data_only=True)["Kinds"]
    assert cached["J1"].value == -246912 and cached["K1"].value == "down"
