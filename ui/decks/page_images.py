"""PDF pages as ``QImage``s for the in-app preview, rendered with PDFium (pypdfium2).

Qt's own PDF module (QtPdf) is not part of PySide6-Essentials, so pages are rendered by
pypdfium2: PDFium, the renderer of Chromium, as BSD/Apache-licensed wheels for every
platform with nothing else to install. PDFium is not thread-safe; every call goes
through one lock, so a preview rendering on a worker thread never meets another.

Images are made on the worker thread (a ``QImage`` may be, a ``QPixmap`` may not) and
own their pixels: the bitmap PDFium drew into is freed before they are handed back.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from portfolio.errors import PortfolioError
from portfolio.jobs import Job, quiet

#: Width in pixels each page is drawn at: sharp in a large preview, about 2.7 MB a page.
PAGE_WIDTH = 1280
THUMBNAIL_WIDTH = 144

_pdfium_lock = threading.Lock()


@dataclass(frozen=True)
class PageImage:
    page: QImage
    thumbnail: QImage


def render_pages(
    path: str | Path, *, width: int = PAGE_WIDTH, job: Job | None = None
) -> list[PageImage]:
    """Every page of the PDF at ``path``, ``width`` pixels wide, with a thumbnail."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    job = job or quiet()
    pages: list[PageImage] = []
    with _pdfium_lock:
        try:
            document = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as error:
            raise PortfolioError(f"Cannot preview {Path(path).name}: {error}") from None
        try:
            count = len(document)
            for number in range(count):
                job.step(number / max(count, 1), f"Drawing page {number + 1} of {count}")
                page = document[number]
                try:
                    page_width, _ = page.get_size()
                    bitmap = page.render(
                        scale=width / page_width,
                        force_bitmap_format=pdfium_c.FPDFBitmap_BGR,
                        rev_byteorder=True,  # RGB byte order, as QImage.Format_RGB888 wants
                    )
                    image = QImage(
                        bitmap.buffer,
                        bitmap.width,
                        bitmap.height,
                        bitmap.stride,
                        QImage.Format.Format_RGB888,
                    ).copy()  # own the pixels before PDFium's bitmap goes
                    bitmap.close()
                finally:
                    page.close()
                thumbnail = image.scaledToWidth(
                    THUMBNAIL_WIDTH, Qt.TransformationMode.SmoothTransformation
                )
                pages.append(PageImage(image, thumbnail))
        finally:
            document.close()
    job.step(1.0, f"Drew {len(pages)} pages")
    return pages
