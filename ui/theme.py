"""Light or dark, following the system, and the few colours that carry meaning.

The Fusion style with a light or dark palette looks the same on every platform and in
headless screenshots. Meaningful colours (unfavourable, favourable, warning, the chart
series) come from here, in a shade that reads on either background; they are never the
only signal (an icon or a word always goes with them).

``PORTFOLIO_COLOR_SCHEME=dark|light`` overrides the system (for screenshots).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication


@dataclass(frozen=True)
class Colours:
    dark: bool
    text: QColor
    muted: QColor
    unfavourable: QColor
    favourable: QColor
    warning: QColor
    tile: QColor
    tile_border: QColor
    grid: QColor
    budget: QColor
    forecast: QColor
    actual: QColor
    cumulative: QColor
    cumulative_budget: QColor
    accent: QColor


LIGHT = Colours(
    dark=False,
    text=QColor("#1f2328"),
    muted=QColor("#5f6670"),
    unfavourable=QColor("#b3261e"),
    favourable=QColor("#1b6e3a"),
    warning=QColor("#8a5300"),
    tile=QColor("#ffffff"),
    tile_border=QColor("#d0d7de"),
    grid=QColor("#e3e7eb"),
    budget=QColor("#9aa7b4"),
    forecast=QColor("#5b8def"),
    actual=QColor("#1f4e9c"),
    cumulative=QColor("#d9730d"),
    cumulative_budget=QColor("#6b7785"),
    accent=QColor("#2f6fde"),
)
DARK = Colours(
    dark=True,
    text=QColor("#e6e8eb"),
    muted=QColor("#a3acb6"),
    unfavourable=QColor("#ff8a80"),
    favourable=QColor("#7fd39a"),
    warning=QColor("#f2b84b"),
    tile=QColor("#262a30"),
    tile_border=QColor("#3b424b"),
    grid=QColor("#343a42"),
    budget=QColor("#6f7b88"),
    forecast=QColor("#7fa7f5"),
    actual=QColor("#b9cffa"),
    cumulative=QColor("#ffa35c"),
    cumulative_budget=QColor("#aab4bf"),
    accent=QColor("#7fa7f5"),
)

_current = LIGHT


def colours() -> Colours:
    return _current


def system_prefers_dark() -> bool:
    wanted = os.environ.get("PORTFOLIO_COLOR_SCHEME", "").strip().lower()
    if wanted in ("dark", "light"):
        return wanted == "dark"
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


def _dark_palette() -> QPalette:
    palette = QPalette()
    window, base, text = QColor("#1e2126"), QColor("#17191d"), DARK.text
    roles = {
        QPalette.ColorRole.Window: window,
        QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base,
        QPalette.ColorRole.AlternateBase: QColor("#202328"),
        QPalette.ColorRole.ToolTipBase: QColor("#2b3038"),
        QPalette.ColorRole.ToolTipText: text,
        QPalette.ColorRole.PlaceholderText: DARK.muted,
        QPalette.ColorRole.Text: text,
        QPalette.ColorRole.Button: QColor("#2a2e35"),
        QPalette.ColorRole.ButtonText: text,
        QPalette.ColorRole.BrightText: QColor("#ffffff"),
        QPalette.ColorRole.Highlight: QColor("#2f5fb3"),
        QPalette.ColorRole.HighlightedText: QColor("#ffffff"),
        QPalette.ColorRole.Link: DARK.accent,
        QPalette.ColorRole.Light: QColor("#3a3f47"),
        QPalette.ColorRole.Midlight: QColor("#30353c"),
        QPalette.ColorRole.Mid: QColor("#2a2e35"),
        QPalette.ColorRole.Dark: QColor("#121417"),
        QPalette.ColorRole.Shadow: QColor("#000000"),
    }
    for role, colour in roles.items():
        palette.setColor(role, colour)
    disabled = QColor("#6b727b")
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return palette


def _light_palette() -> QPalette:
    palette = QPalette(QColor("#f4f5f7"))
    palette.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor("#f6f8fa"))
    palette.setColor(QPalette.ColorRole.Text, LIGHT.text)
    palette.setColor(QPalette.ColorRole.WindowText, LIGHT.text)
    palette.setColor(QPalette.ColorRole.ButtonText, LIGHT.text)
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#cfe0fb"))
    palette.setColor(QPalette.ColorRole.HighlightedText, LIGHT.text)
    palette.setColor(QPalette.ColorRole.PlaceholderText, LIGHT.muted)
    palette.setColor(QPalette.ColorRole.ToolTipBase, QColor("#fffbe6"))
    palette.setColor(QPalette.ColorRole.ToolTipText, LIGHT.text)
    palette.setColor(QPalette.ColorRole.Link, LIGHT.accent)
    return palette


def apply_theme(app: QApplication) -> Colours:
    """Set the style and the palette for the system's light or dark scheme."""
    global _current
    app.setStyle("Fusion")
    dark = system_prefers_dark()
    _current = DARK if dark else LIGHT
    app.setPalette(_dark_palette() if dark else _light_palette())
    return _current


def follow_system(app: QApplication) -> None:
    """Re-apply the palette when the system switches between light and dark."""
    app.styleHints().colorSchemeChanged.connect(lambda _scheme: apply_theme(app))
