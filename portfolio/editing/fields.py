"""What each editable field is, and how a typed value becomes a stored one.

One description per field drives every way data comes in: the desktop app's cell editors
(which delegate to show), the importers (which header names and words to accept) and the
validation that refuses a bad value with a message naming the field. Parsing here takes
what a person or a spreadsheet gives: ``"1,234.50"``, ``Decimal``, a date or an ISO
string, a choice's label or stored value, a person's name.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from portfolio.dates import DateTextError, read_date, read_datetime
from portfolio.errors import ValidationError
from portfolio.model.vocab import Vocabulary
from portfolio.money import check_currency, exponent, to_minor
from portfolio.numbers import (
    AmbiguousNumber,
    CellPercent,
    NumberError,
    Reading,
    currency_matches,
    mark_of,
    read_number,
)
from portfolio.periods import is_valid_month
from portfolio.text import TextError, clean_block, clean_line

#: Field kinds. ``money`` is stored as minor units of the row's currency.
KINDS = (
    "text",
    "longtext",
    "money",
    "count",
    "integer",
    "date",
    "datetime",
    "month",
    "choice",
    "person",
    "bool",
    "percent",
    "rate",
    "currency",
    "reference",
)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str
    required: bool = False
    vocabulary: Vocabulary | None = None
    minimum: int | Decimal | None = None
    maximum: int | Decimal | None = None
    max_length: int | None = None
    #: For ``person`` fields: the role the person must have, if any.
    role: str | None = None
    #: For ``reference`` fields: the entity referred to.
    refers_to: str | None = None
    editable: bool = True
    #: Other header names importers accept for this field.
    aliases: tuple[str, ...] = ()
    #: A whole-number field that holds a percentage (Probability %): ``85 %`` and a
    #: cell formatted as a percentage are read as the percentage shown. Always true of
    #: ``percent`` fields.
    whole_percentage: bool = False

    @property
    def percentage(self) -> bool:
        return self.kind == "percent" or self.whole_percentage

    def refuse(self, message: str) -> ValidationError:
        return ValidationError(self.name, message, label=self.label)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


#: Spreadsheets hold numbers as binary floats, exact to 15 significant digits (Excel
#: shows and keeps no more); a stored amount or count must survive an export and
#: re-import, so entry refuses longer ones. In minor units for money.
DIGITS = 15
MAX_EXACT = 10**DIGITS


def parse_decimal_text(text: str, *, decimal_comma: bool | None = False) -> Decimal:
    """``"$1,234.50"``, ``"(1,234.50)"``, ``"1.234,50 €"`` (with ``decimal_comma``) -> Decimal.

    Read by ``portfolio.numbers.read_number`` (its docstring has the rules); a percent
    sign is refused here. Raises ``InvalidOperation`` for text that is not such a number.
    """
    try:
        reading = read_number(text, mark_of(decimal_comma))
    except NumberError:
        raise InvalidOperation(text) from None
    if reading.percent:
        raise InvalidOperation(text)
    return reading.value


def _read_text(
    value: Any, spec: FieldSpec, decimal_comma: bool | None, what: str = "a number"
) -> Reading:
    """A typed number, its refusal worded for ``spec`` and ``what`` it should be."""
    try:
        return read_number(str(value), mark_of(decimal_comma))
    except AmbiguousNumber as error:
        raise spec.refuse(
            f"{error}; choose the decimal mark (--decimal-comma or --decimal-point)"
        ) from None
    except NumberError as error:
        reason = str(error).replace("is not a number", f"is not {what}")
        if "decimal comma, not" in reason:
            reason += " (for 1.234,50 choose the decimal comma)"
        raise spec.refuse(reason) from None


def _refuse_percent(value: Any, spec: FieldSpec, what: str) -> ValidationError:
    return spec.refuse(f"{str(value).strip()!r} is a percentage, not {what}")


def parse_money(
    value: Any, currency: str, spec: FieldSpec, *, decimal_comma: bool | None = False
) -> int:
    """A typed amount in major units -> minor units of ``currency``.

    Text is read by ``portfolio.numbers`` with the given decimal mark (``decimal_comma``
    ``None``: the text must show it). A currency written beside the amount must be
    ``currency`` (Portfolio never converts what is typed); a percentage is no amount.
    """
    if isinstance(value, bool):
        raise spec.refuse(f"{value!r} is not an amount")
    if isinstance(value, CellPercent):
        raise _refuse_percent(value, spec, "an amount")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        # Spreadsheets hand over binary floats; accept one only if it is, to within a
        # rounding whisker, an amount the currency can hold.
        if not math.isfinite(value):
            raise spec.refuse(f"{value} is not an amount")
        places = Decimal(1).scaleb(-exponent(currency))
        amount = Decimal(repr(value)).quantize(Decimal("1e-9"))
        if abs(amount - amount.quantize(places)) > Decimal("1e-6"):
            raise spec.refuse(f"{value} has more than {exponent(currency)} decimals for {currency}")
        amount = amount.quantize(places)
    elif isinstance(value, Decimal):
        amount = value
    else:
        reading = _read_text(value, spec, decimal_comma, "an amount")
        if reading.percent:
            raise _refuse_percent(value, spec, "an amount")
        if reading.currency and not currency_matches(reading.currency, currency):
            raise spec.refuse(
                f"{str(value).strip()!r} is written in {reading.currency}, but the amounts "
                f"here are in {currency}; Portfolio does not convert typed amounts"
            )
        amount = reading.value
    try:
        minor = to_minor(amount, currency, spec.name)
    except ValidationError as error:
        raise spec.refuse(error.reason) from None
    if abs(minor) >= MAX_EXACT:
        raise spec.refuse(f"{amount} has more than {DIGITS} digits, more than a spreadsheet holds")
    return minor


def _number(value: Any, spec: FieldSpec, decimal_comma: bool | None) -> Decimal:
    """The number a count, integer, percent or rate cell means, exactly.

    A percentage (``85 %`` typed, or a cell formatted as a percentage holding 0.85) is
    accepted only for a percentage field, and means the percentage shown (85).
    """
    if isinstance(value, bool):
        raise spec.refuse(f"{value!r} is not a number")
    if isinstance(value, CellPercent):
        if not spec.percentage:
            raise _refuse_percent(value, spec, "a number of this kind")
        return value.percent
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise spec.refuse(f"{value} is not a number")
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise spec.refuse(f"{value} is not a number")
        return value
    reading = _read_text(value, spec, decimal_comma)
    if reading.currency:
        raise spec.refuse(f"{str(value).strip()!r} is an amount of money, not a number")
    if reading.percent and not spec.percentage:
        raise _refuse_percent(value, spec, "a number of this kind")
    return reading.value


def parse_int(value: Any, spec: FieldSpec, *, decimal_comma: bool | None = False) -> int:
    """A count or whole number. One with a fraction is refused, never rounded."""
    if type(value) is int:
        return _exact(value, spec)
    number = _number(value, spec, decimal_comma)
    if number != number.to_integral_value():
        shown = value if isinstance(value, int | float | Decimal) else _plain(number)
        raise spec.refuse(f"{shown} is not a whole number")
    return _exact(int(number), spec)


def _exact(number: int, spec: FieldSpec) -> int:
    if abs(number) >= MAX_EXACT:
        raise spec.refuse(f"{number} has more than {DIGITS} digits, more than a spreadsheet holds")
    return number


def _plain(number: Decimal) -> str:
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def parse_date(value: Any, spec: FieldSpec) -> dt.date:
    """Typed dates are read by ``portfolio.dates`` (one set of rules for every field)."""
    try:
        return read_date(value)
    except DateTextError as error:
        raise spec.refuse(str(error)) from None


def parse_datetime(value: Any, spec: FieldSpec) -> dt.datetime:
    try:
        return read_datetime(value)
    except DateTextError as error:
        raise spec.refuse(str(error)) from None


_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?")


def parse_month_value(value: Any, spec: FieldSpec) -> int:
    """A budget month ``YYYYMM`` from ``2026-07``, ``202607``, or a date on the first of the
    month (a date cell, ``2026-07-01``, ``2026-07-01 00:00:00`` as pandas and Google Sheets
    write it). A date on any other day is refused: it names no one month for sure.
    """
    if isinstance(value, dt.datetime):
        if value.time() != dt.time():
            raise spec.refuse(f"{value:%Y-%m-%d %H:%M} is a moment, not a month")
        value = value.date()
    if isinstance(value, dt.date):
        return _first_of_month(value, spec)
    if isinstance(value, int) and not isinstance(value, bool):
        month = value
    else:
        text = str(value).strip()
        match = re.fullmatch(r"(\d{4})-?(\d{1,2})", text)
        if match:
            month = int(match.group(1)) * 100 + int(match.group(2))
        elif day := _ISO_DAY.fullmatch(text):
            year, number, date_of_month = (int(part) for part in day.group(1, 2, 3))
            try:
                when = dt.date(year, number, date_of_month)
            except ValueError:
                raise spec.refuse(f"{value!r} is not a real date") from None
            if any(part and int(part) for part in day.group(4, 5, 6, 7)):
                raise spec.refuse(f"{value!r} is a moment, not a month")
            return _first_of_month(when, spec, text)
        else:
            raise spec.refuse(f"{value!r} is not a month (use YYYY-MM)")
    if not is_valid_month(month):
        raise spec.refuse(f"{value!r} is not a month (use YYYY-MM)")
    return month


def _first_of_month(day: dt.date, spec: FieldSpec, text: str | None = None) -> int:
    if day.day != 1:
        shown = repr(text) if text else day.isoformat()
        raise spec.refuse(
            f"{shown} is {day.day} {day:%B %Y}, not the first of a month; a month column "
            f"takes {day:%Y-%m} or {day:%Y-%m}-01"
        )
    month = day.year * 100 + day.month
    if not is_valid_month(month):
        raise spec.refuse(f"{day.isoformat()} is not a month Portfolio can hold")
    return month


def parse_bool(value: Any, spec: FieldSpec) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = str(value).strip().casefold()
    if text in ("yes", "y", "true", "1", "x", "✓"):
        return True
    if text in ("no", "n", "false", "0", ""):
        return False
    raise spec.refuse(f"{value!r} is not yes or no")


def parse_decimal(value: Any, spec: FieldSpec, *, decimal_comma: bool | None = False) -> Decimal:
    """A percentage or rate, exactly as written (``85``, ``85 %`` and ``85,0 %`` are 85)."""
    return _number(value, spec, decimal_comma)


#: The most characters a spreadsheet cell holds (Excel's limit; LibreOffice's is larger).
#: Longer multi-line text is refused at entry, so that every stored text survives an
#: export and re-import whole.
MAX_CELL_TEXT = 32767


def parse_text(value: Any, spec: FieldSpec) -> str | None:
    """Text for a ``text`` (one line: a name, a title) or ``longtext`` (notes) field.

    Cleaned by ``portfolio.text`` (NFC, whitespace, control characters refused). A date
    or a number where text belongs is refused: a spreadsheet turned what someone typed
    ("Mar-26", "1E5", "00123") into another value, and its text is lost. ``None`` when
    nothing is left.
    """
    if isinstance(value, dt.date | dt.time):
        shown = value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
        raise spec.refuse(
            f"is a date ({shown}), not text: the spreadsheet turned what was typed into a "
            "date; format the column as Text and type it again"
        )
    if isinstance(value, bool | int | float | Decimal | CellPercent):
        raise spec.refuse(
            f"is a number ({value}), not text: the spreadsheet turned what was typed into a "
            "number; format the column as Text and type it again"
        )
    try:
        text = clean_line(str(value)) if spec.kind == "text" else clean_block(str(value))
    except TextError as error:
        raise spec.refuse(str(error)) from None
    if not text:
        if spec.required:
            raise spec.refuse("is required")
        return None
    limit = spec.max_length or (MAX_CELL_TEXT if spec.kind == "longtext" else None)
    if limit and len(text) > limit:
        why = " (a spreadsheet cell holds no more)" if limit == MAX_CELL_TEXT else ""
        raise spec.refuse(f"is {len(text):,} characters long; the most is {limit:,}{why}")
    return text


def parse_plain(spec: FieldSpec, value: Any, *, decimal_comma: bool | None = False) -> Any:
    """Parse ``value`` for every kind that needs no context (not money, person, reference).

    Returns ``None`` for a blank value (the caller decides whether blank is allowed).
    ``decimal_comma`` is the decimal mark of typed numbers (``None``: the text shows it).
    """
    if is_blank(value):
        return None
    kind = spec.kind
    if kind in ("text", "longtext"):
        return parse_text(value, spec)
    if kind in ("count", "integer"):
        number = parse_int(value, spec, decimal_comma=decimal_comma)
    elif kind in ("percent", "rate"):
        number = parse_decimal(value, spec, decimal_comma=decimal_comma)
        if not number.is_finite():
            raise spec.refuse(f"{value!r} is not a number")
        if kind == "rate" and len(number.normalize().as_tuple().digits) > 15:
            raise spec.refuse("has more than 15 significant digits")
        if kind == "percent" and number != number.quantize(Decimal("0.01")):
            # Stored with two decimals (NUMERIC(5, 2)): PostgreSQL would round the rest.
            raise spec.refuse(f"{_plain(number)} has more than 2 decimals")
    elif kind == "date":
        return parse_date(value, spec)
    elif kind == "datetime":
        return parse_datetime(value, spec)
    elif kind == "month":
        return parse_month_value(value, spec)
    elif kind == "bool":
        return parse_bool(value, spec)
    elif kind == "choice":
        assert spec.vocabulary is not None
        found = spec.vocabulary.lookup(str(value))
        if found is None:
            options = ", ".join(label for _, label in spec.vocabulary.choices)
            raise spec.refuse(f"{value!r} is not one of: {options}")
        return found
    elif kind == "currency":
        try:
            return check_currency(str(value), spec.name)
        except ValidationError as error:
            raise spec.refuse(error.reason) from None
    else:
        raise ValueError(f"{spec.name}: kind {kind!r} needs context to parse")
    if spec.minimum is not None and number < spec.minimum:
        raise spec.refuse(
            "cannot be negative" if spec.minimum == 0 else f"must be at least {spec.minimum}"
        )
    if spec.maximum is not None and number > spec.maximum:
        raise spec.refuse(f"must be at most {spec.maximum}")
    return number
