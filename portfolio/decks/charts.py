"""Charts for the PDF deck, drawn with ``reportlab.graphics``.

Bars for budget, forecast and actual by month with the cumulative lines on a second
axis; plain line charts for trends. Both axes are titled, the legend names every series
with its own swatch, and colours come from ``theme.SERIES_COLOURS`` so a role looks the
same on every slide.
"""

from __future__ import annotations

import math
from decimal import Decimal

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Group, Line, Rect, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors

from portfolio.decks import theme
from portfolio.decks.fonts import FontBook
from portfolio.decks.outline import Chart, Series
from portfolio.money import SYMBOLS

LEGEND_HEIGHT = 20.0
AXIS_FONT_SIZE = 8.0


def nice_scale(top: float, ticks: int = 5) -> tuple[float, float]:
    """A round maximum and step covering ``top`` in about ``ticks`` steps."""
    if top <= 0:
        return 1.0, 0.2
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * power
        if step * ticks >= top:
            break
    return step * math.ceil(top / step), step


def compact(value: float, value_format: str) -> str:
    """Axis labels: ``$1.2M``, ``zł 350k``, ``12,000``, ``4``."""
    if value_format == "score":
        return f"{value:g}"
    prefix = suffix = ""
    if value_format.startswith("money:"):
        currency = value_format.split(":", 1)[1]
        symbol = SYMBOLS.get(currency)
        prefix, suffix = (symbol, "") if symbol else ("", f" {currency}")
    magnitude = abs(value)
    for limit, letter in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if magnitude >= limit:
            scaled = value / limit
            digits = 0 if scaled == int(scaled) else 1
            return f"{prefix}{scaled:,.{digits}f}{letter}{suffix}"
    return f"{prefix}{value:,.0f}{suffix}"


def _floats(series: Series) -> list[float | None]:
    return [None if v is None else float(v) for v in series.values]


def _colour(role: str) -> colors.Color:
    return colors.HexColor(theme.SERIES_COLOURS.get(role, theme.INK))


def _legend(chart: Chart, width: float, top: float, book: FontBook) -> Group:
    """One row of swatches: blocks for bars, short strokes for lines, right-aligned."""
    group = Group()
    items = [(s, "bar") for s in chart.bars] + [(s, "line") for s in chart.lines]
    font = theme.SIZE_SMALL
    widths = []
    for series, _ in items:
        name, text = book.single_font(series.name)
        widths.append(18 + book.width(text, font) + 16)
    x = width - sum(widths)
    y = top - 12
    for (series, kind), item_width in zip(items, widths, strict=True):
        colour = _colour(series.role)
        if kind == "bar":
            group.add(Rect(x, y - 1, 10, 8, fillColor=colour, strokeColor=None))
        else:
            group.add(
                Line(
                    x - 2,
                    y + 3,
                    x + 12,
                    y + 3,
                    strokeColor=colour,
                    strokeWidth=2,
                    strokeDashArray=_dash(series.role),
                )
            )
        name, text = book.single_font(series.name)
        group.add(
            String(
                x + 16, y, text, fontName=name, fontSize=font, fillColor=colors.HexColor(theme.INK)
            )
        )
        x += item_width
    return group


def _dash(role: str) -> list[float] | None:
    return [4, 3] if role in ("cumulative_budget", "previous") else None


def _axis_title(text: str, x: float, y: float, book: FontBook, angle: int) -> Group:
    name, shown = book.single_font(text)
    group = Group(
        String(
            0,
            0,
            shown,
            fontName=name,
            fontSize=theme.SIZE_SMALL,
            fillColor=colors.HexColor(theme.MUTED),
            textAnchor="middle",
        )
    )
    group.translate(x, y)
    group.rotate(angle)
    return group


def _style_value_axis(axis, top: float, step: float, value_format: str, right: bool) -> None:
    axis.valueMin = 0
    axis.valueMax = top
    axis.valueStep = step
    axis.labels.fontName = "PortfolioSans"
    axis.labels.fontSize = AXIS_FONT_SIZE
    axis.labels.fillColor = colors.HexColor(theme.MUTED)
    axis.labelTextFormat = lambda v: compact(v, value_format)
    axis.strokeColor = colors.HexColor(theme.RULE)
    axis.visibleGrid = not right
    axis.gridStrokeColor = colors.HexColor("#E4E7EB")
    axis.gridStrokeWidth = 0.5
    if right:
        axis.labels.boxAnchor = "w"
        axis.labels.dx = 6
        axis.tickLeft = 0
        axis.tickRight = 3
    else:
        axis.tickLeft = 3


