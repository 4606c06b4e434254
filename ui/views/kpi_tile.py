"""A KPI tile: what the figure is, the figure, and how it compares, in words and colour."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ui.icons import icon
from ui.theme import colours


class KpiTile(QFrame):
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
        self.detail.setText(detail)
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
