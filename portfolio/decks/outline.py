"""A deck described once, independent of its file format.

``portfolio.decks.slides`` turns a client's figures into this outline; the PDF and the
PowerPoint writers each render the same outline, so both formats show the same slides,
numbers and words. Everything here is already formatted text except chart values,
which stay exact ``Decimal`` amounts in major units (a chart needs numbers, and
PowerPoint keeps them editable).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

Tone = Literal["good", "bad", "neutral"]
Align = Literal["left", "right", "centre"]


@dataclass(frozen=True)
class Kpi:
    label: str
    value: str
    detail: str = ""
    tone: Tone = "neutral"


@dataclass(frozen=True)
class KpiRow:
    tiles: tuple[Kpi, ...]


@dataclass(frozen=True)
class Cell:
    text: str
    tone: Tone = "neutral"
    bold: bool = False


@dataclass(frozen=True)
class Column:
    header: str
    #: Relative width; the renderer scales the weights to the slide.
    weight: float = 1.0
    align: Align = "left"


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    #: Rows set apart at the foot (totals); repeated on no other page.
    footer: tuple[tuple[Cell, ...], ...] = ()
    caption: str = ""


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[Decimal | None, ...]
    #: budget | forecast | actual | cumulative_budget | cumulative_outlook | previous | ...
    role: str


@dataclass(frozen=True)
class Chart:
    """Bars per category, optional lines on a second axis, or lines alone.

    ``kind`` is ``bars_and_lines`` (bars on the left axis, lines on the right) or
    ``lines`` (lines on the left axis).
    """

    kind: Literal["bars_and_lines", "lines"]
    categories: tuple[str, ...]
    bars: tuple[Series, ...]
    lines: tuple[Series, ...]
    y_title: str
    y2_title: str = ""
    #: How axis values read: ``money:USD``, ``count`` or ``score``.
    value_format: str = "count"
    y_min: Decimal | None = None
    y_max: Decimal | None = None
    caption: str = ""


@dataclass(frozen=True)
class Text:
    """Paragraphs of user or generated text; ``heading`` set in bold above them."""

    paragraphs: tuple[str, ...]
    heading: str = ""


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]
    heading: str = ""


@dataclass(frozen=True)
class Row:
    """Charts side by side, sharing the slide's width equally."""

    charts: tuple[Chart, ...]


Block = KpiRow | Table | Chart | Row | Text | Bullets


@dataclass(frozen=True)
class Slide:
    key: str
    title: str
    subtitle: str = ""
    blocks: tuple[Block, ...] = ()


@dataclass(frozen=True)
class TitleSlide:
    client: str
    period: str
    director: str
    date: str
    kind: str = "Client review"


@dataclass
class Deck:
    title: TitleSlide
    slides: list[Slide] = field(default_factory=list)
    #: Footer text: firm, client, period.
    footer: str = ""
    firm: str = ""