def _style_category_axis(axis, categories: tuple[str, ...]) -> None:
    axis.categoryNames = list(categories)
    axis.labels.fontName = "PortfolioSans"
    axis.labels.fontSize = AXIS_FONT_SIZE
    axis.labels.fillColor = colors.HexColor(theme.INK)
    axis.labels.dy = -4
    axis.strokeColor = colors.HexColor(theme.RULE)
    axis.tickDown = 0
    if len(categories) > 14:
        axis.labels.angle = 45
        axis.labels.boxAnchor = "ne"


def draw(chart: Chart, width: float, height: float, book: FontBook) -> Drawing:
    """The chart as a drawing of exactly ``width`` x ``height`` points."""
    drawing = Drawing(width, height)
    left, right = 62.0, 64.0 if chart.lines and chart.bars else 18.0
    bottom = 28.0 if len(chart.categories) <= 14 else 44.0
    plot_x, plot_y = left, bottom
    plot_w = width - left - right
    plot_h = height - bottom - LEGEND_HEIGHT - 8
    drawing.add(_legend(chart, width, height, book))

    if chart.kind == "bars_and_lines" and chart.bars:
        bars = VerticalBarChart()
        bars.x, bars.y, bars.width, bars.height = plot_x, plot_y, plot_w, plot_h
        bars.data = [[v or 0 for v in _floats(s)] for s in chart.bars]
        top = max([v for row in bars.data for v in row] + [0])
        top, step = nice_scale(top * 1.04)  # headroom: no bar touches the frame
        _style_value_axis(bars.valueAxis, top, step, chart.value_format, right=False)
        _style_category_axis(bars.categoryAxis, chart.categories)
        bars.groupSpacing = 8
        bars.barSpacing = 1
        for index, series in enumerate(chart.bars):
            bars.bars[index].fillColor = _colour(series.role)
            bars.bars[index].strokeColor = None
        drawing.add(bars)
        if chart.lines:
            lines = HorizontalLineChart()
            lines.x, lines.y, lines.width, lines.height = plot_x, plot_y, plot_w, plot_h
            lines.data = [[v or 0 for v in _floats(s)] for s in chart.lines]
            top2, step2 = nice_scale(max([v for row in lines.data for v in row] + [0]) * 1.04)
            lines.categoryAxis.categoryNames = list(chart.categories)
            lines.categoryAxis.visible = False
            lines.categoryAxis.visibleLabels = False
            lines.valueAxis.joinAxisMode = "right"
            lines.valueAxis.joinAxis = lines.categoryAxis
            _style_value_axis(lines.valueAxis, top2, step2, chart.value_format, right=True)
            for index, series in enumerate(chart.lines):
                lines.lines[index].strokeColor = _colour(series.role)
                lines.lines[index].strokeWidth = 2
                if _dash(series.role):
                    lines.lines[index].strokeDashArray = _dash(series.role)
            drawing.add(lines)
            drawing.add(_axis_title(chart.y2_title, width - 8, plot_y + plot_h / 2, book, 90))
    else:
        lines = HorizontalLineChart()
        lines.x, lines.y, lines.width, lines.height = plot_x, plot_y, plot_w, plot_h
        data = [_floats(s) for s in chart.lines]
        lines.data = data
        values = [v for row in data for v in row if v is not None]
        top = (
            float(chart.y_max)
            if chart.y_max is not None
            else nice_scale(max(values + [0]) * 1.04)[0]
        )
        step = nice_scale(top)[1] if chart.y_max is None else (1 if top <= 5 else 2)
        _style_value_axis(lines.valueAxis, top, step, chart.value_format, right=False)
        _style_category_axis(lines.categoryAxis, chart.categories)
        lines.joinedLines = 1
        for index, series in enumerate(chart.lines):
            lines.lines[index].strokeColor = _colour(series.role)
            lines.lines[index].strokeWidth = 2
            if _dash(series.role):
                lines.lines[index].strokeDashArray = _dash(series.role)
            lines.lines[index].symbol = makeMarker("FilledCircle", size=4)
            lines.lines[index].symbol.fillColor = _colour(series.role)
            lines.lines[index].symbol.strokeColor = _colour(series.role)
        drawing.add(lines)
    drawing.add(_axis_title(chart.y_title, 10, plot_y + plot_h / 2, book, 90))
    return drawing


def has_values(chart: Chart) -> bool:
    """Whether any series has a non-zero value: an all-zero chart is never drawn."""
    return any(
        v is not None and v != Decimal(0) for s in (*chart.bars, *chart.lines) for v in s.values
    )
