"""A deck's pages inside the app: thumbnails down the side, the chosen page large.

The pages arrive as ``QImage``s rendered on a worker thread (``ui.decks.page_images``);
this widget only shows them. The large page is scaled to fit with its 16:9 shape kept,
on a neutral backdrop with a thin frame, like a slide on a desk.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QKeyEvent, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ui.decks.page_images import THUMBNAIL_WIDTH, PageImage

MARGIN = 16


class PageView(QWidget):
    """One page, scaled to fit; Page Up / Page Down ask for the neighbours."""

    step = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image: QImage | None = None
        self.placeholder = "No preview yet"
        self.setAccessibleName("Page")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(480, 270)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_image(self, image: QImage | None) -> None:
        self.image = image
        self.update()

    def page_rect(self) -> QRect:
        """Where the page is drawn: as large as fits, 16:9 kept, centred."""
        if self.image is None or self.image.isNull():
            return QRect()
        room = self.rect().adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
        size = self.image.size().scaled(room.size(), Qt.AspectRatioMode.KeepAspectRatio)
        rect = QRect(0, 0, size.width(), size.height())
        rect.moveCenter(room.center())
        return rect

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.color(palette.ColorRole.Window).darker(112))
        target = self.page_rect()
        if target.isNull():
            painter.setPen(palette.color(palette.ColorRole.PlaceholderText))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.placeholder)
            return
        painter.fillRect(target.translated(2, 3), QColor(0, 0, 0, 40))
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(target, self.image)
        painter.setPen(QColor(0, 0, 0, 70))
        painter.drawRect(target.adjusted(0, 0, -1, -1))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        moves = {
            Qt.Key.Key_PageDown: 1,
            Qt.Key.Key_Down: 1,
            Qt.Key.Key_Right: 1,
            Qt.Key.Key_PageUp: -1,
            Qt.Key.Key_Up: -1,
            Qt.Key.Key_Left: -1,
        }
        if event.key() in moves:
            self.step.emit(moves[event.key()])
            return
        super().keyPressEvent(event)


class PagePreview(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Deck preview")
        self.pages: list[PageImage] = []
        self.thumbnails = QListWidget()
        self.thumbnails.setAccessibleName("Pages")
        self.thumbnails.setViewMode(QListView.ViewMode.IconMode)
        self.thumbnails.setFlow(QListView.Flow.TopToBottom)
        self.thumbnails.setWrapping(False)
        self.thumbnails.setMovement(QListView.Movement.Static)
        self.thumbnails.setResizeMode(QListView.ResizeMode.Adjust)
        self.thumbnails.setSpacing(6)
        thumb = QSize(THUMBNAIL_WIDTH, THUMBNAIL_WIDTH * 9 // 16)
        self.thumbnails.setIconSize(thumb)
        self.thumbnails.setFixedWidth(THUMBNAIL_WIDTH + 40)
        self.thumbnails.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.thumbnails.currentRowChanged.connect(self._show)
        self.view = PageView()
        self.view.step.connect(self._step)
        self.caption = QLabel("")
        self.caption.setAccessibleName("Page number")
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.view, 1)
        right.addWidget(self.caption)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.thumbnails)
        layout.addLayout(right, 1)

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def current(self) -> int:
        return self.thumbnails.currentRow()

    def set_placeholder(self, text: str) -> None:
        self.view.placeholder = text
        self.view.update()

    def set_pages(self, pages: list[PageImage]) -> None:
        """Show ``pages``, staying on the same page number when there still is one."""
        keep = max(self.current, 0)
        self.pages = pages
        self.thumbnails.blockSignals(True)
        self.thumbnails.clear()
        for number, page in enumerate(pages, start=1):
            item = QListWidgetItem(QIcon(QPixmap.fromImage(page.thumbnail)), str(number))
            item.setToolTip(f"Page {number}")
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
            self.thumbnails.addItem(item)
        self.thumbnails.blockSignals(False)
        if pages:
            self.thumbnails.setCurrentRow(min(keep, len(pages) - 1))
            self._show(self.thumbnails.currentRow())
        else:
            self.clear()

    def clear(self) -> None:
        self.pages = []
        self.thumbnails.clear()
        self.view.set_image(None)
        self.caption.setText("")

    def show_page(self, index: int) -> None:
        if 0 <= index < len(self.pages):
            self.thumbnails.setCurrentRow(index)

    def _step(self, delta: int) -> None:
        self.show_page(self.current + delta)

    def _show(self, index: int) -> None:
        if not 0 <= index < len(self.pages):
            return
        self.view.set_image(self.pages[index].page)
        self.caption.setText(f"Page {index + 1} of {len(self.pages)}")
