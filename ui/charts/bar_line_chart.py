"""Grouped bars with cumulative lines, painted with QPainter: in the window and headless.

Why not a chart library: Qt Charts is not part of PySide6-Essentials and is deprecated
since Qt 6.10, and Qt Graphs draws 2D charts only through QML. Portfolio needs one kind
of chart (budget, forecast and actual by month, with the year's cumulative lines), in a
widget, in screenshots and in tests without a display. A small painter that draws it
deliberately - readable axes, a legend, the open (forecast) months shaded and labelled,
numbers in the currency's units - is less code than adapting a general library, and
renders identically on screen and into a ``QImage``.

Values arrive as exact integers (minor units); they become floats only to place pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui.theme import colours


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[int | None, ...]
    colour: QColor


@dataclass(frozen=True)
class ChartData:
    title: str
    categories: tuple[str, ...]
    bars: tuple[Series, ...]
    lines: tuple[Series, ...] = ()
    #: Divides stored values into the units shown (100 for cents).
    scale: int = 1
    #: Prefix or suffix for axis labels ("€", " EUR", "").
    unit_prefix: str = ""
    unit_suffix: str = ""
    #: Index of the first open (forecast) category, if any.
    open_from: int | None = None
    note: str = ""
    #: Spoken summary for screen readers.
    summary: str = ""
    extra: dict = field(default_factory=dict)


def nice_step(span: float, ticks: int = 5) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about ``ticks`` steps."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def compact(value: float) -> str:
    """``1234567`` -> ``1.2M``: axis labels stay short."""
    size = abs(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if size >= limit:
            number = value / limit
            text = f"{number:.1f}".rstrip("0").rstrip(".")
            return f"{text}{suffix}"
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


class BarLineChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data: ChartData | None = None
        self.placeholder = "Calculating…"
        self.setMinimumSize(420, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Chart")

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(640, 340)

    def set_data(self, data: ChartData | None, placeholder: str = "") -> None:
        self.data = data
        if placeholder:
            self.placeholder = placeholder
        self.setAccessibleDescription(data.summary if data else self.placeholder)
        self.setToolTip(data.summary if data else "")
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        try:
            render(painter, QRectF(self.rect()), self.data, self.placeholder, self.font())
        finally:
            painter.end()

    def to_image(self, width: int, height: int) -> QImage:
        """The chart drawn headless, e.g. for a test or a document."""
        image = QImage(width, height, QImage.Format.Format_ARGB32)
        image.fill(self.palette().base().color())
        painter = QPainter(image)
        render(painter, QRectF(0, 0, width, height), self.data, self.placeholder, self.font())
        painter.end()
        return image


def render(
    painter: QPainter,
    area: QRectF,
    data: ChartData | None,
    placeholder: str,
    font: QFont,
) -> None:
    tone = colours()
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setFont(font)
    metrics = painter.fontMetrics()
    line = metrics.height()
    if data is None or not data.categories:
        painter.setPen(tone.muted)
        painter.drawText(area, Qt.AlignmentFlag.AlignCenter, placeholder or "No data")
        painter.restore()
        return

    title_font = QFont(font)
    title_font.setBold(True)
    title_font.setPointSizeF(font.pointSizeF() * 1.1)
    painter.setFont(title_font)
    painter.setPen(tone.text)
    painter.drawText(
        QRectF(area.left() + 8, area.top() + 4, area.width() - 16, line * 1.4),
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
        data.title,
    )
    painter.setFont(font)
    legend_top = area.top() + 4 + line * 1.5
    legend_lines = _legend(painter, area, legend_top, data, line)

    scale = data.scale or 1
    bar_values = [v / scale for s in data.bars for v in s.values if v is not None]
    line_values = [v / scale for s in data.lines for v in s.values if v is not None]
    top_bar = max([0.0, *bar_values])
    top_line = max([0.0, *line_values])
    low = min([0.0, *bar_values])
    bar_step = nice_step(top_bar - low)
    bar_max = math.ceil(top_bar / bar_step) * bar_step if top_bar > 0 else bar_step
    bar_min = math.floor(low / bar_step) * bar_step if low < 0 else 0.0
    line_step = nice_step(top_line)
    line_max = math.ceil(top_line / line_step) * line_step if top_line > 0 else line_step

    def label(value: float) -> str:
        return f"{data.unit_prefix}{compact(value)}{data.unit_suffix}"

    left_width = max(metrics.horizontalAdvance(label(v)) for v in (bar_max, bar_min)) + 12
    right_width = (
        max(metrics.horizontalAdvance(label(line_max)), metrics.horizontalAdvance("Cumulative"))
        + 14
        if data.lines
        else 12
    )
    plot_top = legend_top + line * (legend_lines + 0.9)
    bottom_space = line * (4.0 if data.open_from is not None else 2.8)
    plot = QRectF(
        area.left() + left_width + 6,
        plot_top,
        area.width() - left_width - right_width - 12,
        area.bottom() - plot_top - bottom_space,
    )
    if plot.width() < 40 or plot.height() < 40:
        painter.restore()
        return

    def y_bar(value: float) -> float:
        return plot.bottom() - (value - bar_min) / (bar_max - bar_min) * plot.height()

    def y_line(value: float) -> float:
        return plot.bottom() - value / line_max * plot.height()

    count = len(data.categories)
    slot = plot.width() / count
    # Open months: shaded, labelled, so forecasts are not read as actuals.
    if data.open_from is not None and data.open_from < count:
        shade = QColor(tone.grid)
        shade.setAlpha(110 if tone.dark else 150)
        start = plot.left() + data.open_from * slot
        painter.fillRect(QRectF(start, plot.top(), plot.right() - start, plot.height()), shade)
        # A bracket under the open months' labels: "forecast".
        y = plot.bottom() + line * 1.45
        painter.setPen(QPen(tone.muted, 1))
        painter.drawLine(QPointF(start + 3, y), QPointF(plot.right() - 3, y))
        painter.drawLine(QPointF(start + 3, y - 3), QPointF(start + 3, y + 1))
        painter.drawLine(QPointF(plot.right() - 3, y - 3), QPointF(plot.right() - 3, y + 1))
        painter.drawText(
            QRectF(start - 60, y + 1, plot.right() - start + 120, line),
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
            "forecast",
        )
    # Grid and left axis.
    painter.setPen(QPen(tone.grid, 1))
    value = bar_min
    while value <= bar_max + bar_step / 2:
        y = y_bar(value)
        painter.setPen(QPen(tone.grid, 1))
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        painter.setPen(tone.muted)
        painter.drawText(
            QRectF(area.left(), y - line / 2, left_width + 2, line),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            label(value),
        )
        value += bar_step
    painter.setPen(QPen(tone.muted, 1))
    painter.drawLine(QPointF(plot.left(), y_bar(0)), QPointF(plot.right(), y_bar(0)))
    # Right axis for the cumulative lines.
    if data.lines:
        value = 0.0
        while value <= line_max + line_step / 2:
            painter.setPen(tone.muted)
            painter.drawText(
                QRectF(plot.right() + 6, y_line(value) - line / 2, right_width, line),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                label(value),
            )
            value += line_step
        painter.drawText(
            QRectF(plot.right() + 6, plot.top() - line * 1.5, right_width, line),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            "Cumulative",
        )
    # Bars.
    groups = max(1, len(data.bars))
    inner = slot * 0.78
    width = inner / groups
    for number, series in enumerate(data.bars):
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(series.colour)
        for index, raw in enumerate(series.values):
            if raw is None:
                continue
            x = plot.left() + index * slot + (slot - inner) / 2 + number * width
            top, bottom = sorted((y_bar(raw / scale), y_bar(0)))
            painter.drawRect(QRectF(x + 0.5, top, max(1.0, width - 1.5), max(1.0, bottom - top)))
    # Lines.
    for series in data.lines:
        path = QPainterPath()
        points = []
        for index, raw in enumerate(series.values):
            if raw is None:
                continue
            point = QPointF(plot.left() + (index + 0.5) * slot, y_line(raw / scale))
            points.append(point)
            if len(points) == 1:
                path.moveTo(point)
            else:
                path.lineTo(point)
        dashed = "budget" in series.name.lower()
        pen = QPen(series.colour, 2.2)
        if dashed:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        painter.setBrush(series.colour)
        painter.setPen(Qt.PenStyle.NoPen)
        for point in points:
            painter.drawEllipse(point, 3.0, 3.0)
    # Category labels (thinned when crowded).
    painter.setPen(tone.text)
    widest = max(metrics.horizontalAdvance(text) for text in data.categories) + 6
    every = max(1, math.ceil(widest / slot))
    for index, text in enumerate(data.categories):
        if index % every:
            continue
        painter.drawText(
            QRectF(plot.left() + index * slot - slot, plot.bottom() + 4, slot * 3, line),
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
            text,
        )
    if data.note:
        painter.setPen(tone.muted)
        note_top = plot.bottom() + line * (2.6 if data.open_from is not None else 1.3)
        painter.drawText(
            QRectF(area.left() + 8, note_top, area.width() - 16, line),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            data.note,
        )
    painter.restore()


def _legend(painter: QPainter, area: QRectF, top: float, data: ChartData, line: float) -> int:
    """Draw the legend from ``top``, wrapping as needed; return the lines it took."""
    tone = colours()
    metrics = painter.fontMetrics()
    entries: list[tuple[str, QColor, bool]] = [(s.name, s.colour, False) for s in data.bars]
    entries += [(s.name, s.colour, True) for s in data.lines]
    x = area.left() + 10
    lines = 1
    right = area.right() - metrics.horizontalAdvance("Cumulative") - 24
    for name, colour, is_line in entries:
        width = 24 + metrics.horizontalAdvance(name) + 18
        if x + width > right and x > area.left() + 10:
            x = area.left() + 10
            top += line * 1.2
            lines += 1
        if is_line:
            pen = QPen(colour, 2.2)
            if "budget" in name.lower():
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawLine(QPointF(x, top + line / 2), QPointF(x + 18, top + line / 2))
        else:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRect(QRectF(x + 3, top + line / 2 - 5, 12, 10))
        painter.setPen(tone.text)
        painter.drawText(
            QPointF(x + 24, top + metrics.ascent() + (line - metrics.height()) / 2), name
        )
        x += width
    return lines
