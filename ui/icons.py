"""Icons drawn from the SVG files in ``resources/icons``, tinted for the current palette.

Line icons are written with ``stroke="currentColor"``; they are rendered here with the
palette's text colour, so the same file reads on a light and on a dark background.
Coloured icons (unfavourable, warning, the app icon) keep their own colours.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from ui.theme import colours

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
SIZES = (16, 20, 24, 32, 48)


def icon_path(name: str) -> Path:
    return ICONS / f"{name}.svg"


@lru_cache(maxsize=256)
def _icon(name: str, colour: str) -> QIcon:
    source = icon_path(name).read_text(encoding="utf-8").replace("currentColor", colour)
    renderer = QSvgRenderer(QByteArray(source.encode("utf-8")))
    result = QIcon()
    for size in SIZES:
        pixmap = QPixmap(QSize(size, size) * 2)
        pixmap.setDevicePixelRatio(2.0)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        result.addPixmap(pixmap)
    return result


def icon(name: str) -> QIcon:
    """The icon ``name`` in the current palette's text colour."""
    return _icon(name, colours().text.name())


def muted_icon(name: str) -> QIcon:
    return _icon(name, colours().muted.name())
