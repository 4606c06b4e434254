"""Why a value was refused, in a strip right under its table.

The strip sits in the panel's layout, not over the table: it covers no cell, takes no
click and no key (the refused cell keeps the focus and its text), and stays until the
value is saved or the edit is cancelled - a reason that vanishes after a few seconds or
when the mouse moves is a reason nobody read. It names the cell and gives the core's
reason, and the status bar repeats it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from ui.theme import colours


class Balloon(QLabel):
    def __init__(self, parent: QWidget, name: str = "Refusal") -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setAccessibleName(name)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setMargin(6)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.hide()

    def show_text(self, text: str, *, warning: bool = False) -> None:
        """Show ``text``; a ``warning`` is advice about a value that was taken."""
        tone = (colours().warning if warning else colours().unfavourable).name()
        # A style sheet re-polishes the label: set it only when the tone changes (the
        # figure pages say the same note again at every change of level or period).
        style = (
            f"QLabel {{ background: palette(tool-tip-base); color: palette(tool-tip-text);"
            f" border: 1px solid {tone}; border-left: 4px solid {tone}; border-radius: 3px; }}"
        )
        if style != self.styleSheet():
            self.setStyleSheet(style)
        shown = f"{'ⓘ' if warning else '⚠'} {text}"
        if shown != self.text():
            self.setText(shown)
        self.show()

    def show_or_hide(self, text: str | None, *, warning: bool = False) -> None:
        """``show_text(text)``, or hide the strip when there is nothing to say (None)."""
        if text is None:
            self.clear()
            self.hide()
        else:
            self.show_text(text, warning=warning)
