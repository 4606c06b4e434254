"""A short note pinned under a table cell: why a value was refused.

Tooltips vanish when the mouse moves and are not shown for keyboard edits; the balloon
stays until the next click or key (or a few seconds), names the field and gives the
core's reason, so a refused value is explained where it was typed.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt, QTimer
from PySide6.QtWidgets import QLabel, QWidget

from ui.theme import colours


class Balloon(QLabel):
    SHOW_MS = 8000

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setAccessibleName("Refusal")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setMargin(6)
        self.setMaximumWidth(420)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self.hide()

    def show_at(self, rect: QRect, text: str) -> None:
        """Show ``text`` just under ``rect`` (in the parent's coordinates)."""
        tone = colours().unfavourable.name()
        self.setStyleSheet(
            f"QLabel {{ background: palette(tool-tip-base); color: palette(tool-tip-text);"
            f" border: 1px solid {tone}; border-left: 4px solid {tone}; border-radius: 3px; }}"
        )
        self.setText(text)
        self.adjustSize()
        parent = self.parentWidget()
        x = min(rect.left(), max(0, parent.width() - self.width() - 4))
        y = rect.bottom() + 2
        if y + self.height() > parent.height():
            y = max(0, rect.top() - self.height() - 2)
        self.move(QPoint(x, y))
        self.raise_()
        self.show()
        self._timer.start(self.SHOW_MS)
