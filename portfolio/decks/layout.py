"""Sizing shared by both writers: table column widths and the height a block will take.

Column widths start from what the content needs (a number column as wide as its widest
figure, a text column as wide as its longest word) and share the rest of the slide by
the columns' weights, so figures in zł or ¥ never wrap while names still get the room.
"""

from __future__ import annotations

from portfolio.decks import theme
from portfolio.decks.fonts import FontBook
from portfolio.decks.outline import Bullets, Chart, KpiRow, Row, Table, Text

CELL_PADDING = 10.0
ROW_HEIGHT = 17.5
KPI_HEIGHT = 90.0
CAPTION_HEIGHT = 16.0
#: Charts never shrink below this to make room for a table; the table flows on instead.
MIN_CHART_HEIGHT = 160.0


def column_widths(
    table: Table, total: float, book: FontBook, size: float = theme.SIZE_TABLE
) -> list[float]:
    """Widths in points for ``table``'s columns, adding up to ``total``."""
    full_headers, word_headers, contents = [], [], []
    for index, column in enumerate(table.columns):
        full_headers.append(book.width(column.header, size, bold=True))
        word_headers.append(
            max((book.width(w, size, bold=True) for w in column.header.split()), default=0.0)
        )
        cells = [row[index] for row in (*table.rows, *table.footer)]
        if column.align == "right":
            content = max((book.width(c.text, size, bold=c.bold) for c in cells), default=0.0)
        else:
            content = max(
                (book.width(word, size, bold=c.bold) for c in cells for word in c.text.split()),
                default=0.0,
            )
        contents.append(content)
    # Whole headers on one line if the slide has room for that, else split at spaces.
    headers = full_headers
    if (
        sum(map(max, zip(full_headers, contents, strict=True))) + CELL_PADDING * len(contents)
        > total * 0.85
    ):
        headers = word_headers
    needs = [max(h, c) + CELL_PADDING + 1 for h, c in zip(headers, contents, strict=True)]
    used = sum(needs)
    if used >= total:
        return [need * total / used for need in needs]
    # The room left over goes to the text columns (names wrap, figures should not).
    weights = [c.weight if c.align == "left" else 0.0 for c in table.columns]
    if not any(weights):
        weights = [c.weight for c in table.columns]
    spare = (total - used) / sum(weights)
    return [need + spare * weight for need, weight in zip(needs, weights, strict=True)]


def table_height(table: Table) -> float:
    rows = 1 + len(table.rows) + len(table.footer)
    return rows * ROW_HEIGHT + (CAPTION_HEIGHT if table.caption else 0) + 12


def block_height(block: object) -> float:
    """About how tall ``block`` will be; used to size charts beside it."""
    if isinstance(block, KpiRow):
        return KPI_HEIGHT
    if isinstance(block, Table):
        return table_height(block)
    if isinstance(block, Bullets):
        return len(block.items) * 21 + (20 if block.heading else 0) + 8
    if isinstance(block, Text):
        return len(block.paragraphs) * 32 + (20 if block.heading else 0) + 8
    if isinstance(block, Chart | Row):
        return MIN_CHART_HEIGHT
    return 0.0


def chart_height(blocks: tuple, available: float) -> float:
    """The height each chart on a slide gets: what the other blocks leave, shared."""
    charts = [b for b in blocks if isinstance(b, Chart | Row)]
    others = sum(block_height(b) for b in blocks if not isinstance(b, Chart | Row))
    share = (available - others) / max(1, len(charts)) - CAPTION_HEIGHT - 10
    return max(MIN_CHART_HEIGHT, min(share, available * 0.9))
