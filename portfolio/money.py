"""Exact money: integer minor units in storage, ``Decimal`` at the edges.

Every amount in the database is an integer count of its currency's minor unit (cents for
USD, yen for JPY, fils for KWD), so sums in SQL are exact on SQLite and PostgreSQL
alike. Conversion to and from ``Decimal`` happens only when a person types or reads an
amount.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from portfolio.errors import ValidationError

#: Active ISO 4217 codes and their number of minor-unit digits. Append-only: the
#: initial migration seeds the ``currency`` table from it, so a code added here needs
#: a migration that inserts it.
ISO_4217: dict[str, int] = {
    code: 2
    for code in (
        "AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN "
        "BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN "
        "ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD "
        "KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR "
        "MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON "
        "RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT "
        "TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG"
    ).split()
}
ISO_4217.update(
    {
        code: 0
        for code in "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split()
    }
)
ISO_4217.update({code: 3 for code in "BHD IQD JOD KWD LYD OMR TND".split()})
ISO_4217.update({"CLF": 4, "UYW": 4})

#: Symbols shown before an amount; any other currency is shown with its code.
SYMBOLS: dict[str, str] = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "CAD": "CA$",
    "AUD": "A$",
    "CHF": "CHF ",
    "PLN": "zł ",
    "INR": "₹",
}


def check_currency(code: str, field: str = "currency") -> str:
    """Return ``code`` upper-cased if it is an active ISO 4217 code, else refuse it."""
    normal = (code or "").strip().upper()
    if normal not in ISO_4217:
        raise ValidationError(field, f"{code!r} is not an ISO 4217 currency code")
    return normal


def exponent(currency: str) -> int:
    return ISO_4217[currency]


def to_minor(amount: Decimal | int | str, currency: str, field: str = "amount") -> int:
    """Exact conversion of a major-unit amount to minor units; refuses sub-unit fractions.

    ``12.345`` USD is refused rather than rounded: a typed amount that the currency
    cannot hold is a typing mistake, and rounding it silently would change the figure.
    """
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount).strip())
    except InvalidOperation:
        raise ValidationError(field, f"{amount!r} is not a number") from None
    if not value.is_finite():
        raise ValidationError(field, f"{amount!r} is not a number")
    scaled = value.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        digits = exponent(currency)
        raise ValidationError(
            field, f"{amount} has more than {digits} decimal places for {currency}"
        )
    return int(scaled)


def from_minor(minor: int, currency: str) -> Decimal:
    """The major-unit ``Decimal`` for ``minor`` units, with the currency's decimals."""
    digits = exponent(currency)
    return Decimal(minor).scaleb(-digits).quantize(Decimal(1).scaleb(-digits))


def round_minor(value: Decimal) -> int:
    """Banker's rounding to whole minor units, for converted and spread amounts."""
    return int(value.to_integral_value(rounding=ROUND_HALF_EVEN))


def format_money(minor: int | None, currency: str, *, symbol: bool = True) -> str:
    """``-1234550, "USD"`` -> ``-$12,345.50``: grouping, the currency's decimals."""
    if minor is None:
        return ""
    amount = from_minor(minor, currency)
    digits = exponent(currency)
    text = f"{abs(amount):,.{digits}f}"
    sign = "-" if amount < 0 else ""
    if not symbol:
        return f"{sign}{text}"
    prefix = SYMBOLS.get(currency)
    if prefix is None:
        return f"{sign}{text} {currency}"
    return f"{sign}{prefix}{text}"


def spread(total: int, parts: int) -> list[int]:
    """Split ``total`` minor units into ``parts`` whole amounts that add up exactly.

    The remainder goes one unit at a time to the first parts, so a recovery plan of
    100.00 over 3 months reads 33.34, 33.33, 33.33 and sums to the cent.
    """
    if parts <= 0:
        return []
    base, remainder = divmod(abs(total), parts)
    sign = -1 if total < 0 else 1
    return [sign * (base + (1 if i < remainder else 0)) for i in range(parts)]
