"""Icons drawn from the SVG files in ``resources/icons``, tinted for the current palette.

Line icons are written with ``stroke="currentColor"``; they are rendered here with the
palette's text colour, so the same file reads on a light and on a dark background.
Coloured icons (unfavourable, warning, the app icon) keep their own colours.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QIconEngine, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from resources import ICONS
from ui.theme import colours


def icon_path(name: str) -> Path:
    return ICONS / f"{name}.svg"


class _SvgEngine(QIconEngine):
    """Renders the tinted SVG when Qt asks for a size, not before (start-up stays cheap)."""

    def __init__(self, source: bytes, disabled: bytes) -> None:
        super().__init__()
        self._sources = (source, disabled)
        self._renderers: dict[bool, QSvgRenderer] = {}
        self._pixmaps: dict[tuple[int, int, bool], QPixmap] = {}

    def _renderer(self, mode: QIcon.Mode) -> QSvgRenderer:
        off = mode == QIcon.Mode.Disabled
        if off not in self._renderers:
            self._renderers[off] = QSvgRenderer(QByteArray(self._sources[off]))
        return self._renderers[off]

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        scale = painter.device().devicePixelRatioF() if painter.device() else 1.0
        pixmap = self.pixmap(rect.size() * scale, mode, state)
        pixmap.setDevicePixelRatio(scale)
        painter.drawPixmap(rect, pixmap)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        key = (size.width(), size.height(), mode == QIcon.Mode.Disabled)
        cached = self._pixmaps.get(key)
        if cached is not None:
            return cached
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._renderer(mode).render(painter, QRectF(QRect(QPoint(0, 0), size)))
        painter.end()
        self._pixmaps[key] = pixmap
        return pixmap

    def clone(self) -> QIconEngine:
        return _SvgEngine(*self._sources)


@lru_cache(maxsize=256)
def _icon(name: str, colour: str) -> QIcon:
    try:
        text = icon_path(name).read_text(encoding="utf-8")
    except OSError:
        return QIcon()  # an install without resources/ shows text, never fails
    source = text.replace("currentColor", colour).encode("utf-8")
    disabled = text.replace("currentColor", "#9aa0a6").encode("utf-8")
    return QIcon(_SvgEngine(source, disabled))


@lru_cache(maxsize=32)
def _brush(colour: str) -> QBrush:
    return QBrush(QColor(colour))


def brush(meaning: str) -> QBrush:
    """The brush for a meaningful colour ("unfavourable", "warning", ...), made once.

    Building a QBrush costs more than the rest of a cell's data: views ask for the
    foreground of every cell on every paint.
    """
    return _brush(getattr(colours(), meaning).name())


def icon(name: str) -> QIcon:
    """The icon ``name`` in the current palette's text colour."""
    return _icon(name, colours().text.name())


def muted_icon(name: str) -> QIcon:
    return _icon(name, colours().muted.name())
