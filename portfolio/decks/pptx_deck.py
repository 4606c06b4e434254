"""The deck as PowerPoint (python-pptx): native charts and tables a director can edit.

Same outline, same order, same words as the PDF. Charts are real PowerPoint charts with
their data in the embedded workbook (budget, forecast and actual as columns, the
cumulative lines on a secondary axis); tables are real tables. PowerPoint does not flow
a table onto the next slide, so a long table is split here: as many rows as fit, then
a "(continued)" slide with the header row repeated.
"""

from __future__ import annotations

import copy
from pathlib import Path
from xml.sax.saxutils import escape

from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Pt

from portfolio.decks import layout, theme
from portfolio.decks.charts import has_values
from portfolio.decks.fonts import FontBook
from portfolio.decks.options import Branding
from portfolio.decks.outline import Bullets, Cell, Chart, Deck, KpiRow, Row, Slide, Table, Text
from portfolio.money import SYMBOLS

FONT = "Calibri"
CONTENT_BOTTOM = theme.PAGE_HEIGHT - theme.FOOTER_HEIGHT - 6
ROW_LINE = 11.5  # points per line of table text
ROW_PAD = 7.0
ALIGN = {"left": PP_ALIGN.LEFT, "right": PP_ALIGN.RIGHT, "centre": PP_ALIGN.CENTER}


def rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def _number_format(value_format: str, top: float) -> str:
    if value_format in ("count", "score"):
        return "#,##0"
    currency = value_format.split(":", 1)[1]
    symbol = SYMBOLS.get(currency, "").strip()
    prefix = f'"{symbol}"' if symbol else ""
    suffix = "" if symbol else f' "{currency}"'
    if top >= 1e6:
        return f'{prefix}#,##0.0,,"M"{suffix}'
    if top >= 1e4:
        return f'{prefix}#,##0,"k"{suffix}'
    return f"{prefix}#,##0{suffix}"


