"""The rows of one worksheet of an .xlsx package, read as the person saw them.

openpyxl opens the package (workbook, styles, shared strings); the rows are read here
with openpyxl's streaming XML parser (``openpyxl.xml.functions.iterparse``, defused)
rather than with ``ReadOnlyWorksheet.iter_rows``, for what that API cannot tell or costs:

* Only the rows the file holds are yielded, with their numbers. ``iter_rows`` makes up
  every missing row up to the last one: one styled empty cell in row 1,048,576 cost a
  million empty rows and 40 seconds. Here it costs one row.
* A formula cell without a saved result is ``UNCOMPUTED`` and an error cell a
  ``CellError``, found in the same pass, whether or not the cell has its optional ``r``
  attribute; ``iter_rows`` reads both as blank or as text.
* A number in a cell formatted as a percentage is a ``CellPercent``: the cell holds 0.85
  and shows 85 %, and 85 is what the person typed.
* Rows hidden in the sheet (by a filter or by hand) are collected in ``hidden_rows``,
  and whether the sheet is filtered in ``filtered``.
* Text escapes of the Office Open XML format (``_x000D_`` for a carriage return,
  ``_x005F_`` for a literal underscore before ``x``; ECMA-376 Part 1, 22.9.2.19
  ST_Xstring) are decoded, so text written by Excel reads back as it was typed.

It relies on three openpyxl internals, stable since openpyxl 3.0: a read-only sheet's
``_worksheet_path``, the workbook's ``_archive``, and its style tables (``_cell_styles``,
``_number_formats``, ``_date_formats``, ``_timedelta_formats``). The import tests read
real files from Excel, LibreOffice and openpyxl, so a change there fails loudly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from portfolio.imports.formulas import UNCOMPUTED, CellError
from portfolio.numbers import CellPercent

_ROW = f"{{{SHEET_MAIN_NS}}}row"
_VALUE = f"{{{SHEET_MAIN_NS}}}v"
_FORMULA = f"{{{SHEET_MAIN_NS}}}f"
_INLINE = f"{{{SHEET_MAIN_NS}}}is"
_TEXT = f"{{{SHEET_MAIN_NS}}}t"
_RUN = f"{{{SHEET_MAIN_NS}}}r"
_SHEET_PR = f"{{{SHEET_MAIN_NS}}}sheetPr"
_TRUE = ("1", "true")

_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def unescape(text: str) -> str:
    """Decode ``_xHHHH_`` escapes (ECMA-376 ST_Xstring) in text read from a sheet."""
    if "_x" not in text:
        return text
    decoded = _ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)
    if any("\ud800" <= char <= "\udfff" for char in decoded):  # escaped UTF-16 pairs
        decoded = decoded.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return decoded


def is_percent_format(code: str | None) -> bool:
    """Whether an Excel number format shows its number times 100 (a ``%`` outside
    quoted text, escapes and ``[...]`` sections)."""
    return bool(code) and "%" in _QUOTED.sub("", code)  # type: ignore[operator]


def percent_styles(book) -> frozenset[int]:
    """Style ids of ``book`` whose number format is a percentage."""
    custom = list(getattr(book, "_number_formats", []))
    found = set()
    for index, style in enumerate(getattr(book, "_cell_styles", [])):
        number = style.numFmtId
        if number >= BUILTIN_FORMATS_MAX_SIZE and number - BUILTIN_FORMATS_MAX_SIZE < len(custom):
            code = custom[number - BUILTIN_FORMATS_MAX_SIZE]
        else:
            code = BUILTIN_FORMATS.get(number)
        if is_percent_format(code):
            found.add(index)
    return frozenset(found)


_COLUMNS: dict[str, int] = {}


def _column(letters: str) -> int:
    index = _COLUMNS.get(letters)
    if index is None:
        index = 0
        for letter in letters.upper():
            index = index * 26 + ord(letter) - 64
        _COLUMNS[letters] = index
    return index


class SheetRows:
    """Reads one worksheet; ``rows(first)`` may be called again (each call re-reads)."""

    def __init__(self, book, worksheet, strings: list[str], max_columns: int) -> None:
        self.book = book
        self.path = worksheet._worksheet_path
        self.strings = strings
        self.max_columns = max_columns
        self.epoch = book.epoch
        self.date_styles = frozenset(book._date_formats)
        self.timedelta_styles = frozenset(book._timedelta_formats)
        self.percent_styles = percent_styles(book)
        #: Row numbers hidden in the sheet, gathered as rows are read.
        self.hidden_rows: set[int] = set()
        #: The sheet has an active filter (``sheetPr filterMode``), once read that far.
        self.filtered = False

    def rows(self, first: int = 1) -> Iterator[tuple[int, tuple]]:
        """``(row number, values)`` of the rows the sheet holds, from row ``first`` on."""
        with self.book._archive.open(self.path) as source:
            number = 0
            for _, element in iterparse(source):
                tag = element.tag
                if tag == _ROW:
                    given = element.get("r")
                    number = int(float(given)) if given is not None else number + 1
                    if element.get("hidden") in _TRUE:
                        self.hidden_rows.add(number)
                    if number >= first:
                        yield number, self._values(element)
                    element.clear()
                elif tag == _SHEET_PR:
                    self.filtered = element.get("filterMode") in _TRUE

    def _values(self, row) -> tuple:
        values: list = []
        column = 0
        limit = self.max_columns
        for cell in row:
            given = cell.get("r")
            if given is not None:
                column = _column(given.rstrip("0123456789"))
            else:
                column += 1
            if column > limit:
                break
            gap = column - 1 - len(values)
            if gap > 0:
                values.extend([None] * gap)
            elif gap < 0:  # a cell given twice or out of order: the file is damaged
                raise ValueError(f"cell {given or column} of row is out of order")
            values.append(self._value(cell))
        return tuple(values)

    def _value(self, cell):
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            inline = cell.find(_INLINE)
            return None if inline is None else _inline_text(inline)
        value = cell.findtext(_VALUE)
        if not value:
            if cell.find(_FORMULA) is not None:
                if kind == "str" and cell.find(_VALUE) is not None:
                    return None  # a formula whose result is the empty string
                return UNCOMPUTED
            return None
        if kind == "n":
            number = float(value) if ("." in value or "E" in value or "e" in value) else int(value)
            style = cell.get("s")
            if style is not None:
                style_id = int(style)
                if style_id in self.percent_styles:
                    return CellPercent(number)
                if style_id in self.date_styles:
                    try:
                        return from_excel(
                            number, self.epoch, timedelta=style_id in self.timedelta_styles
                        )
                    except (OverflowError, ValueError):
                        return CellError("#VALUE!")
            return number
        if kind == "s":
            return self.strings[int(value)]
        if kind == "str":
            return unescape(value)
        if kind == "b":
            return value not in ("0", "false")
        if kind == "e":
            return CellError(value)
        if kind == "d":
            return from_ISO8601(value)
        return value


def _inline_text(inline) -> str:
    parts = []
    for child in inline:
        if child.tag == _TEXT:
            parts.append(child.text or "")
        elif child.tag == _RUN:
            parts.append(child.findtext(_TEXT) or "")
    return unescape("".join(parts))


def read_shared_strings(source) -> list[str]:
    """The shared string table, with ``_xHHHH_`` escapes decoded exactly once."""
    strings = []
    item = f"{{{SHEET_MAIN_NS}}}si"
    for _, element in iterparse(source):
        if element.tag == item:
            strings.append(_inline_text(element))
            element.clear()
    return strings
