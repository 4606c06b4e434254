"""RateBook.converter gives convert's figures to the unit (it is the roll-ups' fast path)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from portfolio.fx import RateBook

RATES = st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("50000"), places=8)


@given(
    rate=RATES,
    inverse=st.booleans(),
    currency=st.sampled_from(["EUR", "JPY", "KWD", "GBP"]),
    amounts=st.lists(
        st.one_of(
            st.integers(-(10**15), 10**15), st.integers(0, 10**30), st.sampled_from([0, 5, 50])
        ),
        min_size=1,
        max_size=20,
    ),
)
def test_converter_rounds_exactly_as_convert(rate, inverse, currency, amounts):
    if inverse:  # a rate stored the other way round: 28 digits, not a short decimal
        rate = 1 / rate
    book = RateBook("USD", {currency: [(202401, rate)]})
    convert = book.converter()
    for amount in amounts:
        assert convert(amount, currency, 202605) == book.convert(amount, currency, 202605)
        assert convert(amount, "USD", 202605) == amount
