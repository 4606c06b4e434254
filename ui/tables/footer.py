"""The totals under a big table: money summed per currency, aligned with its columns.

Totals come from one SQL query per view state (``ListQuery.totals``), never from rows
in memory, so they cover every row that matches the filter, not just the loaded pages.
Different currencies get a line each: they are never added together.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QFrame, QTableView

from portfolio.naming import counted
from portfolio.queries.listing import ListColumn, Totals
from ui.tables.formatting import display, unfavourable
from ui.theme import colours


class TotalsFooter(QFrame):
    def __init__(self, table: QTableView) -> None:
        super().__init__(table.parentWidget())
        self.table = table
        self.columns: tuple[ListColumn, ...] = ()
        self.totals: list[Totals] | None = None
        self.setAccessibleName("Totals")
        self.setFrameShape(QFrame.Shape.NoFrame)
        header = table.horizontalHeader()
        header.sectionResized.connect(self.update)
        header.sectionMoved.connect(self.update)
        header.geometriesChanged.connect(self.update)
        table.horizontalScrollBar().valueChanged.connect(self.update)
        self._set_height()

    def set_totals(self, columns: tuple[ListColumn, ...], totals: list[Totals] | None) -> None:
        self.columns = columns
        self.totals = totals
        self._set_height()
        self.setToolTip(self.describe())
        self._fit_columns()
        self.update()

    def _fit_columns(self) -> None:
        """Widen a column whose total does not fit (a few strings, not the table's rows)."""
        if not self.totals:
            return
        font = self.font()
        font.setBold(True)
        metrics = QFontMetrics(font)
        header = self.table.horizontalHeader()
        for number, column in enumerate(self.columns):
            texts = [
                ("▼ " if unfavourable(column, total.sums[column.key]) else "")
                + display(column, total.sums[column.key], total.currency)
                for total in self.totals
                if column.key in total.sums
            ]
            if not texts:
                continue
            wanted = max(metrics.horizontalAdvance(text) for text in texts) + 14
            if wanted > header.sectionSize(number):
                header.resizeSection(number, wanted)

    def describe(self) -> str:
        """The totals in words (tooltip and accessibility)."""
        if self.totals is None:
            return "Totals: calculating"
        parts = []
        for total in self.totals:
            sums = ", ".join(
                f"{column.label} {display(column, total.sums[column.key], total.currency)}"
                for column in self.columns
                if column.key in total.sums
            )
            name = f"Total {total.currency}" if total.currency else "Total"
            parts.append(f"{name} ({counted(total.count, 'row')}): {sums}")
        return "\n".join(parts) or "No rows"

    def _lines(self) -> int:
        return max(1, len(self.totals or ()))

    def _set_height(self) -> None:
        self.setFixedHeight(self._lines() * self.table.verticalHeader().defaultSectionSize() + 6)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(200, self.height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        try:
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        palette = self.palette()
        painter.fillRect(self.rect(), palette.alternateBase())
        painter.setPen(palette.mid().color())
        painter.drawLine(0, 0, self.width(), 0)
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        line_height = self.table.verticalHeader().defaultSectionSize()
        header = self.table.horizontalHeader()
        offset = self.table.viewport().geometry().left() + self.table.frameWidth() * 0
        if self.totals is None:
            painter.setPen(colours().muted)
            painter.drawText(
                QRect(8, 3, self.width() - 16, line_height),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                "Totals: calculating…",
            )
            return
        first_visible = next(
            (
                header.logicalIndex(v)
                for v in range(header.count())
                if not header.isSectionHidden(header.logicalIndex(v))
            ),
            0,
        )
        for line, total in enumerate(self.totals):
            top = 3 + line * line_height
            x = header.sectionViewportPosition(first_visible) + offset
            shown = self._in_view(total)
            # The label may run up to the first sum drawn under its column.
            limit = min(
                [header.sectionViewportPosition(n) + offset for n in shown] + [self.width()]
            )
            room = max(limit - x - 12, header.sectionSize(first_visible) * 2, 160)
            metrics = painter.fontMetrics()
            label = self.label_for(
                total, lambda text, m=metrics, r=room: m.horizontalAdvance(text) <= r
            )
            painter.setPen(colours().text)
            painter.drawText(
                QRect(x + 6, top, room, line_height),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                metrics.elidedText(label, Qt.TextElideMode.ElideRight, room),
            )
            for number in shown:
                column = self.columns[number]
                value = total.sums[column.key]
                left = header.sectionViewportPosition(number) + offset
                rect = QRect(left, top, header.sectionSize(number) - 6, line_height)
                bad = unfavourable(column, value)
                painter.setPen(colours().unfavourable if bad else colours().text)
                text = display(column, value, total.currency)
                if bad:
                    text = "▼ " + text
                painter.drawText(
                    rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text
                )

    def _summed(self, total: Totals) -> list[int]:
        """The shown columns ``total`` has a sum for, by number."""
        header = self.table.horizontalHeader()
        return [
            number
            for number, column in enumerate(self.columns)
            if column.key in total.sums and not header.isSectionHidden(number)
        ]

    def _in_view(self, total: Totals) -> list[int]:
        """The summed columns whose right edge, where the sum is drawn, is in view."""
        header = self.table.horizontalHeader()
        width = self.table.viewport().width()
        return [
            number
            for number in self._summed(total)
            if 0 < header.sectionViewportPosition(number) + header.sectionSize(number) <= width
        ]

    def label_for(self, total: Totals, fits=lambda _text: True) -> str:
        """``Total EUR (12 rows)``, followed by the sums whose columns are out of view
        (a narrow pane, a scrolled table): a total must not vanish with its column.

        ``fits(text)``: whether a text fits where it is drawn. Sums are left out whole,
        never cut inside a number (a cut amount reads as another amount): those that do
        not fit are counted ("+2 more", "7 more out of view"), and the tooltip lists
        every one.
        """
        label = f"Total {total.currency}" if total.currency else "Total"
        label += f" ({counted(total.count, 'row')})"
        in_view = set(self._in_view(total))
        away = [
            f"{column.label} {display(column, total.sums[column.key], total.currency)}"
            for column in (self.columns[n] for n in self._summed(total) if n not in in_view)
        ]
        for shown in range(len(away), 0, -1):
            left = len(away) - shown
            text = label + ": " + ", ".join(away[:shown]) + (f", +{left} more" if left else "")
            if fits(text):
                return text
        return label + (f": {len(away)} more out of view" if away else "")
