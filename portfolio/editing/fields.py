"""What each editable field is, and how a typed value becomes a stored one.

One description per field drives every way data comes in: the desktop app's cell editors
(which delegate to show), the importers (which header names and words to accept) and the
validation that refuses a bad value with a message naming the field. Parsing here takes
what a person or a spreadsheet gives: ``"1,234.50"``, ``Decimal``, a date or an ISO
string, a choice's label or stored value, a person's name.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from portfolio.dates import DateTextError, read_date, read_datetime
from portfolio.errors import ValidationError
from portfolio.model.vocab import Vocabulary
from portfolio.money import check_currency, exponent, to_minor
from portfolio.periods import is_valid_month

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

    def refuse(self, message: str) -> ValidationError:
        return ValidationError(self.name, message, label=self.label)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_MONEY_TEXT = re.compile(r"^[\d.,' ]*\d[\d.,' ]*$")
_CURRENCY_MARKS = "$€£¥₹₩₽"


def parse_decimal_text(text: str, *, decimal_comma: bool = False) -> Decimal:
    """``"$1,234.50"``, ``"(1,234.50)"``, ``"1.234,50 €"`` (with ``decimal_comma``) -> Decimal.

    Currency symbols and codes around the number are dropped; grouping separators are
    accepted only where they group thousands, so ``"1,5"`` is not silently read as 15.
    One sign at most: a leading or trailing minus, or accounting parentheses.
    """
    raw = text.replace("\u00a0", " ").replace("\u202f", " ").strip()
    negative = False
    if raw.startswith("(") and raw.endswith(")"):
        negative, raw = True, raw[1:-1].strip()
    raw = re.sub(r"^[A-Za-z]{3}\s*|\s*[A-Za-z]{3}$", "", raw).strip()  # ISO code
    raw = raw.replace("zł", "").strip(_CURRENCY_MARKS + " ")
    signs = 0
    if raw[:1] in ("-", "+"):
        signs, negative = signs + 1, negative or raw[0] == "-"
        raw = raw[1:].strip(_CURRENCY_MARKS + " ")
    if raw[-1:] == "-":
        signs, negative = signs + 1, True
        raw = raw[:-1].strip()
    if signs > 1 or (signs and text.strip().startswith("(")) or not _MONEY_TEXT.match(raw):
        raise InvalidOperation(text)
    decimal_mark, group_mark = (",", ".") if decimal_comma else (".", ",")
    whole, _, fraction = raw.rpartition(decimal_mark) if decimal_mark in raw else (raw, "", "")
    if decimal_mark in fraction or group_mark in fraction or " " in fraction:
        raise InvalidOperation(text)
    groups = re.split(rf"[{re.escape(group_mark)}' ]", whole)
    if len(groups) > 1 and (not groups[0] or any(len(g) != 3 for g in groups[1:])):
        raise InvalidOperation(text)
    value = Decimal("".join(groups) + ("." + fraction if fraction else ""))
    return -value if negative else value


def parse_money(value: Any, currency: str, spec: FieldSpec, *, decimal_comma: bool = False) -> int:
    """A typed amount in major units -> minor units of ``currency``."""
    if isinstance(value, bool):
        raise spec.refuse(f"{value!r} is not an amount")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        # Spreadsheets hand over binary floats; accept one only if it is, to within a
        # rounding whisker, an amount the currency can hold.
        places = Decimal(1).scaleb(-exponent(currency))
        amount = Decimal(repr(value)).quantize(Decimal("1e-9"))
        if abs(amount - amount.quantize(places)) > Decimal("1e-6"):
            raise spec.refuse(f"{value} has more than {exponent(currency)} decimals for {currency}")
        amount = amount.quantize(places)
    elif isinstance(value, Decimal):
        amount = value
    else:
        try:
            amount = parse_decimal_text(str(value), decimal_comma=decimal_comma)
        except InvalidOperation:
            raise spec.refuse(f"{value!r} is not an amount") from None
    try:
        minor = to_minor(amount, currency, spec.name)
    except ValidationError as error:
        raise spec.refuse(error.reason) from None
    return minor


def parse_int(value: Any, spec: FieldSpec) -> int:
    if isinstance(value, bool):
        raise spec.refuse(f"{value!r} is not a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        if value != int(value):
            raise spec.refuse(f"{value} is not a whole number")
        return int(value)
    text = str(value).strip().replace(",", "").replace("\u00a0", "").replace(" ", "")
    if not re.fullmatch(r"[+-]?\d+", text):
        raise spec.refuse(f"{value!r} is not a whole number")
    return int(text)


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


def parse_month_value(value: Any, spec: FieldSpec) -> int:
    if isinstance(value, dt.date):
        return value.year * 100 + value.month
    if isinstance(value, int) and not isinstance(value, bool):
        month = value
    else:
        match = re.fullmatch(r"(\d{4})-?(\d{1,2})", str(value).strip())
        if not match:
            raise spec.refuse(f"{value!r} is not a month (use YYYY-MM)")
        month = int(match.group(1)) * 100 + int(match.group(2))
    if not is_valid_month(month):
        raise spec.refuse(f"{value!r} is not a month (use YYYY-MM)")
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


def parse_decimal(value: Any, spec: FieldSpec) -> Decimal:
    try:
        if isinstance(value, float):
            return Decimal(repr(value))
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            return Decimal(value)
        return Decimal(str(value).strip().rstrip("%").strip().replace(",", ""))
    except InvalidOperation:
        raise spec.refuse(f"{value!r} is not a number") from None


def parse_plain(spec: FieldSpec, value: Any) -> Any:
    """Parse ``value`` for every kind that needs no context (not money, person, reference).

    Returns ``None`` for a blank value (the caller decides whether blank is allowed).
    """
    if is_blank(value):
        return None
    kind = spec.kind
    if kind in ("text", "longtext"):
        text = str(value).strip() if kind == "text" else str(value).strip("\n")
        if spec.max_length and len(text) > spec.max_length:
            raise spec.refuse(f"is {len(text)} characters long; the most is {spec.max_length}")
        return text
    if kind in ("count", "integer"):
        number = parse_int(value, spec)
    elif kind in ("percent", "rate"):
        number = parse_decimal(value, spec)
        if not number.is_finite():
            raise spec.refuse(f"{value!r} is not a number")
        if kind == "rate" and len(number.normalize().as_tuple().digits) > 15:
            raise spec.refuse("has more than 15 significant digits")
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
