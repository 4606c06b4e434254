"""The deck as a PDF: one ``BaseDocTemplate``, a title and a content page template.

Slides are flowables on 16:9 pages. A slide's title and subtitle are drawn by the page
template from the slide that is current on that page, so a table that flows onto the
next page gets the same title marked "(continued)" and its header row repeated
(``LongTable`` with ``repeatRows``); rows are never cut. The footer carries the firm,
client and period, and "page n of N" (counted in a second pass over saved pages).
All text goes through ``FontBook.markup`` or ``draw_runs``: escaped, one font per run.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    LongTable,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    TableStyle,
)

from portfolio.decks import charts, layout, theme
from portfolio.decks.fonts import BOLD, REGULAR, FontBook, draw_runs
from portfolio.decks.options import Branding
from portfolio.decks.outline import (
    Bullets,
    Cell,
    Chart,
    Deck,
    KpiRow,
    Row,
    Slide,
    Table,
    Text,
)

#: A cell longer than this is shortened (visibly) so that no row outgrows a page.
MAX_CELL_CHARS = 700
FRAME_X = theme.MARGIN
FRAME_Y = theme.FOOTER_HEIGHT + 6
FRAME_W = theme.PAGE_WIDTH - 2 * theme.MARGIN
FRAME_H = theme.PAGE_HEIGHT - theme.CONTENT_TOP - FRAME_Y


def _style(
    name: str,
    size: float,
    *,
    bold: bool = False,
    colour: str = theme.INK,
    align: int = TA_LEFT,
    leading: float | None = None,
) -> ParagraphStyle:
    return ParagraphStyle(
        name,
        fontName=BOLD if bold else REGULAR,
        fontSize=size,
        leading=leading or size * 1.25,
        textColor=colors.HexColor(colour),
        alignment=align,
    )


class SlideMarker(Flowable):
    """Zero-size flowable that tells the page template which slide is now on the page."""

    def __init__(self, slide: Slide) -> None:
        super().__init__()
        self.slide = slide
        self.width = self.height = 0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        doc = self.canv._doctemplate  # type: ignore[attr-defined]
        doc.current_slide = self.slide
        doc.slide_page = self.canv.getPageNumber()


class KpiTiles(Flowable):
    """A row of KPI tiles: label, big value in its tone's colour, one line of detail."""

    HEIGHT = 78.0
    GAP = 12.0

    def __init__(self, row: KpiRow, book: FontBook, accent: str) -> None:
        super().__init__()
        self.row, self.book, self.accent = row, book, accent

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self.HEIGHT

    def draw(self) -> None:
        canvas, book = self.canv, self.book
        count = len(self.row.tiles)
        tile_w = (self.width - self.GAP * (count - 1)) / count
        detail_style = _style("kpi-detail", theme.SIZE_SMALL, colour=theme.MUTED)
        for index, tile in enumerate(self.row.tiles):
            x = index * (tile_w + self.GAP)
            canvas.setFillColor(colors.HexColor(theme.BAND))
            canvas.setStrokeColor(colors.HexColor(theme.RULE))
            canvas.setLineWidth(0.5)
            canvas.roundRect(x, 0, tile_w, self.HEIGHT, 4, stroke=1, fill=1)
            tone = theme.TONE_COLOURS[tile.tone]
            canvas.setFillColor(colors.HexColor(theme.MUTED if tile.tone == "neutral" else tone))
            canvas.rect(x, 0, 3, self.HEIGHT, stroke=0, fill=1)
            canvas.setFillColor(colors.HexColor(theme.MUTED))
            draw_runs(
                canvas,
                x + 12,
                self.HEIGHT - 17,
                tile.label.upper(),
                theme.SIZE_KPI_LABEL,
                book,
                bold=True,
            )
            size = theme.SIZE_KPI_VALUE
            while size > 11 and book.width(tile.value, size, bold=True) > tile_w - 22:
                size -= 1
            canvas.setFillColor(colors.HexColor(tone))
            draw_runs(canvas, x + 12, self.HEIGHT - 43, tile.value, size, book, bold=True)
            if tile.detail:
                paragraph = Paragraph(book.markup(tile.detail), detail_style)
                _, height = paragraph.wrap(tile_w - 22, 30)
                paragraph.drawOn(canvas, x + 12, self.HEIGHT - 52 - height)


