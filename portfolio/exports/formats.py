"""Excel number formats: money in each client's currency, dates, months, percentages.

A format code shows a number; it never turns it into text, so SUM and pivot tables keep
working. Money carries its currency in the format (``[$$-409]#,##0.00`` for dollars,
``#,##0.00 [$€-1]`` for euros written after the amount, no decimals for yen), and
variances carry an explicit sign so that a printout without colour still reads right.
"""

from __future__ import annotations

from portfolio.money import ISO_4217, exponent

#: Currency symbol blocks as Excel writes them (symbol, locale id) and whether the
#: symbol goes before the amount. Others show their ISO code after the amount.
_SYMBOLS: dict[str, tuple[str, bool]] = {
    "USD": ("[$$-409]", True),
    "CAD": ("[$$-1009]", True),
    "AUD": ("[$$-C09]", True),
    "GBP": ("[$£-809]", True),
    "JPY": ("[$¥-411]", True),
    "INR": ("[$₹-4009] ", True),
    "CHF": ("[$CHF-807] ", True),
    "EUR": (" [$€-1]", False),
    "PLN": (" [$zł-415]", False),
}

DATE = "yyyy-mm-dd"
MONTH = "mmm yyyy"
DATETIME = "yyyy-mm-dd hh:mm"
COUNT = "#,##0"
SIGNED_COUNT = "+#,##0;-#,##0;0"
PERCENT = "0.0%"
SIGNED_PERCENT = "+0.00%;-0.00%;0.00%"
DECIMAL = "0.00"
TEXT = "@"


def _digits(currency: str) -> str:
    places = exponent(currency) if currency in ISO_4217 else 2
    return "#,##0" + ("." + "0" * places if places else "")


def money(currency: str, *, signed: bool = False) -> str:
    """The format for amounts in ``currency``; ``signed`` shows ``+`` on positive amounts."""
    number = _digits(currency)
    symbol = _SYMBOLS.get(currency)
    if symbol is None:
        shown = f'{number} "{currency}"'
    elif symbol[1]:
        shown = f"{symbol[0]}{number}"
    else:
        shown = f"{number}{symbol[0]}"
    if not signed:
        return shown
    return f"+{shown};-{shown};{shown}"
