"""Typed columns and how their values become worksheet XML.

Every cell's type comes from its column, never from its value: a text column always
writes an inline string, so a client called ``=HYPERLINK(...)``, ``+1``, ``@SUM`` or
``#N/A`` is stored as those characters and no spreadsheet will ever evaluate it (the
inference openpyxl applies to plain values would turn ``=...`` into a formula and
``#N/A`` into an error). Money is written as the exact decimal text of its minor units
(no binary float on the way), dates and months as date serial numbers, and formulas
together with their result computed from the database, so a viewer that does not
recalculate still shows the right figures.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl.utils import get_column_letter

from portfolio.money import ISO_4217

#: Cell kinds a column can have.
KINDS = (
    "text",
    "money",
    "count",
    "decimal",
    "percent",
    "date",
    "month",
    "datetime",
    "bool",
    "formula",
)

#: Longest text Excel accepts in a cell; longer text would make Excel "repair" the file.
#: Entry refuses longer text (``portfolio.editing.fields.MAX_CELL_TEXT``); text stored
#: before that rule is cut and marked, and the import leaves a marked cell alone.
MAX_TEXT = 32767
_CUT = " [cut by the export: the full text of {:,} characters is in Portfolio]"
CUT_MARK = re.compile(
    r" \[cut by the export: the full text of ([\d,]+) characters is in Portfolio\]$"
)
#: The first day Excel shows right: its 1900 date system counts a 29 February 1900
#: that never was, so serial numbers before this day show the day before.
FIRST_EXCEL_DAY = dt.date(1900, 3, 1)

_EXCEL_EPOCH = dt.date(1899, 12, 30).toordinal()
# Characters that XML 1.0 cannot carry at all, and ones that need escaping. A carriage
# return is escaped as a character reference: a literal one would be read back as a
# line feed by every XML parser.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPECIAL = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape_text(text: str) -> str:
    """``text`` as XML character data that reads back as the same string.

    Characters XML cannot hold (NUL and other C0 controls) are replaced by U+FFFD.
    """
    if not _SPECIAL.search(text):
        return text
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\r", "&#13;")
    return _ILLEGAL.sub("\ufffd", text)


def cut_text(text: str) -> str:
    """``text`` cut to fit a cell, ending with a mark saying so (and how long it was)."""
    mark = _CUT.format(len(text))
    return text[: MAX_TEXT - len(mark)] + mark


def excel_text(text: str) -> str:
    """``text`` with the escapes of Office Open XML strings (ECMA-376 ST_Xstring):
    characters XML cannot carry are written ``_xHHHH_``, and a literal ``_xHHHH_`` in the
    text gets its underscore escaped (``_x005F_``), so Excel (and Portfolio's import)
    read back exactly ``text``."""
    if "_x" in text:
        text = _LITERAL_ESCAPE.sub("_x005F_", text)
    if _UNCARRIED.search(text):
        text = _UNCARRIED.sub(lambda match: f"_x{ord(match.group()):04X}_", text)
    return text


# The underscore that starts an escape-shaped run; a lookahead, so that runs sharing an
# underscore ("_x005F_x0041_") are each escaped.
_LITERAL_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
_UNCARRIED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def text_element(text: str) -> str:
    """The ``<t>`` element for ``text``, keeping leading and trailing spaces; see
    ``excel_text``. Text longer than a cell holds is cut and marked (``cut_text``)."""
    if len(text) > MAX_TEXT:
        text = cut_text(text)
    if "_x" in text or _SPECIAL.search(text):
        text = excel_text(text)
    if text and (text[0].isspace() or text[-1].isspace()):
        return f'<t xml:space="preserve">{escape_text(text)}</t>'
    if _SPECIAL.search(text):
        return f"<t>{escape_text(text)}</t>"
    return f"<t>{text}</t>"


def decimal_text(minor: int | Decimal, digits: int) -> str:
    """``123450, 2`` -> ``"1234.50"``: exact, by placing the decimal point in the digits.

    ``minor`` may be a whole ``Decimal`` (PostgreSQL sums big integers as NUMERIC).
    """
    if type(minor) is not int:
        whole_units = int(minor)
        if whole_units != minor:
            raise ValueError(f"{minor} is not a whole number of minor units")
        minor = whole_units
    if not digits:
        return str(minor)
    if minor < 0:
        return "-" + decimal_text(-minor, digits)
    text = str(minor)
    if len(text) <= digits:
        text = "0" * (digits + 1 - len(text)) + text
    return f"{text[:-digits]}.{text[-digits:]}"


def date_serial(day: dt.date) -> int:
    """Excel's serial number for ``day`` (1900 date system; right from March 1900 on)."""
    return day.toordinal() - _EXCEL_EPOCH


def datetime_serial(moment: dt.datetime) -> str:
    """Serial number with the time of day as a fraction, to the tenth of a millisecond."""
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second
    fraction = (Decimal(seconds) / 86400).quantize(Decimal("1e-10"))
    return str(date_serial(moment.date()) + fraction)


def month_serial(month: int) -> int:
    """Serial number of the first day of budget month ``YYYYMM``."""
    return date_serial(dt.date(month // 100, month % 100, 1))


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header, the kind of its cells and how they look.

    ``currency`` (money, and formulas with a money result) is either a fixed ISO code or
    the index of the row value holding each row's code. A ``formula`` is written with
    ``{r}`` standing for the row number; the row's value in that column is the result
    computed by Portfolio, stored as the formula's cached value. ``result`` is the kind
    of that value (money, percent, count, text).
    """

    header: str
    kind: str = "text"
    width: float = 14.0
    currency: str | int | None = None
    signed: bool = False
    formula: str | None = None
    result: str = "money"
    bold: bool = False
    wrap: bool = False
    size: int = 11

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")
        if self.kind == "formula" and not self.formula:
            raise ValueError(f"formula column {self.header!r} needs its formula")

    @property
    def fitted_width(self) -> float:
        """The width, widened to show the (bold) header in full."""
        return max(self.width, len(self.header) * 1.15 + 2)

    @property
    def value_kind(self) -> str:
        return self.result if self.kind == "formula" else self.kind


#: (number format, bold, wrap, font size) -> the workbook's style id for that look.
StyleLookup = Callable[[str | None, bool, bool, int], int]


def _number_format(column: Column, currency: str | None) -> str | None:
    from portfolio.exports import formats

    kind = column.value_kind
    if kind == "money":
        return formats.money(currency or "XXX", signed=column.signed)
    return {
        "count": formats.SIGNED_COUNT if column.signed else formats.COUNT,
        "decimal": formats.DECIMAL,
        "percent": formats.SIGNED_PERCENT if column.signed else formats.PERCENT,
        "date": formats.DATE,
        "month": formats.MONTH,
        "datetime": formats.DATETIME,
    }.get(kind)


Encoder = Callable[[object, Sequence, str], str]


def _style_attribute(style: int) -> str:
    return f' s="{style}"' if style else ""


def _plain_text(kind: str) -> Callable[[object], str]:
    """How a value of ``kind`` (anything but money) is spelled in the sheet XML."""
    if kind in ("text", "count"):
        return str
    if kind in ("decimal", "percent"):
        # Fixed point: str() of a Decimal may use an exponent ("1E+1").
        return lambda value: format(value, "f")
    if kind == "date":
        return lambda value: str(date_serial(value))  # type: ignore[arg-type]
    if kind == "month":
        serials: dict[object, str] = {}

        def month(value: object) -> str:
            text = serials.get(value)
            if text is None:
                text = serials[value] = str(month_serial(value))  # type: ignore[arg-type]
            return text

        return month
    if kind == "datetime":
        return datetime_serial  # type: ignore[return-value]
    if kind == "bool":
        return lambda value: "1" if value else "0"
    raise ValueError(f"unknown kind {kind!r}")


def compile_column(column: Column, letter: str, styles: StyleLookup) -> tuple[Encoder, bool]:
    """A function ``(value, row, row_number) -> "<c .../>"`` and whether it runs on None."""
    kind = column.value_kind

    def style_for(currency: str | None) -> str:
        number_format = _number_format(column, currency)
        return _style_attribute(styles(number_format, column.bold, column.wrap, column.size))

    styled_text: Callable[[object, Sequence], tuple[str, str]]
    if kind == "money":
        by_currency: dict[str, tuple[str, int]] = {}

        def styled_text(value: object, row: Sequence) -> tuple[str, str]:
            code = column.currency if isinstance(column.currency, str) else row[column.currency]
            parts = by_currency.get(code)
            if parts is None:
                parts = by_currency[code] = (style_for(code), ISO_4217.get(code, 2))
            return parts[0], decimal_text(value, parts[1])  # type: ignore[arg-type]

    else:
        fixed = style_for(None)
        spell = _plain_text(kind)

        def styled_text(value: object, row: Sequence) -> tuple[str, str]:
            return fixed, spell(value)

    if column.kind == "formula":
        return _formula_encoder(column, letter, kind, styled_text, style_for), True

    if kind in ("date", "month", "datetime"):
        return _temporal_encoder(column, letter, kind, styled_text), False

    if kind == "text":

        def encode_text(value: object, row: Sequence, r: str) -> str:
            text = text_element(str(value))
            return f'<c r="{letter}{r}"{fixed} t="inlineStr"><is>{text}</is></c>'

        return encode_text, False

    if kind == "money":
        return _money_encoder(column, letter, style_for), False

    kind_attribute = ' t="b"' if kind == "bool" else ""

    def encode_value(value: object, row: Sequence, r: str) -> str:
        style, text = styled_text(value, row)
        return f'<c r="{letter}{r}"{style}{kind_attribute}><v>{text}</v></c>'

    return encode_value, False


def _temporal_encoder(
    column: Column,
    letter: str,
    kind: str,
    styled_text: Callable[[object, Sequence], tuple[str, str]],
) -> Encoder:
    """Dates, months and times as serial numbers; before ``FIRST_EXCEL_DAY``, which Excel
    shows a day off or not at all, as ISO text (``1899-12-31``) that Excel shows as it is
    and the import reads back as the same date."""
    if kind == "month":
        first = FIRST_EXCEL_DAY.year * 100 + FIRST_EXCEL_DAY.month

        def iso(value: object) -> str | None:
            return f"{value // 100:04d}-{value % 100:02d}" if value < first else None  # type: ignore[operator]

    elif kind == "date":

        def iso(value: object) -> str | None:
            return value.isoformat() if value < FIRST_EXCEL_DAY else None  # type: ignore[attr-defined,operator]

    else:

        def iso(value: object) -> str | None:
            moment: dt.datetime = value  # type: ignore[assignment]
            return moment.isoformat(sep=" ") if moment.date() < FIRST_EXCEL_DAY else None

    def encode(value: object, row: Sequence, r: str) -> str:
        text = iso(value)
        if text is not None:
            return f'<c r="{letter}{r}" t="inlineStr"><is><t>{text}</t></is></c>'
        style, serial = styled_text(value, row)
        return f'<c r="{letter}{r}"{style}><v>{serial}</v></c>'

    return encode


def _money_encoder(column: Column, letter: str, style_for: Callable[[str | None], str]) -> Encoder:
    """Money cells, the bulk of a big workbook: the hot path, kept to one call per cell."""
    by_currency: dict[str, tuple[str, int]] = {}
    fixed = column.currency if isinstance(column.currency, str) else None
    index = column.currency if isinstance(column.currency, int) else 0

    def encode_money(value: object, row: Sequence, r: str) -> str:
        code = fixed or row[index]
        parts = by_currency.get(code)
        if parts is None:
            parts = by_currency[code] = (style_for(code), ISO_4217.get(code, 2))
        return f'<c r="{letter}{r}"{parts[0]}><v>{decimal_text(value, parts[1])}</v></c>'  # type: ignore[arg-type]

    return encode_money


def _formula_encoder(
    column: Column,
    letter: str,
    kind: str,
    styled_text: Callable[[object, Sequence], tuple[str, str]],
    style_for: Callable[[str | None], str],
) -> Encoder:
    """A formula cell holding Portfolio's result as its cached value.

    A text result, or no result (``None``: an empty text, as ``IF(...,"",...)`` gives),
    is marked ``t="str"``; a number needs no type.
    """
    template = escape_text(column.formula or "").lstrip("=")
    empty_style = style_for(column.currency if isinstance(column.currency, str) else None)

    def encode_formula(value: object, row: Sequence, r: str) -> str:
        formula = template.replace("{r}", r)
        if value is None:
            return f'<c r="{letter}{r}"{empty_style} t="str"><f>{formula}</f><v></v></c>'
        style, text = styled_text(value, row)
        if kind == "text":
            text = escape_text(text)
            return f'<c r="{letter}{r}"{style} t="str"><f>{formula}</f><v>{text}</v></c>'
        return f'<c r="{letter}{r}"{style}><f>{formula}</f><v>{text}</v></c>'

    return encode_formula


class RowEncoder:
    """Turns rows of plain values into ``<row>`` elements for a fixed list of columns."""

    def __init__(self, columns: Sequence[Column], styles: StyleLookup, first_column: int = 1):
        self.columns = tuple(columns)
        self.first_column = first_column
        compiled = [
            compile_column(column, get_column_letter(first_column + index), styles)
            for index, column in enumerate(self.columns)
        ]
        self._encoders = [encoder for encoder, _ in compiled]
        self._always = [always for _, always in compiled]

    def encode(self, row: Sequence, number: int) -> str:
        r = str(number)
        parts = [f'<row r="{r}">']
        append = parts.append
        for encoder, always, value in zip(self._encoders, self._always, row, strict=False):
            if value is not None or always:
                append(encoder(value, row, r))
        append("</row>")
        return "".join(parts)
