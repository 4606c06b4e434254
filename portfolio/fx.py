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
from decimal import ROUND_HALF_EVEN, Decimal

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

    def converter(self) -> Callable[[int, str, int], int]:
        """``convert`` for many amounts: each (currency, month)'s factor is found once.

        The same figures to the unit: multiplying by a power of ten only moves the
        exponent, so ``minor * (rate * 10**scale)`` rounds exactly as ``convert`` does.
        """
        factors: dict[tuple[str, int], Decimal] = {}
        quote = self.quote

        def convert(minor: int, currency: str, month: int) -> int:
            if currency == quote or not minor:
                return minor
            factor = factors.get((currency, month))
            if factor is None:
                scale = exponent(quote) - exponent(currency)
                factor = factors[(currency, month)] = self.rate(currency, month).scaleb(scale)
            return int((Decimal(minor) * factor).to_integral_value(rounding=ROUND_HALF_EVEN))

        return convert
