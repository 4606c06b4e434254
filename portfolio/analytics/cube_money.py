"""Currency conversion for the figure cubes: the same decisions and the same exact
arithmetic as the SQL roll-ups (``portfolio.analytics.converted``).

Each client-month is converted at its month's rate, an exact fraction ``coefficient /
10**k`` (``RateBook.ratio``), in 64-bit integers and rounded half to even, then the
converted months are added. A product that could overflow 64 bits, a missing rate or a
huge divisor is declined (``None``): SQL then forms it in ``numeric`` or in Python, as
it always did.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from sqlalchemy.orm import Session

from portfolio.analytics.cube_dims import ClientDims
from portfolio.fx import MissingRateError, RateBook
from portfolio.money import check_currency
from portfolio.periods import Period
from portfolio.settings import base_currency

BIGINT_MAX = 2**63 - 1
#: Levels whose every group lies within one client, hence one currency.
SINGLE_CURRENCY_LEVELS = ("line", "campaign", "client")

Convert = Callable[[Sequence[np.ndarray]], list[np.ndarray] | None]


def conversion_target(
    session: Session, dims: ClientDims, level: str, keep: np.ndarray, currency: str | None
) -> str | None:
    """The currency ``variance_rollup`` would try to convert into, or None.

    As there: a named currency always; else the base currency when the groups may mix
    currencies (a level coarser than a client) and the scope's clients have several.
    Whether the period's amounts really mix is ``mixes``'s question, asked after the
    rates were found usable, as SQL asks it.
    """
    target = check_currency(currency) if currency else None
    if target is not None:
        return target
    if level in SINGLE_CURRENCY_LEVELS:
        return None
    if len(np.unique(dims.currency[keep])) > 1:
        return base_currency(session)
    return None


def mixes(dims: ClientDims, present_clients: np.ndarray) -> bool:
    """Whether the clients with amounts in the period hold more than one currency."""
    return len(np.unique(dims.currency[present_clients])) > 1


def converter(
    session: Session,
    dims: ClientDims,
    convert_to: str,
    period: Period,
    months: np.ndarray,
    keep: np.ndarray,
    client_currency: np.ndarray | None = None,
) -> Convert | None:
    """A function converting ``(clients, months)`` arrays (or, with ``client_currency``,
    ``(rows, months)`` arrays whose rows have those currency codes) into ``convert_to``;
    None when a rate of the scope's currencies in ``period`` is missing or unusable."""
    rates = RateBook.load(session, convert_to)
    position = {month: index for index, month in enumerate(period.months())}
    factors = np.zeros((len(dims.currencies), len(position)), dtype=np.int64)
    divisors = np.ones((len(dims.currencies), len(position)), dtype=np.int64)
    for code in np.unique(dims.currency[keep]).tolist():
        name = dims.currencies[code]
        for month, index in position.items():
            if name == convert_to:
                factors[code, index] = 1
                continue
            try:
                coefficient, divisor = rates.ratio(name, month)
            except MissingRateError:
                return None
            if coefficient < 0 or coefficient > BIGINT_MAX or 2 * divisor > BIGINT_MAX:
                return None
            factors[code, index], divisors[code, index] = coefficient, divisor
    columns = np.array([position[int(month)] for month in months.tolist()], dtype=np.int64)
    codes = dims.currency if client_currency is None else client_currency
    coefficient = factors[codes[:, None], columns[None, :]]
    divisor = divisors[codes[:, None], columns[None, :]]
    largest = int(factors.max()) if factors.size else 0

    def convert(arrays: Sequence[np.ndarray]) -> list[np.ndarray] | None:
        out = []
        for amounts in arrays:
            if amounts.size and int(amounts.max()) * largest > BIGINT_MAX:
                return None
            whole, rest = np.divmod(amounts.astype(np.int64) * coefficient, divisor)
            twice = 2 * rest
            up = (twice > divisor) | ((twice == divisor) & (whole % 2 == 1))
            out.append(whole + up)
        return out

    return convert
