"""The Summary sheet: key figures, roll-ups by director and vertical, and a chart.

Everything here is in the portfolio's base currency, converted at the monthly rates
(``portfolio.analytics.variance`` sums per client and month, then converts), and says
so. Unfavourable variances are coloured and also say "UNFAVOURABLE" in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import FormulaRule
from openpyxl.worksheet.properties import PageSetupProperties
from sqlalchemy.orm import Session

from portfolio.analytics.missing_actuals import MissingActuals, missing_actuals
from portfolio.analytics.overview import Kpis, overview
from portfolio.analytics.variance import MEASURES, VarianceRow, group_label, variance_rollup
from portfolio.exports import formats
from portfolio.exports.cells import Column
from portfolio.exports.request import WorkbookRequest
from portfolio.exports.streamed_sheet import StreamedSheet
from portfolio.exports.variance_sheet import BAD_FILL, BAD_FONT, FAVOURABLE, UNFAVOURABLE
from portfolio.periods import month_label
from portfolio.settings import base_currency

TITLE = "Summary"
LABEL_WIDTH = 40
ROLLUP_MEASURES = ("spend", "revenue")
#: Top-left cell of the chart: beside the key figures.
CHART_ANCHOR = "E7"


@dataclass(frozen=True)
class SummaryLayout:
    """Where the parts that other sheets refer to ended up."""

    as_of_cell: str
    month_rows: tuple[int, int]


def _status(row: VarianceRow | None) -> str | None:
    if row is None:
        return None
    return FAVOURABLE if row.favourable else UNFAVOURABLE


def _fraction(pct: Decimal | None) -> Decimal | None:
    return None if pct is None else pct / 100


#: The axes the Summary rolls up along.
AXES = ("director", "vertical", "month")


@dataclass(frozen=True)
class BookRollups:
    """Spend and revenue by director, by vertical and by month, plus their totals."""

    groups: dict[tuple[str, str], list[VarianceRow]]
    totals: dict[str, VarianceRow | None]


def book_rollups(session: Session, request: WorkbookRequest, base: str) -> BookRollups:
    """All the Summary's roll-ups from one query per measure.

    One roll-up by (director, vertical, month), added up per axis here. The core
    converts currencies at the client x month grain whatever the axes, so these are the
    very integers separate roll-ups would give, for a third of the database work.
    """
    groups: dict[tuple[str, str], list[VarianceRow]] = {}
    totals: dict[str, VarianceRow | None] = {}
    for measure in ROLLUP_MEASURES:
        fine = variance_rollup(
            session,
            by=AXES,
            period=request.period,
            as_of=request.as_of,
            measure_name=measure,
            scope=request.scope,
            currency=base,
        )
        higher = MEASURES[measure].higher_is_better
        for position, name in enumerate(AXES):
            sums: dict[object, list] = {}
            for row in fine.rows:
                entry = sums.setdefault(row.key[position], [row.labels[position], 0, 0, 0, 0])
                entry[1] += row.budget
                entry[2] += row.forecast
                entry[3] += row.actual
                entry[4] += row.outlook
            groups[(name, measure)] = [
                VarianceRow((name,), (key,), (label,), base, *figures, higher)
                for key, (label, *figures) in sums.items()
            ]
        totals[measure] = fine.totals[0] if fine.totals else None
    return BookRollups(groups, totals)


def write_summary(
    sheet: StreamedSheet, session: Session, request: WorkbookRequest
) -> SummaryLayout:
    base = base_currency(session)
    sheet.setup([LABEL_WIDTH] + [19] * 10)
    _print_on_one_page_wide(sheet)
    title = sheet.encoder([Column("title", bold=True, size=14)])
    text = sheet.encoder([Column("text")])
    sheet.write(title, [[f"Portfolio workbook: {request.scope_label}"]])
    sheet.write(
        text,
        [
            [
                f"{request.period.label}; actuals up to {month_label(request.as_of)}; "
                f"amounts in {base}, converted at the monthly rates where clients' "
                f"currencies differ; exported {request.today.isoformat()}."
            ]
        ],
    )
    sheet.skip()
    as_of_row = sheet.row_count + 1
    sheet.write(
        sheet.encoder([Column("label", bold=True), Column("month", "month")]),
        [["Actuals counted up to", request.as_of]],
    )
    sheet.write(
        text,
        [
            [
                "The Variance sheet's formulas count actuals up to this month and the "
                "forecast after it: change it to move that line."
            ]
        ],
    )
    kpis = overview(session, today=request.today, as_of=request.as_of, scope=request.scope)
    # The roll-ups cover the workbook's period, the key figures the year to date: say
    # every closed month either counts as 0 for want of an actual.
    missing = MissingActuals.union(
        [missing_actuals(session, request.period, request.as_of, request.scope), kpis.missing]
    ).note("spend", "revenue")
    if missing is not None:
        warning = sheet.encoder([Column("warning", bold=True)])
        sheet.write(warning, [[f"Actuals not in yet: {missing}"]])
    sheet.skip()
    _key_figures(sheet, kpis, base)
    sheet.skip()
    rollups = book_rollups(session, request, base)
    for by, heading in (("director", "By account director"), ("vertical", "By vertical")):
        _rollup_block(sheet, rollups, base, by, heading)
        sheet.skip()
    month_rows = _month_block(sheet, rollups, request, base)
    return SummaryLayout(f"$B${as_of_row}", month_rows)


def _print_on_one_page_wide(sheet: StreamedSheet) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)


def _key_figures(sheet: StreamedSheet, kpis: Kpis, base: str) -> None:
    sheet.write(sheet.encoder([Column("h", bold=True)]), [["Key figures"]])
    first = sheet.row_count + 1
    label = Column("label")
    note = Column("note")

    def row(kind: str, values: Sequence, *, signed: bool = False) -> None:
        value = Column("value", kind, currency=base if kind == "money" else None, signed=signed)
        sheet.write(sheet.encoder([label, value, note]), [values])

    ytd, year, revenue = kpis.spend_ytd, kpis.spend_year, kpis.revenue_ytd
    if ytd is not None:
        row("money", ["Spend budget, year to date", ytd.budget])
        row("money", ["Spend actual, year to date", ytd.actual])
        row("money", ["Spend variance, year to date", ytd.variance, _status(ytd)], signed=True)
    if year is not None:
        row("money", ["Spend budget, full year", year.budget])
        row("money", ["Spend outlook, full year", year.outlook])
        row("money", ["Spend variance, full year", year.variance, _status(year)], signed=True)
    if revenue is not None:
        row("money", ["Revenue budget, year to date", revenue.budget])
        row("money", ["Revenue actual, year to date", revenue.actual])
        row(
            "money",
            ["Revenue variance, year to date", revenue.variance, _status(revenue)],
            signed=True,
        )
    row("percent", ["SLA compliance, last 90 days", _fraction(kpis.sla_compliance_pct)])
    row("decimal", ["Satisfaction, last 90 days (0-100)", kpis.satisfaction])
    row("money", ["Weighted pipeline", kpis.weighted_pipeline])
    row("count", ["Deadlines in the next 14 days", kpis.deadlines_next_14_days])
    row("count", ["... of which legally required", kpis.legal_deadlines_next_14_days])
    last = sheet.row_count
    rule = FormulaRule(formula=[f'$C{first}="{UNFAVOURABLE}"'], font=BAD_FONT, fill=BAD_FILL)
    sheet.conditional_formatting.add(f"B{first}:C{last}", rule)


def _rollup_block(
    sheet: StreamedSheet, rollups: BookRollups, base: str, by: str, heading: str
) -> None:
    headers = [heading]
    columns = [Column("group")]
    for name in ROLLUP_MEASURES:
        label = name.capitalize()
        headers += [
            f"{label} budget",
            f"{label} outlook",
            f"{label} variance",
            f"{label} variance %",
            f"{label} status",
        ]
        columns += [
            Column("budget", "money", currency=base),
            Column("outlook", "money", currency=base),
            Column("variance", "money", currency=base, signed=True),
            Column("pct", "percent", signed=True),
            Column("status"),
        ]
    sheet.write(sheet.encoder([Column(h, bold=True) for h in headers]), [headers])
    first = sheet.row_count + 1
    by_key: dict[tuple, dict[str, VarianceRow]] = {}
    for name in ROLLUP_MEASURES:
        for item in rollups.groups[(by, name)]:
            by_key.setdefault(item.key, {})[name] = item
        total = rollups.totals[name]
        if total is not None:
            by_key.setdefault(("total",), {})[name] = total

    def values(group: str, items: dict[str, VarianceRow]) -> list:
        out: list = [group]
        for name in ROLLUP_MEASURES:
            item = items.get(name)
            if item is None:
                out += [None] * 5
            else:
                out += [
                    item.budget,
                    item.outlook,
                    item.variance,
                    _fraction(item.variance_pct),
                    _status(item),
                ]
        return out

    rows = []
    for key, items in by_key.items():
        if key == ("total",):
            continue
        sample = next(iter(items.values()))
        rows.append(values(group_label((by,), sample.labels), items))
    rows.sort(key=lambda values_: values_[0].casefold())
    encoder = sheet.encoder(columns)
    sheet.write(encoder, rows)
    if ("total",) in by_key:
        bold = [replace(column, bold=True) for column in columns]
        sheet.write(sheet.encoder(bold), [values("Total", by_key[("total",)])])
    last = sheet.row_count
    if last >= first:
        for variance, status, test in (("D", "F", ">0"), ("I", "K", "<0")):
            rule = FormulaRule(formula=[f"${variance}{first}{test}"], font=BAD_FONT, fill=BAD_FILL)
            sheet.conditional_formatting.add(
                f"{variance}{first}:{variance}{last} {status}{first}:{status}{last}", rule
            )


def _month_block(
    sheet: StreamedSheet, rollups: BookRollups, request: WorkbookRequest, base: str
) -> tuple[int, int]:
    headers = ["Spend by month", "Budget", "Forecast", "Actual", "Outlook"]
    sheet.write(sheet.encoder([Column(h, bold=True) for h in headers]), [headers])
    header_row = sheet.row_count
    columns = [
        Column("month", "month"),
        *(Column(h, "money", currency=base) for h in headers[1:]),
    ]
    rows = [
        [
            item.key[0],
            item.budget,
            item.forecast,
            item.actual if item.key[0] <= request.as_of else None,
            item.outlook,
        ]
        for item in sorted(rollups.groups[("month", "spend")], key=lambda r: r.key[0])
    ]
    sheet.write(sheet.encoder(columns), rows)
    last = sheet.row_count
    if rows:
        chart = BarChart()
        chart.type = "col"
        chart.grouping = "clustered"
        chart.title = f"Spend: budget vs actual by month ({base})"
        chart.y_axis.title = base
        chart.y_axis.numFmt = formats.money(base)
        chart.x_axis.number_format = formats.MONTH
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        data = Reference(sheet, min_col=2, max_col=4, min_row=header_row, max_row=last)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=header_row + 1, max_row=last))
        chart.width, chart.height = 22, 8
        sheet.add_chart(chart, CHART_ANCHOR)
    return header_row, last
