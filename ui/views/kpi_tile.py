"""A KPI tile: what the figure is, the figure, and how it compares, in words and colour.

A tile never cuts what it says: in a narrow window the figure's font shrinks until the
whole number fits (a cut "$9,483,295,42" reads as another number), and the tile asks
for the height its wrapped title and comparison need.
"""

from __future__ import annotations

import math
import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ui.icons import icon
from ui.theme import colours


def _unbroken_signs(text: str) -> str:
    """``text`` with no line break after a sign: Qt may wrap "Variance -$1,131" after
    the "-", and a figure on the next line without its sign reads as positive (or "+"
    as negative, in red). A word joiner (U+2060, invisible) binds the sign to what
    follows."""
    return re.sub(r"([-+])(?=\S)", "\\1\u2060", text)


class KpiTile(QFrame):
    #: The figure's font shrinks to fit down to this share of its full size; below that
    #: the figure asks for the width it needs rather than be cut.
    SMALLEST = 0.55

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kpi_tile")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(title)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(2)
        self.title = QLabel(title)
        self.title.setWordWrap(True)  # titles name their months; they may take two lines
        self.value = QLabel("…")
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 1.75)
        font.setBold(True)
        self.value.setFont(font)
        self._full_size = font.pointSizeF()
        detail_row = QHBoxLayout()
        detail_row.setSpacing(4)
        self.mark = QLabel()
        self.mark.setFixedWidth(16)
        self.detail = QLabel("")
        self.detail.setWordWrap(True)
        detail_row.addWidget(self.mark, 0, Qt.AlignmentFlag.AlignTop)
        detail_row.addWidget(self.detail, 1)
        layout.addWidget(self.title)
        layout.addWidget(self.value)
        layout.addLayout(detail_row)
        layout.addStretch(1)

    def set_title(self, title: str) -> None:
        if title != self.title.text():
            self.title.setText(title)
            self.setAccessibleName(title)
            self._fit()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """The figure's font as large as fits the tile's width, and the tile's least
        height what its wrapped lines need at this width."""
        margins = self.layout().contentsMargins()
        room = self.contentsRect().width() - margins.left() - margins.right()
        font = self.value.font()
        font.setPointSizeF(self._full_size)
        wanted = QFontMetricsF(font).horizontalAdvance(self.value.text())
        size = self._full_size
        if room > 0 and wanted > room:
            # In half points from the proportional guess down, checked by measuring:
            # glyph widths do not scale exactly with the size.
            smallest = self._full_size * self.SMALLEST
            size = max(smallest, math.floor(2 * size * room / wanted) / 2)
            while size > smallest:
                font.setPointSizeF(size)
                if QFontMetricsF(font).horizontalAdvance(self.value.text()) <= room:
                    break
                size = max(smallest, size - 0.5)
        if size != self.value.font().pointSizeF():
            font.setPointSizeF(size)
            self.value.setFont(font)
        # The least width is the figure's at the smallest size, not at the size chosen:
        # a tile's current size must not hold its column wider than its neighbours'.
        font.setPointSizeF(self._full_size * self.SMALLEST)
        self.value.setMinimumWidth(
            math.ceil(QFontMetricsF(font).horizontalAdvance(self.value.text()))
        )
        height = self.layout().heightForWidth(self.width())
        if height > 0 and height != self.minimumHeight():
            self.setMinimumHeight(height)
        self.restyle()

    def restyle(self) -> None:
        tone = colours()
        self.setStyleSheet(
            f"QFrame#kpi_tile {{ background: {tone.tile.name()};"
            f" border: 1px solid {tone.tile_border.name()}; border-radius: 6px; }}"
        )
        self.title.setStyleSheet(f"color: {tone.muted.name()};")

    def set_figure(
        self, value: str, detail: str = "", *, bad: bool = False, warn: bool = False
    ) -> None:
        tone = colours()
        self.value.setText(value)
        self.detail.setText(_unbroken_signs(detail))
        colour = tone.unfavourable if bad else tone.warning if warn else tone.muted
        self.detail.setStyleSheet(f"color: {colour.name()};")
        if bad:
            self.mark.setPixmap(icon("unfavourable").pixmap(14, 14))
        elif warn:
            self.mark.setPixmap(icon("warning").pixmap(14, 14))
        else:
            self.mark.clear()
        self.setAccessibleDescription(f"{value}. {detail}")
        self.setToolTip(f"{self.title.text()}: {value}\n{detail}")
        self._fit()
