"""Numbers as people and spreadsheets write them: the one reader for amounts, counts and
percentages, wherever they come from (a cell typed in the app, a CSV file, a workbook).

A number is read only when it can mean one thing:

* The decimal mark is a point or a comma. It is given (``POINT``, ``COMMA``) or unknown
  (``None``). Text that reads one way only (``1,5``, ``1.234,50``, ``1,234.50``,
  ``1.234.567``) shows its mark and is read so; text that reads two ways (``16.700`` is
  sixteen point seven, or sixteen thousand seven hundred) raises ``AmbiguousNumber``
  when the mark is unknown. ``decimal_mark_shown_by`` tells which mark a text shows, so
  that an importer can decide a whole file's mark from its own evidence, as it does the
  day-month order of dates.
* Grouping must be well formed: the first group has one to three digits, every later
  one exactly three; groups are separated by
  the mark that is not the decimal mark, by an apostrophe (``1'234.50``, Swiss) or by
  any kind of space (plain, no-break U+00A0, narrow no-break U+202F, thin U+2009 ...).
  Other groupings (Indian lakh ``12,34,567``) are refused rather than guessed.
* One sign at most: a leading ``+``/``-``/``−`` (U+2212), a trailing ``-`` or accounting
  parentheses ``(1,234.50)``.
* A currency symbol or ISO 4217 code before or after the number (``$``, ``€``, ``zł``,
  ``USD``) is reported in ``Reading.currency`` and not part of the value.
* A percent sign (``85%``, ``85 %``, ``85,0 %``) is reported in ``Reading.percent``;
  the value is the number written (85).

``CellPercent`` stands for a spreadsheet cell formatted as a percentage: the cell
holds 0.85 and shows 85 %, and 85 is what the person meant.

Nothing here knows about fields; ``portfolio.editing.fields`` applies these readings
to amounts, counts and percentages and words the refusals.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from portfolio.money import ISO_4217

POINT = "point"
COMMA = "comma"
DECIMAL_MARKS = (POINT, COMMA)


class NumberError(ValueError):
    """The text is not a number; ``str()`` says why in words."""


class AmbiguousNumber(NumberError):
    """The text reads as two different numbers; the decimal mark must decide."""

    def __init__(self, text: str, as_point: Decimal, as_comma: Decimal) -> None:
        self.text = text
        self.as_point = as_point
        self.as_comma = as_comma
        super().__init__(
            f"{text!r} reads two ways ({_plain(as_point)} with a decimal point, "
            f"{_plain(as_comma)} with a decimal comma)"
        )


@dataclass(frozen=True, slots=True)
class Reading:
    value: Decimal
    #: Written with a percent sign: ``value`` is the percentage (85 for "85 %").
    percent: bool = False
    #: The currency symbol or code written beside the number, if any ("$", "EUR").
    currency: str | None = None


@dataclass(frozen=True, slots=True)
class CellPercent:
    """A spreadsheet cell formatted as a percentage: it holds ``fraction`` (0.85) and
    shows ``fraction * 100`` (85 %)."""

    fraction: float | int

    @property
    def percent(self) -> Decimal:
        """The shown percentage: the cell's decimal value times 100, less the binary
        float's whisker (0.0107 is held as 0.010700000000000001; 1.07 is meant)."""
        value = self.fraction
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        percent = number * 100
        rounded = percent.quantize(Decimal("1e-9"))
        if abs(percent - rounded) < Decimal("1e-12"):
            percent = rounded
        text = format(percent, "f")
        return Decimal(text.rstrip("0").rstrip(".") if "." in text else text)

    def __str__(self) -> str:
        return f"{_plain(self.percent)} %"


