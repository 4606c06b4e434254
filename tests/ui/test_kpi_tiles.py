"""KPI tiles never cut what they say, in a small window, on both backends.

Regression (try-outs at 1000x700): the Overview's money tiles showed "$9,483,295,42",
a cut figure that reads as another number, and their wrapped comparison lines were laid
over each other; "Variance -" could end a line with the amount on the next, unsigned.
"""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFontMetricsF

SIZES = [(1000, 700), (900, 640)]


def _cut(tile) -> list[str]:
    """What of ``tile`` is not shown whole at its size."""
    found = []
    value = tile.value
    if QFontMetricsF(value.font()).horizontalAdvance(value.text()) > value.width() + 0.5:
        found.append(f"figure {value.text()!r} wider than {value.width()} px")
    for label in (tile.title, tile.detail):
        if label.text() and label.height() < label.heightForWidth(label.width()):
            found.append(
                f"{label.text()!r}: {label.height()} px of {label.heightForWidth(label.width())}"
            )
    return found


@pytest.mark.parametrize("size", SIZES)
def test_overview_tiles_show_every_figure_whole(qtbot, window, size):
    window.resize(*size)
    page = window.show_page("overview")
    qtbot.waitUntil(page.ready, timeout=30_000)
    qtbot.wait(50)  # the layout settles after the figures' texts
    big = page.tiles["spend_year"]
    big.set_figure("$10,451,879,613.24", "Budget $10,267,680,974.05 Variance -$418,324,728.91")
    qtbot.wait(50)
    problems = {key: _cut(tile) for key, tile in page.tiles.items()}
    assert not any(problems.values()), problems
    assert "-\u2060$418" in big.detail.text()  # the sign stays with its amount
    if size == (1000, 700):  # room for every figure: the tiles share it evenly
        widths = {tile.width() for tile in page.tiles.values()}
        assert max(widths) - min(widths) <= 2, widths


def test_client_page_tiles_show_every_figure_whole(qtbot, window):
    """At 1440x900; at 1000x700 the page's header is wider than the window (its facts
    and three tiles), a fault noted and not fixed yet."""
    window.resize(1440, 900)
    page = window.client_page(1, "variance")
    qtbot.waitUntil(page.ready, timeout=30_000)
    qtbot.wait(50)
    problems = {key: _cut(tile) for key, tile in page.tiles.items()}
    assert not any(problems.values()), problems
    for tile in page.tiles.values():
        right = tile.mapTo(page, tile.rect().topRight()).x()
        assert right < page.width(), (tile.title.text(), right, page.width())
