"""Exchange rates the users maintain, and exact conversion between currencies.

Roll-ups never add two currencies together: amounts are grouped by currency and month in
SQL, and each group is converted here with ``Decimal`` arithmetic at that month's rate.
A month without its own rate uses the latest earlier one (a forecast month next year is
converted at today's rate); a currency with no rate at or before the month is refused
with a message naming it.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portfolio.errors import PortfolioError
from portfolio.model import FxRate
from portfolio.money import exponent, round_minor
from portfolio.periods import month_label


class MissingRateError(PortfolioError):
    pass


class RateBook:
    """All rates into one quote currency, looked up by (currency, month)."""

    def __init__(self, quote: str, rates: dict[str, list[tuple[int, Decimal]]]) -> None:
        self.quote = quote
        self._months = {code: [month for month, _ in series] for code, series in rates.items()}
        self._rates = {code: [rate for _, rate in series] for code, series in rates.items()}

    @classmethod
    def load(cls, session: Session, quote: str) -> RateBook:
        """Read every rate to or from ``quote``; rates stored the other way round are inverted."""
        rows = session.execute(
            select(FxRate.currency, FxRate.quote, FxRate.month, FxRate.rate).where(
                (FxRate.quote == quote) | (FxRate.currency == quote)
            )
        ).all()
        direct: dict[tuple[str, int], Decimal] = {}
        inverse: dict[tuple[str, int], Decimal] = {}
        for currency, rate_quote, month, rate in rows:
            if rate_quote == quote:
                direct[(currency, month)] = Decimal(rate)
            else:
                inverse[(rate_quote, month)] = 1 / Decimal(rate)
        merged = {**inverse, **direct}
        series: dict[str, list[tuple[int, Decimal]]] = defaultdict(list)
        for (currency, month), rate in sorted(merged.items()):
            series[currency].append((month, rate))
        return cls(quote, dict(series))

    def rate(self, currency: str, month: int) -> Decimal:
        if currency == self.quote:
            return Decimal(1)
        months = self._months.get(currency)
        index = bisect.bisect_right(months, month) - 1 if months else -1
        if index < 0:
            raise MissingRateError(
                f"No exchange rate from {currency} to {self.quote} for {month_label(month)} "
                "or any earlier month; add one to convert this roll-up"
            )
        return self._rates[currency][index]

    def convert(self, minor: int, currency: str, month: int) -> int:
        """``minor`` units of ``currency`` in ``month`` as minor units of the quote currency."""
        if currency == self.quote or not minor:
            return minor
        scale = exponent(self.quote) - exponent(currency)
        return round_minor(Decimal(minor) * self.rate(currency, month) * Decimal(10) ** scale)

    def ratio(self, currency: str, month: int) -> tuple[int, int]:
        """The factor from ``currency``'s minor units to the quote's, ``rate * 10**scale``,
        as an exact fraction ``(coefficient, power of ten)``.

        ``convert`` multiplies by it in ``Decimal``, exactly while the product fits 28
        digits, then rounds half to even: with these two integers the same can be done
        in integer arithmetic, here or in SQL (``portfolio.analytics.variance``).
        """
        scale = exponent(self.quote) - exponent(currency)
        sign, digits, power = self.rate(currency, month).scaleb(scale).as_tuple()
        coefficient = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
        if power >= 0:  # type: ignore[operator]
            return coefficient * 10**power, 1  # type: ignore[operator]
        return coefficient, 10**-power  # type: ignore[operator]

    def converter(self) -> Callable[[int, str, int], int]:
        """``convert`` for many amounts: the same figures to the unit, several times faster.

        Each (currency, month)'s ``ratio`` is found once; a product within ``Decimal``'s
        28 digits is exact there, so it is rounded half to even here in integers instead.
        A product past 28 digits goes through ``Decimal`` as ``convert`` does.
        """
        factors: dict[tuple[str, int], tuple[int, int]] = {}
        quote = self.quote
        limit = 10**28

        def convert(minor: int, currency: str, month: int) -> int:
            if currency == quote or not minor:
                return minor
            found = factors.get((currency, month))
            if found is None:
                found = factors[(currency, month)] = self.ratio(currency, month)
            coefficient, divisor = found
            product = int(minor) * coefficient
            if -limit < product < limit:
                return round_half_even(product, divisor)
            return self.convert(minor, currency, month)

        return convert


def round_half_even(numerator: int, divisor: int) -> int:
    """``numerator / divisor`` (divisor > 0) rounded half to even, in exact integers."""
    whole, rest = divmod(numerator, divisor)
    twice = 2 * rest
    if twice > divisor or (twice == divisor and whole & 1):
        whole += 1
    return whole