# Every kind of space a number may be grouped with, and characters that are invisible.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_MINUS = {"\u2212": "-", "\ufe63": "-", "\uff0d": "-", "\uff0b": "+"}
_PERCENT = "%\uff05\ufe6a"
_APOSTROPHES = "'\u2019\u02bc"
# Currency signs (Unicode category Sc) of the Basic Multilingual Plane.
_SIGNS = "$¢£¤¥֏؋৲৳৻૱௹฿៛\u20a0-\u20c0﷼﹩＄￠￡￥￦"
_WORDS = "zł|zl|kr|Kč|Ft|lei|Rs|R|Fr\\.?"
_CURRENCY = rf"(?:[A-Za-z]{{0,3}}[{_SIGNS}]|[A-Za-z]{{3}}|{_WORDS})"
_SHAPE = re.compile(
    rf"^(?P<open>\()?\s*(?P<lead>[-+])?\s*(?P<before>{_CURRENCY})?\s*(?P<lead2>[-+])?\s*"
    rf"(?P<number>[0-9]*[.,]?[0-9][0-9.,' ]*)"
    rf"\s*(?P<percent>%)?\s*(?P<after>{_CURRENCY})?\s*(?P<trail>-)?\s*(?P<close>\))?$"
)
_GROUPED = re.compile(r"^[1-9][0-9]{0,2}(?:([,.' ])[0-9]{3})(?:\1[0-9]{3})*$")


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _clean(text: str) -> str:
    """Spaces of every kind become one plain space; other Unicode digits become ASCII."""
    text = text.translate(_INVISIBLE)
    out = []
    for char in text:
        if char.isspace():
            out.append(" ")
        elif char in _MINUS:
            out.append(_MINUS[char])
        elif char in _PERCENT:
            out.append("%")
        elif char in _APOSTROPHES:
            out.append("'")
        elif char.isdecimal() and not char.isascii():
            out.append(str(unicodedata.decimal(char)))
        else:
            out.append(char)
    return "".join(out).strip()


def _whole(text: str, group_mark: str) -> str | None:
    """The digits of a whole part grouped with ``group_mark``, apostrophes or spaces."""
    if text.isdigit():
        return text
    if not text:
        return ""
    if _GROUPED.match(text):
        separator = next(char for char in text if not char.isdigit())
        if separator in (group_mark, "'", " "):
            return re.sub(r"[,.' ]", "", text)
        return None
    return None


def _interpret(body: str, mark: str) -> Decimal | None:
    """``body`` read with decimal ``mark``, or ``None`` if it is not well formed so."""
    decimal_mark, group_mark = (".", ",") if mark == POINT else (",", ".")
    if body.count(decimal_mark) > 1:
        return None
    whole, has_fraction, fraction = body.partition(decimal_mark)
    if has_fraction and not fraction.isdigit():
        return None
    digits = _whole(whole, group_mark)
    if digits is None or (not digits and not fraction):
        return None
    try:
        return Decimal((digits or "0") + ("." + fraction if fraction else ""))
    except InvalidOperation:  # pragma: no cover - the checks above admit digits only
        return None


def _shape(text: str) -> re.Match[str]:
    match = _SHAPE.match(_clean(text))
    if match is None:
        raise NumberError(f"{text!r} is not a number")
    groups = match.groupdict()
    signs = sum(1 for name in ("lead", "lead2", "trail") if groups[name])
    if bool(groups["open"]) != bool(groups["close"]):
        raise NumberError(f"{text!r} is not a number (unbalanced parentheses)")
    if groups["open"]:
        signs += 1
    if signs > 1:
        raise NumberError(f"{text!r} has more than one sign")
    if groups["before"] and groups["after"]:
        raise NumberError(f"{text!r} names its currency twice")
    currency = groups["before"] or groups["after"]
    if currency and currency.isalpha() and len(currency) == 3:
        if currency.upper() not in ISO_4217:
            raise NumberError(f"{text!r} is not a number ({currency!r} is no currency)")
    if groups["percent"] and currency:
        raise NumberError(f"{text!r} is both a percentage and an amount")
    return match