class PdfDeck:
    """Renders one ``Deck`` outline to a PDF file."""

    def __init__(self, deck: Deck, branding: Branding, book: FontBook) -> None:
        self.deck, self.branding, self.book = deck, branding, book
        self.accent = branding.accent
        self.footer_tint = theme.tint(self.accent, 0.88)
        self.styles = {
            "body": _style("body", theme.SIZE_BODY, leading=16),
            "bullet": _style("bullet", theme.SIZE_BODY, leading=17),
            "heading": _style("heading", theme.SIZE_BODY, bold=True, leading=16),
            "caption": _style("caption", theme.SIZE_SMALL, colour=theme.MUTED),
            "subtitle": _style("subtitle", theme.SIZE_SUBTITLE, colour=theme.MUTED),
            "title": _style("title", theme.SIZE_SLIDE_TITLE, bold=True, leading=26),
        }
        self._cell_styles: dict[tuple, ParagraphStyle] = {}

    # -- page furniture ------------------------------------------------------------------
    def _title_page(self, canvas: Canvas, doc) -> None:
        book, deck, width, height = self.book, self.deck, theme.PAGE_WIDTH, theme.PAGE_HEIGHT
        accent = colors.HexColor(self.accent)
        canvas.saveState()
        canvas.setFillColor(accent)
        canvas.rect(0, 0, 14, height, stroke=0, fill=1)
        canvas.setFillColor(colors.HexColor(theme.BAND))
        canvas.rect(14, 0, width - 14, 120, stroke=0, fill=1)
        left = 72.0
        canvas.setFillColor(accent)
        draw_runs(canvas, left, height - 150, deck.title.kind.upper(), 12, book, bold=True)
        title_style = _style("client", theme.SIZE_TITLE_SLIDE, bold=True, leading=40)
        client = Paragraph(book.markup(deck.title.client, bold=True), title_style)
        _, client_h = client.wrap(width - 2 * left, 130)
        client.drawOn(canvas, left, height - 170 - client_h)
        y = height - 200 - client_h
        canvas.setFillColor(colors.HexColor(theme.INK))
        draw_runs(canvas, left, y, deck.title.period, 18, book)
        canvas.setStrokeColor(accent)
        canvas.setLineWidth(2)
        canvas.line(left, y - 18, left + 80, y - 18)
        canvas.setFillColor(colors.HexColor(theme.MUTED))
        lines = [
            f"Account director: {deck.title.director}" if deck.title.director else "",
            f"Prepared {deck.title.date}",
        ]
        for index, line in enumerate(text for text in lines if text):
            draw_runs(canvas, left, 74 - index * 18, line, theme.SIZE_BODY, book)
        canvas.setFillColor(colors.HexColor(theme.INK))
        if self.branding.logo is not None:
            self._logo(canvas, width - 72, 40, 180, 60)
        else:
            draw_runs(canvas, width - 72, 66, deck.firm, 16, book, bold=True, align="right")
        canvas.restoreState()

    def _logo(self, canvas: Canvas, right: float, bottom: float, max_w: float, max_h: float):
        from reportlab.lib.utils import ImageReader

        image = ImageReader(str(self.branding.logo))
        image_w, image_h = image.getSize()
        scale = min(max_w / image_w, max_h / image_h)
        canvas.drawImage(
            image, right - image_w * scale, bottom, image_w * scale, image_h * scale, mask="auto"
        )

    def _content_page(self, canvas: Canvas, doc) -> None:
        slide: Slide | None = getattr(doc, "current_slide", None)
        book, width, height = self.book, theme.PAGE_WIDTH, theme.PAGE_HEIGHT
        canvas.saveState()
        canvas.setFillColor(colors.HexColor(self.accent))
        canvas.rect(0, height - 6, width, 6, stroke=0, fill=1)
        if slide is not None:
            continued = getattr(doc, "slide_page", None) != canvas.getPageNumber()
            title = slide.title + (" (continued)" if continued else "")
            canvas.setFillColor(colors.HexColor(theme.INK))
            draw_runs(
                canvas,
                theme.MARGIN,
                height - theme.TITLE_TOP - 12,
                title,
                theme.SIZE_SLIDE_TITLE,
                book,
                bold=True,
            )
            if slide.subtitle:
                subtitle = Paragraph(book.markup(slide.subtitle), self.styles["subtitle"])
                _, sub_h = subtitle.wrap(FRAME_W, 30)
                subtitle.drawOn(canvas, theme.MARGIN, height - theme.TITLE_TOP - 30 - sub_h + 12)
            canvas.setStrokeColor(colors.HexColor(theme.RULE))
            canvas.setLineWidth(0.5)
            canvas.line(
                theme.MARGIN,
                height - theme.CONTENT_TOP + 10,
                width - theme.MARGIN,
                height - theme.CONTENT_TOP + 10,
            )
        # Footer: firm (or logo) left, client and period in the middle; page number right
        # is added by the numbering canvas once the page count is known.
        canvas.setStrokeColor(colors.HexColor(theme.RULE))
        canvas.line(theme.MARGIN, theme.FOOTER_HEIGHT, width - theme.MARGIN, theme.FOOTER_HEIGHT)
        canvas.setFillColor(colors.HexColor(theme.MUTED))
        if self.branding.logo is not None:
            self._logo(canvas, theme.MARGIN + 60, 8, 60, 16)
        else:
            draw_runs(canvas, theme.MARGIN, 14, self.deck.firm, theme.SIZE_FOOTER, book, bold=True)
        draw_runs(canvas, width / 2, 14, self.deck.footer, theme.SIZE_FOOTER, book, align="centre")
        canvas.restoreState()

    # -- blocks ---------------------------------------------------------------------------
    def _cell_style(self, align: str, tone: str, bold: bool, header: bool) -> ParagraphStyle:
        key = (align, tone, bold, header)
        style = self._cell_styles.get(key)
        if style is None:
            colour = "#FFFFFF" if header else theme.TONE_COLOURS[tone]
            alignment = {"left": TA_LEFT, "right": TA_RIGHT, "centre": TA_CENTER}[align]
            style = _style(
                f"cell-{len(self._cell_styles)}",
                theme.SIZE_TABLE,
                bold=bold or header,
                colour=colour,
                align=alignment,
                leading=10.5,
            )
            self._cell_styles[key] = style
        return style

    def _cell(self, cell: Cell, align: str, header: bool = False) -> Paragraph:
        text = cell.text
        if len(text) > MAX_CELL_CHARS:
            text = text[: MAX_CELL_CHARS - 40].rstrip() + " … (shortened; full text in Portfolio)"
        style = self._cell_style(align, cell.tone, cell.bold, header)
        return Paragraph(self.book.markup(text, bold=cell.bold or header), style)

    def _fits_on_a_line(self, cell: Cell, width: float) -> bool:
        """Whether a cell can be a plain string: one line, all in the bundled font."""
        if len(cell.text) > 40 or "\n" in cell.text:
            return False
        runs = self.book.runs(cell.text, bold=cell.bold)
        if len(runs) > 1 or (runs and runs[0][0] not in (REGULAR, BOLD)):
            return False
        return self.book.width(cell.text, theme.SIZE_TABLE, bold=cell.bold) + 10 <= width

    def _table(self, table: Table) -> list[Flowable]:
        widths = layout.column_widths(table, FRAME_W, self.book)
        header = [self._cell(Cell(c.header), c.align, header=True) for c in table.columns]
        style: list[tuple] = [
            ("FONTNAME", (0, 1), (-1, -1), REGULAR),
            ("FONTSIZE", (0, 1), (-1, -1), theme.SIZE_TABLE),
            ("LEADING", (0, 1), (-1, -1), 10.5),
            ("TEXTCOLOR", (0, 1), (-1, -1), colors.HexColor(theme.INK)),
        ]
        body = []
        for r, row in enumerate([*table.rows, *table.footer], start=1):
            cells: list = []
            for c, (cell, column) in enumerate(zip(row, table.columns, strict=True)):
                if self._fits_on_a_line(cell, widths[c]):
                    # A figure: a plain string (never parsed as markup), styled per cell,
                    # which reportlab draws many times faster than a Paragraph.
                    cells.append(cell.text)
                    if column.align != "left":
                        style.append(("ALIGN", (c, r), (c, r), column.align.upper()))
                    if cell.bold:
                        style.append(("FONTNAME", (c, r), (c, r), BOLD))
                    if cell.tone != "neutral":
                        colour = colors.HexColor(theme.TONE_COLOURS[cell.tone])
                        style.append(("TEXTCOLOR", (c, r), (c, r), colour))
                else:
                    cells.append(self._cell(cell, column.align))
            body.append(cells)
        data = [header, *body]
        style += [
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(theme.INK)),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 3.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
            ("LEFTPADDING", (0, 0), (-1, -1), 5),
            ("RIGHTPADDING", (0, 0), (-1, -1), 5),
            ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor(theme.RULE)),
        ]
        for index in range(1, len(table.rows) + 1):
            if index % 2 == 0:
                style.append(("BACKGROUND", (0, index), (-1, index), colors.HexColor(theme.BAND)))
        if table.footer:
            first = len(table.rows) + 1
            style += [
                ("LINEABOVE", (0, first), (-1, first), 1, colors.HexColor(theme.INK)),
                ("BACKGROUND", (0, first), (-1, -1), colors.HexColor(self.footer_tint)),
            ]
        grid = LongTable(data, colWidths=widths, repeatRows=1, style=TableStyle(style))
        flowables: list[Flowable] = []
        if table.caption:
            caption = Paragraph(self.book.markup(table.caption), self.styles["caption"])
            # Keep a caption with at least the header and a few rows.
            flowables += [CondPageBreak(80), caption, Spacer(1, 4)]
        flowables += [grid, Spacer(1, 12)]
        return flowables

    def _chart(self, chart: Chart, width: float, height: float) -> Flowable | None:
        """The chart with its caption above it, or None for a chart with nothing to show."""
        if not charts.has_values(chart):
            return None
        drawing = charts.draw(chart, width, height, self.book)
        if not chart.caption:
            return drawing
        caption = Paragraph(self.book.markup(chart.caption), self.styles["caption"])
        inner = LongTable([[caption], [drawing]], colWidths=[width])
        inner.setStyle(
            TableStyle(
                [
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        return inner

    def _charts(self, row: tuple[Chart, ...], height: float) -> list[Flowable]:
        gap = 24.0
        width = (FRAME_W - gap * (len(row) - 1)) / len(row)
        drawn = [d for d in (self._chart(c, width, height) for c in row) if d is not None]
        if not drawn:
            return []
        if len(drawn) == 1:
            return [drawn[0], Spacer(1, 10)]
        grid = LongTable([drawn], colWidths=[width + gap] * (len(drawn) - 1) + [width])
        grid.setStyle(
            TableStyle(
                [
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return [grid, Spacer(1, 10)]

    def _agenda(self, bullets: Bullets) -> list[Flowable]:
        style = _style("agenda", 15, leading=20)
        rows = [
            [
                Paragraph(f'<font color="{self.accent}"><b>{index:02d}</b></font>', style),
                Paragraph(self.book.markup(item), style),
            ]
            for index, item in enumerate(bullets.items, start=1)
        ]
        half = (len(rows) + 1) // 2
        columns = [rows[:half], rows[half:]] if len(rows) > 7 else [rows]
        flowables: list[Flowable] = []
        grids = []
        for part in columns:
            grid = LongTable(part, colWidths=[40, FRAME_W / len(columns) - 60])
            grid.setStyle(
                TableStyle(
                    [
                        ("LEFTPADDING", (0, 0), (-1, -1), 0),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 9),
                        ("LINEBELOW", (1, 0), (1, -1), 0.25, colors.HexColor(theme.RULE)),
                    ]
                )
            )
            grids.append(grid)
        outer = LongTable([grids], colWidths=[FRAME_W / len(grids)] * len(grids))
        outer.setStyle(
            TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
        )
        flowables += [Spacer(1, 16), outer]
        return flowables

    def _blocks(self, slide: Slide) -> list[Flowable]:
        out: list[Flowable] = []
        chart_h = layout.chart_height(slide.blocks, FRAME_H)
        for block in slide.blocks:
            if isinstance(block, KpiRow):
                out += [KpiTiles(block, self.book, self.accent), Spacer(1, 12)]
            elif isinstance(block, Table):
                out += self._table(block)
            elif isinstance(block, Chart):
                out += self._charts((block,), chart_h)
            elif isinstance(block, Row):
                out += self._charts(block.charts, chart_h)
            elif isinstance(block, Bullets) and slide.key == "agenda":
                out += self._agenda(block)
            elif isinstance(block, Bullets):
                if block.heading:
                    out.append(
                        Paragraph(
                            self.book.markup(block.heading, bold=True), self.styles["heading"]
                        )
                    )
                    out.append(Spacer(1, 4))
                for item in block.items:
                    out.append(
                        Paragraph(self.book.markup(item), self.styles["bullet"], bulletText="•")
                    )
                    out.append(Spacer(1, 3))
                out.append(Spacer(1, 8))
            elif isinstance(block, Text):
                if block.heading:
                    out.append(
                        Paragraph(
                            self.book.markup(block.heading, bold=True), self.styles["heading"]
                        )
                    )
                for paragraph in block.paragraphs:
                    out.append(Paragraph(self.book.markup(paragraph), self.styles["body"]))
                out.append(Spacer(1, 8))
        return out

    # -- the document --------------------------------------------------------------------
    def story(self) -> list[Flowable]:
        story: list[Flowable] = [Spacer(1, 1), NextPageTemplate("content")]
        for slide in self.deck.slides:
            blocks = self._blocks(slide)
            while blocks and isinstance(blocks[-1], Spacer):
                blocks.pop()  # a trailing gap must not spill onto a blank page
            story += [PageBreak(), SlideMarker(slide), *blocks]
        return story

    def write(self, path: Path) -> int:
        """Write the PDF to ``path``; returns the number of pages."""
        doc = BaseDocTemplate(
            str(path),
            pagesize=(theme.PAGE_WIDTH, theme.PAGE_HEIGHT),
            leftMargin=0,
            rightMargin=0,
            topMargin=0,
            bottomMargin=0,
            title=f"{self.deck.title.client}: {self.deck.title.kind}, {self.deck.title.period}",
            author=self.deck.title.director or self.deck.firm,
            creator="Portfolio",
            subject=self.deck.footer,
        )
        full = Frame(0, 0, theme.PAGE_WIDTH, theme.PAGE_HEIGHT, id="full")
        body = Frame(
            FRAME_X,
            FRAME_Y,
            FRAME_W,
            FRAME_H,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        doc.addPageTemplates(
            [
                PageTemplate("title", frames=[full], onPage=self._title_page),
                PageTemplate("content", frames=[body], onPageEnd=self._content_page),
            ]
        )
        pages: list[int] = []
        doc.build(self.story(), canvasmaker=_numbering(self.book, pages))
        return pages[0] if pages else 0


def _numbering(book: FontBook, pages: list[int]):
    """A canvas class that writes "n / N" on every page but the title once N is known."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._saved_pages: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._saved_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._saved_pages)
            pages.append(total)
            for state in self._saved_pages:
                self.__dict__.update(state)
                number = self.getPageNumber()
                if number > 1:
                    self.setFillColor(colors.HexColor(theme.MUTED))
                    draw_runs(
                        self,
                        theme.PAGE_WIDTH - theme.MARGIN,
                        14,
                        f"{number} / {total}",
                        theme.SIZE_FOOTER,
                        book,
                        align="right",
                    )
                super().showPage()
            super().save()

    return NumberedCanvas
