"""PDF decks read back with pypdf: 16:9 pages, every section, the core's own figures."""

from __future__ import annotations

from pypdf import PdfReader
from sqlalchemy import func

from portfolio.analytics.dimensions import Scope
from portfolio.analytics.summary import client_summary
from portfolio.analytics.variance import variance_rollup
from portfolio.decks.content import gather
from portfolio.decks.options import Branding
from portfolio.lookup import find_client
from portfolio.money import format_money
from portfolio.periods import parse_period
from tests.conftest import AS_OF, TODAY
from tests.decks.conftest import SHOWCASE, make_deck


def squash(text: str) -> str:
    return " ".join(text.split())


def test_every_page_is_16_by_9_landscape(showcase_pdf):
    for page in showcase_pdf.reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (width, height) == (960, 540)
        assert abs(width / height - 16 / 9) < 1e-9
    assert showcase_pdf.result.pages == len(showcase_pdf.reader.pages)


def test_title_slide_names_client_period_director_and_date(showcase_pdf, deck_db):
    first = showcase_pdf.pages[0]
    with deck_db.session() as session:
        client = find_client(session, SHOWCASE)
        summary = client_summary(session, client, as_of=AS_OF, today=TODAY)
    assert SHOWCASE in first
    assert "Year to date, Jan 2026 to Oct 2026" in first
    assert f"Account director: {summary.facts['Account director']}" in first
    assert "23 November 2026" in first


def test_each_section_has_its_slide(showcase_pdf):
    text = " ".join(showcase_pdf.pages)
    for title in (
        "Agenda",
        "Executive summary",
        "Spend: budget, forecast and actual by month",
        "Revenue: budget, forecast and actual by month",
        "Variance by campaign",
        "Making up the negative variance",
        "Campaign results and trends",
        "Results by campaign",
        "Service levels",
        "Satisfaction",
        "Opportunities",
        "Upcoming deadlines and materials",
        "Next steps",
        "Appendix: detail by campaign and month",
    ):
        assert title in text, title


def test_summary_figures_are_the_cores(showcase_pdf, deck_db):
    with deck_db.session() as session:
        client = find_client(session, SHOWCASE)
        summary = client_summary(session, client, as_of=AS_OF, today=TODAY)
    page = showcase_pdf.pages_titled("Executive summary")[-1]
    spend, revenue, sales = (summary.ytd_figures[m] for m in ("spend", "revenue", "sales"))
    assert format_money(spend.actual, "USD") in page
    assert format_money(spend.budget, "USD") in page
    assert f"{spend.variance_pct:+.2f}% Unfavourable" in page  # this client overspends
    assert format_money(revenue.actual, "USD") in page
    assert f"{sales.actual:,}" in page
    year = summary.year_figures["revenue"]
    assert format_money(year.outlook, "USD") in page
    shortfall = sum(item.shortfall for item in summary.recovery if item.measure == "spend")
    assert format_money(shortfall, "USD") in page


def test_variance_slide_has_every_campaign_with_its_core_figures(showcase_pdf, deck_db):
    with deck_db.session() as session:
        client = find_client(session, SHOWCASE)
        period = parse_period("ytd", AS_OF, client.fiscal_year_start)
        rows = variance_rollup(
            session,
            by=("campaign",),
            period=period,
            as_of=AS_OF,
            measure_name="spend",
            scope=Scope(client_ids=(client.id,)),
        ).rows
    page = showcase_pdf.pages_titled("Variance by campaign")[-1]
    assert rows
    for row in rows:
        figures = " ".join(
            [
                row.labels[1],
                format_money(row.budget, "USD", symbol=False),
                format_money(row.actual, "USD", symbol=False),
                format_money(row.variance, "USD", symbol=False),
                f"{row.variance_pct:+.2f}%",
                "Favourable" if row.favourable else "Unfavourable",
            ]
        )
        assert figures in page, figures


def test_monthly_slide_lists_the_cores_months(showcase_pdf, deck_db):
    with deck_db.session() as session:
        client = find_client(session, SHOWCASE)
        content = gather(
            session,
            client,
            period=parse_period("ytd", AS_OF, 1),
            as_of=AS_OF,
            today=TODAY,
        )
    page = showcase_pdf.pages_titled("Spend: budget, forecast and actual by month")[0]
    months = content.monthly["spend"]
    assert len(months) == 10
    actuals = " ".join(format_money(m.actual, "USD", symbol=False) for m in months)
    assert actuals in page
    # The chart's legend and both axis titles are text in the PDF.
    for label in ("Budget", "Forecast", "Actual", "Cumulative budget", "Spend per month (USD)"):
        assert label in page


def test_appendix_flows_across_pages_with_the_header_repeated_and_no_row_lost(
    showcase_pdf, deck_db
):
    pages = showcase_pdf.pages_titled("Every budget line in YTD Jan-Oct 2026 (calendar)")
    assert len(pages) > 1
    assert all("(continued)" in page for page in pages[1:])
    assert all("Campaign Month Spend budget" in page for page in pages)
    with deck_db.session() as session:
        client = find_client(session, SHOWCASE)
        content = gather(
            session, client, period=parse_period("ytd", AS_OF, 1), as_of=AS_OF, today=TODAY
        )
    lines = sum(page.count(" 2026-") for page in pages)
    assert lines == len(content.details)


def test_pages_are_numbered_n_of_total_after_the_title(showcase_pdf):
    total = len(showcase_pdf.pages)
    for number, page in enumerate(showcase_pdf.pages[1:], start=2):
        assert f"{number} / {total}" in page