def read_number(text: str, decimal_mark: str | None = POINT) -> Reading:
    """Read ``text`` as a number, by the rules in the module docstring.

    ``decimal_mark`` is ``POINT``, ``COMMA`` or ``None`` (unknown: text that shows its
    mark is read so, text that reads two ways raises ``AmbiguousNumber``). Raises
    ``NumberError`` for anything else that is not a well-formed number.
    """
    match = _shape(text)
    body = match.group("number").strip()
    if decimal_mark is None:
        as_point, as_comma = _interpret(body, POINT), _interpret(body, COMMA)
        if as_point is None and as_comma is None:
            raise NumberError(f"{text!r} is not a number (its grouping is not well formed)")
        if as_point is not None and as_comma is not None and as_point != as_comma:
            raise AmbiguousNumber(text.strip(), as_point, as_comma)
        value = as_point if as_point is not None else as_comma
    else:
        value = _interpret(body, decimal_mark)
        if value is None:
            other = COMMA if decimal_mark == POINT else POINT
            if _interpret(body, other) is not None:
                raise NumberError(
                    f"{text!r} is written with a decimal {other}, not a decimal {decimal_mark}"
                )
            raise NumberError(f"{text!r} is not a number (its grouping is not well formed)")
    assert value is not None
    groups = match.groupdict()
    if groups["open"] or groups["lead"] == "-" or groups["lead2"] == "-" or groups["trail"]:
        value = -value
    return Reading(value + 0, bool(groups["percent"]), groups["before"] or groups["after"])


def decimal_mark_shown_by(text: object) -> str | None:
    """``POINT`` or ``COMMA`` if ``text`` is a number that reads with that mark only."""
    if not isinstance(text, str):
        return None
    try:
        body = _shape(text).group("number").strip()
    except NumberError:
        return None
    as_point, as_comma = _interpret(body, POINT), _interpret(body, COMMA)
    if (as_point is None) == (as_comma is None):
        return None
    return POINT if as_point is not None else COMMA


def reads_two_ways(text: object) -> bool:
    """Whether ``text`` is a number whose value depends on the decimal mark."""
    if not isinstance(text, str):
        return False
    try:
        read_number(text, None)
    except AmbiguousNumber:
        return True
    except NumberError:
        return False
    return False


def mark_of(decimal_comma: bool | None) -> str | None:
    """The decimal mark for the ``decimal_comma`` option of importers and the CLI:
    ``True`` comma, ``False`` point, ``None`` unknown (decided by the file)."""
    if decimal_comma is None:
        return None
    return COMMA if decimal_comma else POINT


#: Currency signs that name one currency (or a few), to catch an amount written in
#: another currency than the record's. "$" is shared by many currencies.
SIGN_CURRENCIES: dict[str, frozenset[str]] = {
    "€": frozenset({"EUR"}),
    "£": frozenset({"GBP", "GIP", "FKP", "SHP", "EGP", "SYP", "LBP"}),
    "¥": frozenset({"JPY", "CNY"}),
    "₹": frozenset({"INR"}),
    "zł": frozenset({"PLN"}),
    "zl": frozenset({"PLN"}),
    "₩": frozenset({"KRW", "KPW"}),
    "₽": frozenset({"RUB"}),
    "₺": frozenset({"TRY"}),
    "₪": frozenset({"ILS"}),
    "₴": frozenset({"UAH"}),
    "Kč": frozenset({"CZK"}),
    "Ft": frozenset({"HUF"}),
    "฿": frozenset({"THB"}),
}


def currency_matches(written: str, currency: str) -> bool:
    """Whether a currency sign or code written beside an amount can be ``currency``."""
    if written.isalpha() and len(written) == 3:
        return written.upper() == currency
    if written.endswith(("$", "﹩", "＄")):
        return currency not in {code for codes in SIGN_CURRENCIES.values() for code in codes}
    codes = SIGN_CURRENCIES.get(written)
    return codes is None or currency in codes