class PptxDeck:
    """Renders one ``Deck`` outline to a ``.pptx`` file."""

    def __init__(self, deck: Deck, branding: Branding, book: FontBook) -> None:
        self.deck, self.branding, self.book = deck, branding, book
        self.accent = branding.accent
        self.footer_tint = theme.tint(self.accent, 0.88)
        self.prs = Presentation()
        self.prs.slide_width = Pt(theme.PAGE_WIDTH)
        self.prs.slide_height = Pt(theme.PAGE_HEIGHT)
        self.blank = self.prs.slide_layouts[6]
        self.title_only = self.prs.slide_layouts[5]

    # -- text helpers -------------------------------------------------------------------
    def _text(
        self,
        slide,
        x,
        y,
        w,
        h,
        text,
        size,
        *,
        bold=False,
        colour=theme.INK,
        align="left",
        anchor=MSO_ANCHOR.TOP,
        wrap=True,
    ):
        box = slide.shapes.add_textbox(Pt(x), Pt(y), Pt(w), Pt(h))
        frame = box.text_frame
        frame.word_wrap = wrap
        frame.vertical_anchor = anchor
        frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = 0
        paragraph = frame.paragraphs[0]
        paragraph.alignment = ALIGN[align]
        run = paragraph.add_run()
        run.text = text
        self._font(run.font, size, bold, colour)
        return box

    @staticmethod
    def _font(font, size, bold=False, colour=theme.INK) -> None:
        font.name = FONT
        font.size = Pt(size)
        font.bold = bold
        font.color.rgb = rgb(colour)

    def _rect(self, slide, x, y, w, h, fill, *, line=None, shape=MSO_SHAPE.RECTANGLE):
        box = slide.shapes.add_shape(shape, Pt(x), Pt(y), Pt(w), Pt(h))
        box.fill.solid()
        box.fill.fore_color.rgb = rgb(fill)
        if line:
            box.line.color.rgb = rgb(line)
            box.line.width = Pt(0.5)
        else:
            box.line.fill.background()
        box.shadow.inherit = False
        return box

    # -- slides --------------------------------------------------------------------------
    def _title_slide(self) -> None:
        slide = self.prs.slides.add_slide(self.blank)
        title, width, height = self.deck.title, theme.PAGE_WIDTH, theme.PAGE_HEIGHT
        self._rect(slide, 0, 0, 14, height, self.accent)
        self._rect(slide, 14, height - 120, width - 14, 120, theme.BAND)
        self._text(slide, 72, 140, 700, 20, title.kind.upper(), 12, bold=True, colour=self.accent)
        self._text(
            slide,
            72,
            168,
            width - 144,
            90,
            title.client,
            theme.SIZE_TITLE_SLIDE,
            bold=True,
            anchor=MSO_ANCHOR.TOP,
        )
        self._text(slide, 72, 262, width - 144, 26, title.period, 18)
        line = slide.shapes.add_connector(1, Pt(72), Pt(296), Pt(152), Pt(296))
        line.line.color.rgb = rgb(self.accent)
        line.line.width = Pt(2)
        lines = [
            f"Account director: {title.director}" if title.director else "",
            f"Prepared {title.date}",
        ]
        for index, text in enumerate(t for t in lines if t):
            self._text(
                slide,
                72,
                height - 86 + index * 18,
                500,
                16,
                text,
                theme.SIZE_BODY,
                colour=theme.MUTED,
            )
        if self.branding.logo is not None:
            self._logo(slide, width - 72, height - 100, 180, 60)
        else:
            self._text(
                slide,
                width - 472,
                height - 80,
                400,
                24,
                self.deck.firm,
                16,
                bold=True,
                align="right",
            )

    def _logo(self, slide, right, top, max_w, max_h) -> None:
        from PIL import Image

        with Image.open(self.branding.logo) as image:
            image_w, image_h = image.size
        scale = min(max_w / image_w, max_h / image_h)
        slide.shapes.add_picture(
            str(self.branding.logo),
            Pt(right - image_w * scale),
            Pt(top),
            Pt(image_w * scale),
            Pt(image_h * scale),
        )

    def _content_slide(self, slide_spec: Slide, continued: bool):
        slide = self.prs.slides.add_slide(self.title_only)
        self._rect(slide, 0, 0, theme.PAGE_WIDTH, 6, self.accent)
        title = slide.shapes.title
        title.left, title.top = Pt(theme.MARGIN), Pt(theme.TITLE_TOP - 14)
        title.width, title.height = Pt(theme.PAGE_WIDTH - 2 * theme.MARGIN), Pt(30)
        frame = title.text_frame
        frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = 0
        frame.vertical_anchor = MSO_ANCHOR.TOP
        frame.text = slide_spec.title + (" (continued)" if continued else "")
        paragraph = frame.paragraphs[0]
        paragraph.alignment = PP_ALIGN.LEFT
        self._font(paragraph.runs[0].font, theme.SIZE_SLIDE_TITLE, True)
        if slide_spec.subtitle:
            self._text(
                slide,
                theme.MARGIN,
                theme.TITLE_TOP + 18,
                theme.PAGE_WIDTH - 2 * theme.MARGIN,
                16,
                slide_spec.subtitle,
                theme.SIZE_SUBTITLE,
                colour=theme.MUTED,
            )
        rule = slide.shapes.add_connector(
            1,
            Pt(theme.MARGIN),
            Pt(theme.CONTENT_TOP - 10),
            Pt(theme.PAGE_WIDTH - theme.MARGIN),
            Pt(theme.CONTENT_TOP - 10),
        )
        rule.line.color.rgb = rgb(theme.RULE)
        rule.line.width = Pt(0.5)
        self._footer(slide)
        return slide

    def _footer(self, slide) -> None:
        y = theme.PAGE_HEIGHT - theme.FOOTER_HEIGHT + 8
        rule = slide.shapes.add_connector(
            1, Pt(theme.MARGIN), Pt(y - 6), Pt(theme.PAGE_WIDTH - theme.MARGIN), Pt(y - 6)
        )
        rule.line.color.rgb = rgb(theme.RULE)
        rule.line.width = Pt(0.5)
        if self.branding.logo is not None:
            self._logo(slide, theme.MARGIN + 60, y - 2, 60, 16)
        else:
            self._text(
                slide,
                theme.MARGIN,
                y,
                250,
                12,
                self.deck.firm,
                theme.SIZE_FOOTER,
                bold=True,
                colour=theme.MUTED,
            )
        self._text(
            slide,
            theme.PAGE_WIDTH / 2 - 250,
            y,
            500,
            12,
            self.deck.footer,
            theme.SIZE_FOOTER,
            colour=theme.MUTED,
            align="centre",
        )

    def _page_numbers(self) -> None:
        total = len(self.prs.slides)
        y = theme.PAGE_HEIGHT - theme.FOOTER_HEIGHT + 8
        for number, slide in enumerate(self.prs.slides, start=1):
            if number > 1:
                self._text(
                    slide,
                    theme.PAGE_WIDTH - theme.MARGIN - 100,
                    y,
                    100,
                    12,
                    f"{number} / {total}",
                    theme.SIZE_FOOTER,
                    colour=theme.MUTED,
                    align="right",
                )

    # -- blocks --------------------------------------------------------------------------
    def _kpis(self, slide, row: KpiRow, top: float) -> float:
        gap, count = 12.0, len(row.tiles)
        width = (theme.PAGE_WIDTH - 2 * theme.MARGIN - gap * (count - 1)) / count
        height = 78.0
        for index, tile in enumerate(row.tiles):
            x = theme.MARGIN + index * (width + gap)
            self._rect(slide, x, top, width, height, theme.BAND, line=theme.RULE)
            tone = theme.TONE_COLOURS[tile.tone]
            self._rect(slide, x, top, 3, height, theme.MUTED if tile.tone == "neutral" else tone)
            self._text(
                slide,
                x + 12,
                top + 8,
                width - 20,
                12,
                tile.label.upper(),
                theme.SIZE_KPI_LABEL,
                bold=True,
                colour=theme.MUTED,
            )
            self._text(
                slide,
                x + 12,
                top + 22,
                width - 20,
                26,
                tile.value,
                theme.SIZE_KPI_VALUE,
                bold=True,
                colour=tone,
            )
            if tile.detail:
                self._text(
                    slide,
                    x + 12,
                    top + 50,
                    width - 20,
                    24,
                    tile.detail,
                    theme.SIZE_SMALL,
                    colour=theme.MUTED,
                )
        return top + height + 12

    def _row_height(self, cells, widths) -> float:
        lines = 1
        for cell, width in zip(cells, widths, strict=True):
            text_width = self.book.width(cell.text, theme.SIZE_TABLE, bold=cell.bold)
            lines = max(lines, int(text_width // max(width - 10, 10)) + 1)
        return lines * ROW_LINE + ROW_PAD

    def _table(self, slide_spec: Slide, slide, table: Table, top: float) -> tuple[object, float]:
        """Place ``table`` from ``top``, adding continuation slides as needed."""
        total_w = theme.PAGE_WIDTH - 2 * theme.MARGIN
        widths = layout.column_widths(table, total_w, self.book)
        header_h = self._row_height([Cell(c.header, bold=True) for c in table.columns], widths)
        rows = [*table.rows, *table.footer]
        footer_from = len(table.rows)
        start = 0
        while start < len(rows):
            caption_h = 14.0 if table.caption else 0.0
            room = CONTENT_BOTTOM - top - caption_h - header_h
            chunk, used = [], 0.0
            for index in range(start, len(rows)):
                height = self._row_height(rows[index], widths)
                if chunk and used + height > room:
                    break
                chunk.append(index)
                used += height
            if not chunk or (used > room and top > theme.CONTENT_TOP + 1):
                slide = self._content_slide(slide_spec, continued=True)
                top = theme.CONTENT_TOP
                continue
            if table.caption:
                self._text(
                    slide,
                    theme.MARGIN,
                    top,
                    total_w,
                    12,
                    table.caption,
                    theme.SIZE_SMALL,
                    colour=theme.MUTED,
                )
                top += caption_h
            self._place_table(
                slide,
                table,
                [rows[i] for i in chunk],
                widths,
                top,
                header_h,
                [i >= footer_from for i in chunk],
            )
            top += header_h + used + 12
            start = chunk[-1] + 1
            if start < len(rows):
                slide = self._content_slide(slide_spec, continued=True)
                top = theme.CONTENT_TOP
        return slide, top

    def _place_table(self, slide, table: Table, rows, widths, top, header_h, is_footer) -> None:
        heights = [self._row_height(r, widths) for r in rows]
        shape = slide.shapes.add_table(
            1,
            len(table.columns),
            Pt(theme.MARGIN),
            Pt(top),
            Pt(sum(widths)),
            Pt(header_h + sum(heights)),
        )
        grid = shape.table
        grid.first_row = True
        grid.horz_banding = False
        for index, width in enumerate(widths):
            grid.columns[index].width = Pt(width)
        # Rows are written as DrawingML directly: the object model costs milliseconds per
        # cell, and an appendix has thousands. The text is XML-escaped like any other.
        header = [(c.header, c.align, True, "#FFFFFF", theme.INK) for c in table.columns]
        xml = [_row_xml(header, header_h)]
        for r, (cells, footer) in enumerate(zip(rows, is_footer, strict=True), start=1):
            fill = self.footer_tint if footer else theme.BAND if r % 2 == 0 else "#FFFFFF"
            xml.append(
                _row_xml(
                    [
                        (cell.text, column.align, cell.bold, theme.TONE_COLOURS[cell.tone], fill)
                        for cell, column in zip(cells, table.columns, strict=True)
                    ],
                    heights[r - 1],
                )
            )
        tbl = grid._tbl
        for old in tbl.findall(qn("a:tr")):
            tbl.remove(old)
        fragment = etree.fromstring(f'<a:rows xmlns:a="{_A}">{"".join(xml)}</a:rows>')
        for row in list(fragment):
            tbl.append(row)

    def _chart(self, slide, chart: Chart, x, y, w, h) -> None:
        if chart.caption:
            self._text(slide, x, y, w, 12, chart.caption, theme.SIZE_SMALL, colour=theme.MUTED)
            y, h = y + 14, h - 14
        data = CategoryChartData()
        data.categories = list(chart.categories)
        series = [*chart.bars, *chart.lines]
        for item in series:
            data.add_series(item.name, [None if v is None else float(v) for v in item.values])
        kind = XL_CHART_TYPE.COLUMN_CLUSTERED if chart.bars else XL_CHART_TYPE.LINE_MARKERS
        frame = slide.shapes.add_chart(kind, Pt(x), Pt(y), Pt(w), Pt(h), data)
        graphic = frame.chart
        graphic.has_title = False
        graphic.has_legend = True
        graphic.legend.position = XL_LEGEND_POSITION.TOP
        graphic.legend.include_in_layout = False
        graphic.legend.font.size = Pt(theme.SIZE_SMALL)
        graphic.font.size = Pt(theme.SIZE_SMALL)
        graphic.font.name = FONT
        plot = graphic.plots[0]
        for index, item in enumerate(series):
            s = plot.series[index]
            colour = rgb(theme.SERIES_COLOURS.get(item.role, theme.INK))
            if index < len(chart.bars):
                s.format.fill.solid()
                s.format.fill.fore_color.rgb = colour
            else:
                s.format.line.color.rgb = colour
                s.format.line.width = Pt(2)
                if item.role in ("cumulative_budget", "previous"):
                    s.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
                s.smooth = False
        if chart.bars:
            plot.gap_width = 60
            plot.overlap = -5
        values = [float(v) for s in chart.bars or chart.lines for v in s.values if v is not None]
        value_axis = graphic.value_axis
        value_axis.has_major_gridlines = True
        value_axis.major_gridlines.format.line.color.rgb = rgb("#E4E7EB")
        value_axis.tick_labels.number_format = _number_format(chart.value_format, max(values + [0]))
        value_axis.tick_labels.number_format_is_linked = False
        value_axis.minimum_scale = 0
        if chart.y_max is not None:
            value_axis.maximum_scale = float(chart.y_max)
        value_axis.has_title = True
        value_axis.axis_title.text_frame.text = chart.y_title
        self._font(
            value_axis.axis_title.text_frame.paragraphs[0].runs[0].font,
            theme.SIZE_SMALL,
            colour=theme.MUTED,
        )
        if chart.bars and chart.lines:
            top = max([float(v) for s in chart.lines for v in s.values if v is not None] + [0])
            _lines_on_secondary_axis(
                graphic, len(chart.bars), chart.y2_title, _number_format(chart.value_format, top)
            )

    def _blocks(self, slide_spec: Slide, slide) -> None:
        top = theme.CONTENT_TOP
        available = CONTENT_BOTTOM - theme.CONTENT_TOP
        chart_h = layout.chart_height(slide_spec.blocks, available)
        width = theme.PAGE_WIDTH - 2 * theme.MARGIN
        for block in slide_spec.blocks:
            if isinstance(block, KpiRow):
                top = self._kpis(slide, block, top)
            elif isinstance(block, Table):
                slide, top = self._table(slide_spec, slide, block, top)
            elif isinstance(block, Chart | Row):
                row = block.charts if isinstance(block, Row) else (block,)
                row = tuple(c for c in row if has_values(c))
                if not row:
                    continue
                if top + chart_h > CONTENT_BOTTOM + 1:
                    slide = self._content_slide(slide_spec, continued=True)
                    top = theme.CONTENT_TOP
                gap = 24.0
                each = (width - gap * (len(row) - 1)) / len(row)
                for index, chart in enumerate(row):
                    self._chart(
                        slide, chart, theme.MARGIN + index * (each + gap), top, each, chart_h
                    )
                top += chart_h + 10
            elif isinstance(block, Bullets | Text):
                top = self._paragraphs(slide, slide_spec, block, top)

    def _paragraphs(self, slide, slide_spec: Slide, block, top: float) -> float:
        items = block.items if isinstance(block, Bullets) else block.paragraphs
        agenda = slide_spec.key == "agenda"
        size = 15 if agenda else theme.SIZE_BODY
        height = layout.block_height(block) + (len(items) * 6 if agenda else 0)
        box = slide.shapes.add_textbox(
            Pt(theme.MARGIN), Pt(top), Pt(theme.PAGE_WIDTH - 2 * theme.MARGIN), Pt(height)
        )
        frame = box.text_frame
        frame.word_wrap = True
        first = True
        if block.heading:
            paragraph = frame.paragraphs[0]
            run = paragraph.add_run()
            run.text = block.heading
            self._font(run.font, theme.SIZE_BODY, True)
            first = False
        for index, item in enumerate(items, start=1):
            paragraph = frame.paragraphs[0] if first else frame.add_paragraph()
            first = False
            paragraph.space_after = Pt(8 if agenda else 4)
            if agenda:
                number = paragraph.add_run()
                number.text = f"{index:02d}   "
                self._font(number.font, size, True, self.accent)
            elif isinstance(block, Bullets):
                bullet = paragraph.add_run()
                bullet.text = "•  "
                self._font(bullet.font, size)
            run = paragraph.add_run()
            run.text = item
            self._font(run.font, size)
        return top + height + 8

    def write(self, path: Path) -> int:
        self._title_slide()
        for slide_spec in self.deck.slides:
            slide = self._content_slide(slide_spec, continued=False)
            self._blocks(slide_spec, slide)
        self._page_numbers()
        core = self.prs.core_properties
        core.title = f"{self.deck.title.client}: {self.deck.title.kind}, {self.deck.title.period}"
        core.author = self.deck.title.director or self.deck.firm
        core.subject = self.deck.footer
        self.prs.save(str(path))
        return len(self.prs.slides)


_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_ALGN = {"left": "l", "right": "r", "centre": "ctr"}


def _row_xml(cells: list[tuple[str, str, bool, str, str]], height: float) -> str:
    """One ``a:tr``: each cell (text, align, bold, text colour, fill) as in ``_cell``."""
    out = [f'<a:tr h="{int(Pt(height))}">']
    for text, align, bold, colour, fill in cells:
        run = ""
        if text:
            run = (
                f'<a:r><a:rPr lang="en-GB" sz="{int(theme.SIZE_TABLE * 100)}" '
                f'b="{1 if bold else 0}" dirty="0"><a:solidFill><a:srgbClr '
                f'val="{colour.lstrip("#")}"/></a:solidFill><a:latin typeface="{FONT}"/>'
                f"</a:rPr><a:t>{escape(text)}</a:t></a:r>"
            )
        out.append(
            f'<a:tc><a:txBody><a:bodyPr wrap="square"/><a:lstStyle/><a:p>'
            f'<a:pPr algn="{_ALGN[align]}"/>{run}</a:p></a:txBody>'
            f'<a:tcPr marL="{int(Pt(5))}" marR="{int(Pt(5))}" marT="{int(Pt(3))}" '
            f'marB="{int(Pt(3))}" anchor="t"><a:solidFill><a:srgbClr val="{fill.lstrip("#")}"/>'
            f"</a:solidFill></a:tcPr></a:tc>"
        )
    out.append("</a:tr>")
    return "".join(out)


def _lines_on_secondary_axis(graphic, bar_count: int, title: str, number_format: str) -> None:
    """Move the series after the bars into a line chart on a second value axis.

    python-pptx draws one chart type per chart; a combo chart is plain DrawingML, so the
    line series (already in the embedded workbook) are moved into a ``c:lineChart`` with
    its own hidden category axis and a value axis on the right.
    """
    plot_area = graphic._chartSpace.chart.plotArea
    bar_chart = plot_area.find(qn("c:barChart"))
    series = bar_chart.findall(qn("c:ser"))[bar_count:]
    line_chart = etree.SubElement(plot_area, qn("c:lineChart"))
    bar_chart.addnext(line_chart)
    etree.SubElement(line_chart, qn("c:grouping")).set("val", "standard")
    etree.SubElement(line_chart, qn("c:varyColors")).set("val", "0")
    for ser in series:
        bar_chart.remove(ser)
        for child in ser.findall(qn("c:invertIfNegative")):
            ser.remove(child)
        marker = etree.Element(qn("c:marker"))
        etree.SubElement(marker, qn("c:symbol")).set("val", "none")
        anchor = ser.find(qn("c:spPr"))
        if anchor is None:
            anchor = ser.find(qn("c:tx"))
        anchor.addnext(marker)
        etree.SubElement(ser, qn("c:smooth")).set("val", "0")
        line_chart.append(ser)
    etree.SubElement(line_chart, qn("c:marker")).set("val", "1")
    cat_id, val_id = "60000001", "60000002"
    etree.SubElement(line_chart, qn("c:axId")).set("val", cat_id)
    etree.SubElement(line_chart, qn("c:axId")).set("val", val_id)

    value_axes = plot_area.findall(qn("c:valAx"))
    cat_axis = copy.deepcopy(plot_area.find(qn("c:catAx")))
    value_axis = copy.deepcopy(value_axes[0])
    cat_axis.find(qn("c:axId")).set("val", cat_id)
    cat_axis.find(qn("c:crossAx")).set("val", val_id)
    delete = cat_axis.find(qn("c:delete"))
    delete.set("val", "1")
    for child in cat_axis.findall(qn("c:title")):
        cat_axis.remove(child)
    value_axis.find(qn("c:axId")).set("val", val_id)
    value_axis.find(qn("c:crossAx")).set("val", cat_id)
    value_axis.find(qn("c:axPos")).set("val", "r")
    for tag in ("c:majorGridlines", "c:title"):
        for child in value_axis.findall(qn(tag)):
            value_axis.remove(child)
    crosses = value_axis.find(qn("c:crosses"))
    if crosses is not None:
        crosses.set("val", "max")
    number = value_axis.find(qn("c:numFmt"))
    if number is not None:
        number.set("formatCode", number_format)
        number.set("sourceLinked", "0")
    value_axis.find(qn("c:axPos")).addnext(_axis_title(title))
    value_axes[-1].addnext(cat_axis)
    cat_axis.addnext(value_axis)


def _axis_title(text: str):
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    title = etree.Element(qn("c:title"))
    tx = etree.SubElement(title, qn("c:tx"))
    rich = etree.SubElement(tx, qn("c:rich"))
    etree.SubElement(rich, f"{{{a}}}bodyPr", rot="-5400000", vert="horz")
    paragraph = etree.SubElement(rich, f"{{{a}}}p")
    properties = etree.SubElement(paragraph, f"{{{a}}}pPr")
    default = etree.SubElement(properties, f"{{{a}}}defRPr", sz="800", b="0")
    fill = etree.SubElement(default, f"{{{a}}}solidFill")
    etree.SubElement(fill, f"{{{a}}}srgbClr", val=theme.MUTED.lstrip("#"))
    run = etree.SubElement(paragraph, f"{{{a}}}r")
    etree.SubElement(run, f"{{{a}}}rPr", lang="en-GB", sz="800", b="0")
    etree.SubElement(run, f"{{{a}}}t").text = text
    etree.SubElement(title, qn("c:overlay")).set("val", "0")
    return title
