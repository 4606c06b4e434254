"""The Variance sheet: client x month, with live formulas a manager can play with.

Budget, forecast and actual are numbers from the database; outlook, variance, variance
% and the status in words are Excel formulas over them, so changing an actual moves the
variance. The formulas follow the core's definitions (``portfolio.analytics.variance``):
outlook is the actual for months up to the "actuals up to" month on the Summary sheet
(the defined name ``AsOfMonth``) and the forecast after it; variance = outlook - budget;
spend over budget and revenue under budget are unfavourable.

A closed month's empty actual counts as 0 in every figure (``missing_actuals``): where
no line of a row has an actual, its actual cell is left empty rather than showing a 0
nobody reported, and the last column says how many lines it counted as 0.

Each formula is stored with its result as computed by Portfolio, and the workbook asks
for a full recalculation on load: Excel and LibreOffice recompute, and a viewer that
never calculates shows the stored results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font, PatternFill
from sqlalchemy import Select, func
from sqlalchemy.orm import Session

from portfolio.analytics.dimensions import Director, axis, lines_query
from portfolio.analytics.missing_actuals import line_note, lines_without_actual
from portfolio.analytics.variance import MEASURES, sums
from portfolio.exports.cells import Column
from portfolio.exports.records import stream
from portfolio.exports.request import WorkbookRequest
from portfolio.exports.streamed_sheet import StreamedSheet
from portfolio.model import BudgetLine, Client

TITLE = "Variance"
#: Defined name of the Summary cell holding the last month with actuals.
AS_OF_NAME = "AsOfMonth"
UNFAVOURABLE = "UNFAVOURABLE"
FAVOURABLE = "favourable"

BAD_FONT = Font(color="9C0006", bold=True)
BAD_FILL = PatternFill(start_color="FFC7CE", end_color="FFC7CE", fill_type="solid")


def _measure_columns(name: str, first: str, higher_is_better: bool) -> tuple[Column, ...]:
    """Seven columns for one measure starting at column letter ``first``."""
    letters = [chr(ord(first) + offset) for offset in range(7)]
    budget, forecast, actual, outlook, variance, pct, _ = letters
    bad = f"{variance}{{r}}<0" if higher_is_better else f"{variance}{{r}}>0"
    return (
        Column(f"{name} budget", "money", 15, currency=2),
        Column(f"{name} forecast", "money", 15, currency=2),
        Column(f"{name} actual", "money", 15, currency=2),
        Column(
            f"{name} outlook",
            "formula",
            15,
            currency=2,
            formula=f"IF($D{{r}}<={AS_OF_NAME},N({actual}{{r}}),{forecast}{{r}})",
        ),
        Column(
            f"{name} variance",
            "formula",
            15,
            currency=2,
            signed=True,
            formula=f"{outlook}{{r}}-{budget}{{r}}",
        ),
        Column(
            f"{name} variance %",
            "formula",
            11,
            signed=True,
            formula=f'IF({budget}{{r}}=0,"",{variance}{{r}}/{budget}{{r}})',
            result="percent",
        ),
        Column(
            f"{name} status",
            "formula",
            15,
            formula=f'IF({bad},"{UNFAVOURABLE}","{FAVOURABLE}")',
            result="text",
        ),
    )


COLUMNS = (
    Column("Client", width=28),
    Column("Account director", width=20),
    Column("Currency", width=9),
    Column("Month", "month", 10),
    *_measure_columns("Spend", "E", higher_is_better=False),
    *_measure_columns("Revenue", "L", higher_is_better=True),
    Column("Actuals not in", width=40),
)
#: Measures of the sheet, in column order.
SHEET_MEASURES = ("spend", "revenue")


def variance_query(request: WorkbookRequest) -> Select:
    """Budget, forecast, actual and outlook sums per client and month, both measures.

    The sums are the core's own expressions (``sums``), so the cached results agree
    with every other variance Portfolio shows.
    """
    figures = [
        expression.element.label(f"{name}_{expression.name}")
        for name in SHEET_MEASURES
        for expression in sums(MEASURES[name], request.as_of)
    ]
    missing = [lines_without_actual(name) for name in SHEET_MEASURES]
    query = lines_query(
        [
            Client.name,
            Director.name,
            Client.currency,
            BudgetLine.month,
            *figures,
            func.count().label("lines"),
            *missing,
        ],
        [axis("director")],
    )
    query = query.where(BudgetLine.month.between(request.period.first, request.period.last))
    query = query.group_by(Client.id, Client.name, Director.name, Client.currency, BudgetLine.month)
    query = query.order_by(Client.name, Client.id, BudgetLine.month)
    return request.scope.apply(query)


def share(part: int, whole: int) -> Decimal | None:
    """``part / whole`` as Excel computes it for a % cell; ``None`` when ``whole`` is 0."""
    if not whole:
        return None
    return Decimal(part) / Decimal(whole)


def _measure_values(
    budget: int, forecast: int, actual: int, outlook: int, reported: bool, higher: bool
) -> tuple:
    """``reported``: the actual cell holds a number (a closed month with at least one
    actual entered); otherwise it is left empty, which the outlook formula reads as 0."""
    variance = outlook - budget
    favourable = variance >= 0 if higher else variance <= 0
    return (
        budget,
        forecast,
        actual if reported else None,
        outlook,
        variance,
        share(variance, budget),
        FAVOURABLE if favourable else UNFAVOURABLE,
    )


def variance_rows(session: Session, request: WorkbookRequest) -> Iterator[tuple]:
    for client, director, currency, month, *sums_ in stream(session, variance_query(request)):
        closed = month <= request.as_of
        # PostgreSQL sums big integers as NUMERIC: back to whole minor units.
        spend = [int(value or 0) for value in sums_[:4]]
        revenue = [int(value or 0) for value in sums_[4:8]]
        lines, *missing = (int(value or 0) for value in sums_[8:])
        missing = missing if closed else [0, 0]  # an open month's outlook is its forecast
        yield (
            client,
            director,
            currency,
            month,
            *_measure_values(*spend, closed and missing[0] < lines, higher=False),
            *_measure_values(*revenue, closed and missing[1] < lines, higher=True),
            line_note(lines, dict(zip(SHEET_MEASURES, missing, strict=True))),
        )


def write_variance(
    sheet: StreamedSheet,
    session: Session,
    request: WorkbookRequest,
    progress: Callable[[int], None] | None = None,
) -> int:
    sheet.setup([column.fitted_width for column in COLUMNS], freeze="E2")
    header = sheet.encoder([Column(c.header, bold=True) for c in COLUMNS])
    sheet.write(header, [[column.header for column in COLUMNS]])
    count = sheet.write(sheet.encoder(COLUMNS), variance_rows(session, request), progress)
    last = max(sheet.row_count, 2)
    sheet.auto_filter.ref = f"A1:S{last}"
    for variance, status, test in (("I", "K", ">0"), ("P", "R", "<0")):
        rule = FormulaRule(formula=[f"${variance}2{test}"], font=BAD_FONT, fill=BAD_FILL)
        sheet.conditional_formatting.add(
            f"{variance}2:{variance}{last} {status}2:{status}{last}", rule
        )
    return count
