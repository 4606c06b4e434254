"""``MadeWhenRead`` reads like the list it stands for, and makes each item once if kept."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portfolio.lazy import MadeWhenRead


@given(
    items=st.lists(st.integers(), max_size=30),
    start=st.none() | st.integers(-40, 40),
    stop=st.none() | st.integers(-40, 40),
    step=st.none() | st.integers(1, 5) | st.integers(-5, -1),
    keep=st.booleans(),
)
def test_reads_like_the_list_it_stands_for(items, start, stop, step, keep):
    made = MadeWhenRead(len(items), items.__getitem__, keep=keep)
    assert len(made) == len(items)
    assert list(made) == items
    assert made[start:stop:step] == items[start:stop:step]
    for index in range(-len(items), len(items)):
        assert made[index] == items[index]
    for outside in (len(items), -len(items) - 1):
        with pytest.raises(IndexError):
            made[outside]


def test_kept_items_are_made_once_and_others_each_time():
    calls: list[int] = []

    def make(index: int) -> tuple[int]:
        calls.append(index)
        return (index,)

    kept = MadeWhenRead(3, make, keep=True)
    assert kept[1] is kept[1] and kept[-2] is kept[1]
    assert calls == [1]
    fresh = MadeWhenRead(3, make)
    assert fresh[2] == fresh[2] and calls == [1, 2, 2]