def test_a_period_without_data_says_so_and_draws_no_chart(deck_db, tmp_path):
    target = tmp_path / "empty.pdf"
    make_deck(deck_db, SHOWCASE, target, period="2031")
    text = squash(" ".join(page.extract_text() for page in PdfReader(target).pages))
    assert "Nothing to report" in text
    assert "budget, forecast and actual by month: no budget lines in 2031" in text
    assert "Spend per month" not in text  # no empty chart
    assert "Appendix" not in text


def test_sections_can_be_chosen(deck_db, tmp_path):
    target = tmp_path / "short.pdf"
    result = make_deck(deck_db, SHOWCASE, target, sections=("summary", "opportunities"))
    reader = PdfReader(target)
    assert result.pages == len(reader.pages) == 3  # title, summary, opportunities
    text = squash(" ".join(page.extract_text() for page in reader.pages))
    assert "Variance by campaign" not in text and "Opportunities" in text


def test_a_quarter_deck_covers_its_three_months(deck_db, tmp_path):
    target = tmp_path / "q3.pdf"
    make_deck(deck_db, SHOWCASE, target, period="2026-Q3", sections=("monthly",))
    text = squash(PdfReader(target).pages[1].extract_text())
    assert "Quarter 3, 2026" in text
    assert text.split("Amounts in USD")[1].split("Budget")[0].strip() == "Jul Aug Sep"
    with deck_db.session() as session:
        client = find_client(session, SHOWCASE)
        total = variance_rollup(
            session,
            period=parse_period("2026-Q3", AS_OF, 1),
            as_of=AS_OF,
            scope=Scope(client_ids=(client.id,)),
        ).rows[0]
    assert f"Actual {format_money(total.actual, 'USD')} against budget" in text


def test_deck_reads_the_same_figures_on_every_backend(demo, tmp_path):
    """On SQLite and PostgreSQL alike, the deck's figures are the core's."""
    target = tmp_path / "deck.pdf"
    result = make_deck(demo, SHOWCASE, target, sections=("summary", "variance"))
    pages = [squash(page.extract_text()) for page in PdfReader(target).pages]
    assert result.pages == len(pages) == 3
    with demo.session() as session:
        client = find_client(session, SHOWCASE)
        summary = client_summary(session, client, as_of=AS_OF, today=TODAY)
    spend = summary.ytd_figures["spend"]
    assert format_money(spend.actual, "USD") in pages[1]
    assert f"{spend.variance_pct:+.2f}%" in pages[1]
    assert "Variance by campaign" in pages[2]


def test_branding_puts_the_firms_logo_and_name_on_the_slides(deck_db, tmp_path):
    from PIL import Image
    from pptx import Presentation

    logo = tmp_path / "logo.png"
    Image.new("RGB", (300, 100), "#8B1E3F").save(logo)
    for suffix in ("pdf", "pptx"):
        make_deck(
            deck_db,
            SHOWCASE,
            tmp_path / f"deck.{suffix}",
            sections=("summary",),
            branding=Branding(firm="Northwind & Co", accent="#8b1e3f", logo=logo),
        )
    reader = PdfReader(tmp_path / "deck.pdf")
    for page in reader.pages:
        assert page.images, "the logo is on every page"
    slides = Presentation(str(tmp_path / "deck.pptx")).slides
    assert all(any(shape.shape_type == 13 for shape in slide.shapes) for slide in slides)


def test_without_a_logo_the_firm_name_is_written(deck_db, tmp_path):
    make_deck(
        deck_db,
        SHOWCASE,
        tmp_path / "deck.pdf",
        sections=("summary",),
        branding=Branding(firm="Northwind <Partners> & Co"),
    )
    pages = [squash(page.extract_text()) for page in PdfReader(tmp_path / "deck.pdf").pages]
    assert all("Northwind <Partners> & Co" in page for page in pages)


def test_a_deck_says_which_closed_months_have_no_actuals_yet(demo, tmp_path):
    """Regression (a try-out on 1 December): a deck made before November's actuals
    came in showed November at 0 against its budget, with nothing said."""
    from sqlalchemy import select, update

    from portfolio.model import BudgetLine, Campaign

    with demo.session() as session:
        client = find_client(session, SHOWCASE)
        campaigns = select(Campaign.id).where(Campaign.client_id == client.id)
        session.execute(
            update(BudgetLine)
            .where(BudgetLine.month == AS_OF, BudgetLine.campaign_id.in_(campaigns))
            .values(spend_actual=None, revenue_actual=None, sales_actual=None)
        )
        session.commit()
        lines = session.scalar(
            select(func.count()).where(
                BudgetLine.month == AS_OF, BudgetLine.campaign_id.in_(campaigns)
            )
        )
    target = tmp_path / "deck.pdf"
    make_deck(demo, SHOWCASE, target, sections=("summary", "monthly"))
    text = squash(" ".join(page.extract_text() for page in PdfReader(target).pages))
    said = f"for Oct 2026 on {lines:,} of {lines:,} budget lines: counted as 0."
    assert f"Actuals not in yet No spend, revenue or sales actual entered yet {said}" in text
    assert f"Amounts in USD. No spend actual entered yet {said}" in text
    assert f"Amounts in USD. No revenue actual entered yet {said}" in text
    # A deck of June still shows the year to date and the outlook on its summary, which
    # count October as 0: said there; June's own table has every actual.
    make_deck(demo, SHOWCASE, target, period="2026-06", sections=("summary", "monthly"))
    text = squash(" ".join(page.extract_text() for page in PdfReader(target).pages))
    assert f"Actuals not in yet No spend, revenue or sales actual entered yet {said}" in text
    assert "Amounts in USD. No" not in text
