"""PowerPoint decks read back with python-pptx: slides, native charts, native tables."""

from __future__ import annotations

from decimal import Decimal

from pptx.oxml.ns import qn
from pptx.util import Pt

from portfolio.decks.content import gather
from portfolio.lookup import find_client
from portfolio.money import format_money, from_minor
from portfolio.periods import parse_period
from tests.conftest import AS_OF, TODAY
from tests.decks.conftest import SHOWCASE


def titles(presentation) -> list[str]:
    out = []
    for slide in presentation.slides:
        title = slide.shapes.title
        out.append(title.text_frame.text if title is not None else "")
    return out


def test_slides_are_16_by_9_and_follow_the_pdfs_sections(showcase_pptx, showcase_pdf):
    result, presentation = showcase_pptx
    assert (presentation.slide_width, presentation.slide_height) == (Pt(960), Pt(540))
    assert result.pages == len(presentation.slides)
    names = [t.removesuffix(" (continued)") for t in titles(presentation)[1:]]
    pdf_text = " ".join(showcase_pdf.pages)
    for name in dict.fromkeys(names):
        assert name in pdf_text
    assert names[:3] == [
        "Agenda",
        "Executive summary",
        "Spend: budget, forecast and actual by month",
    ]


def test_monthly_chart_is_native_with_the_cores_figures_and_a_second_axis(showcase_pptx, deck_db):
    _, presentation = showcase_pptx
    slide = presentation.slides[
        titles(presentation).index("Spend: budget, forecast and actual by month")
    ]
    chart = next(shape.chart for shape in slide.shapes if shape.has_chart)
    plot_area = chart._chartSpace.chart.plotArea
    assert plot_area.find(qn("c:barChart")) is not None
    line_chart = plot_area.find(qn("c:lineChart"))
    assert line_chart is not None and len(plot_area.findall(qn("c:valAx"))) == 2
    bars = chart.plots[0]
    assert [s.name for s in bars.series] == ["Budget", "Forecast", "Actual"]
    with deck_db.session() as session:
        client = find_client(session, SHOWCASE)
        content = gather(
            session, client, period=parse_period("ytd", AS_OF, 1), as_of=AS_OF, today=TODAY
        )
    months = content.monthly["spend"]
    actual = next(s for s in bars.series if s.name == "Actual")
    assert [Decimal(str(v)) for v in actual.values] == [from_minor(m.actual, "USD") for m in months]
    lines = chart.plots[1]
    assert [s.name for s in lines.series] == ["Cumulative budget", "Cumulative actual + forecast"]
    assert Decimal(str(lines.series[0].values[-1])) == from_minor(
        sum(m.budget for m in months), "USD"
    )
    assert chart.value_axis.has_title


def test_tables_are_native_and_continue_with_their_header(showcase_pptx, deck_db):
    _, presentation = showcase_pptx
    slide_titles = titles(presentation)
    appendix = [
        slide
        for slide, title in zip(presentation.slides, slide_titles, strict=True)
        if title.startswith("Appendix")
    ]
    assert len(appendix) > 1
    appendix_titles = [t for t in slide_titles if t.startswith("Appendix")]
    assert all(t.endswith("(continued)") for t in appendix_titles[1:])
    rows = 0
    for slide in appendix:
        table = next(shape.table for shape in slide.shapes if shape.has_table)
        assert table.cell(0, 0).text == "Campaign" and table.cell(0, 1).text == "Month"
        rows += len(table.rows) - 1
    with deck_db.session() as session:
        client = find_client(session, SHOWCASE)
        content = gather(
            session, client, period=parse_period("ytd", AS_OF, 1), as_of=AS_OF, today=TODAY
        )
    assert rows == len(content.details)


def test_variance_table_holds_the_same_figures_as_the_pdf(showcase_pptx, showcase_pdf):
    _, presentation = showcase_pptx
    slide = presentation.slides[titles(presentation).index("Variance by campaign")]
    table = next(shape.table for shape in slide.shapes if shape.has_table)
    page = showcase_pdf.pages_titled("Variance by campaign")[-1]
    for row in list(table.rows)[1:]:
        cells = [cell.text for cell in row.cells]
        assert " ".join(cells[:6]) in page


def test_kpi_tiles_carry_the_summary_figures(showcase_pptx, deck_db):
    from portfolio.analytics.summary import client_summary

    _, presentation = showcase_pptx
    slide = presentation.slides[titles(presentation).index("Executive summary")]
    text = "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)
    with deck_db.session() as session:
        client = find_client(session, SHOWCASE)
        summary = client_summary(session, client, as_of=AS_OF, today=TODAY)
    assert format_money(summary.ytd_figures["spend"].actual, "USD") in text
    assert format_money(summary.ytd_figures["revenue"].actual, "USD") in text
