"""Exports say where a closed month's empty actual was counted as 0, on both backends.

Regression (1 December): the pages and decks said which closed months had no actuals
yet, but the exports did not. The Variance sheet showed a 0 actual nobody reported and
a whole month's budget as its variance; the exported budget list coloured that variance
as a real overspend or shortfall; ``portfolio variance --format json/csv`` gave the 0
as a figure. The figures stay as the rule makes them (they agree everywhere, to the
cent); each export now marks them.
"""

from __future__ import annotations

import csv
import io
import json

import openpyxl
from sqlalchemy import select, text

from portfolio.cli import main
from portfolio.exports.request import workbook_request
from portfolio.exports.variance_sheet import COLUMNS
from portfolio.exports.view import export_view
from portfolio.exports.workbook import export_workbook
from portfolio.model import BudgetLine, Client
from portfolio.queries.listing import ListQuery, ViewState
from portfolio.queries.lists import ListContext, list_definition
from tests.conftest import AS_OF, TODAY
from tests.core.test_missing_actuals import _blank

ALL = ("spend_actual", "revenue_actual", "sales_actual")
#: A month of 2026 where only some lines lack only their revenue actual.
PARTLY = 202603


def _leave_out_actuals(db) -> None:
    """The last closed month with no actual at all; another with a few revenue ones."""
    _blank(db, BudgetLine.month == AS_OF, *ALL)
    _blank(db, (BudgetLine.month == PARTLY) & (BudgetLine.id % 7 == 0), "revenue_actual")


def _counts(db, by: str) -> dict[tuple, tuple[int, int, int]]:
    """Per (``by``, month) of 2026's closed months, from the lines: (lines, no spend
    actual, no revenue actual)."""
    group = {"client": "cl.name", "campaign": "ca.id"}[by]
    query = (
        f"SELECT {group}, bl.month, COUNT(*), "
        "SUM(CASE WHEN bl.spend_actual IS NULL THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN bl.revenue_actual IS NULL THEN 1 ELSE 0 END) "
        "FROM budget_line bl JOIN campaign ca ON ca.id = bl.campaign_id "
        "JOIN client cl ON cl.id = ca.client_id "
        f"WHERE bl.month BETWEEN 202601 AND {AS_OF} GROUP BY {group}, bl.month"
    )
    with db.engine.connect() as connection:
        return {
            (row[0], int(row[1])): tuple(int(value) for value in row[2:])
            for row in connection.execute(text(query))
        }


def test_the_variance_sheet_leaves_unreported_actuals_empty_and_says_so(demo, tmp_path):
    _leave_out_actuals(demo)
    counts = _counts(demo, "client")
    target = tmp_path / "book.xlsx"
    with demo.session() as session:
        request = workbook_request(session, as_of=AS_OF, today=TODAY, period="2026")
    export_workbook(demo, target, request)

    book = openpyxl.load_workbook(target, data_only=True, read_only=True)
    headers = [column.header for column in COLUMNS]
    note_at, spend_at, revenue_at = (
        headers.index(name) for name in ("Actuals not in", "Spend actual", "Revenue actual")
    )
    outlook_at, variance_at = headers.index("Spend outlook"), headers.index("Spend variance")
    budget_at = headers.index("Spend budget")
    seen = {"none in": 0, "some in": 0}
    for row in book["Variance"].iter_rows(min_row=2, values_only=True):
        month = row[3].year * 100 + row[3].month
        note = row[note_at]
        if month > AS_OF:
            assert note is None
            continue
        lines, no_spend, no_revenue = counts[(row[0], month)]
        if month == AS_OF:
            seen["none in"] += 1
            assert row[spend_at] is None and row[revenue_at] is None, row
            assert note == f"No spend or revenue actual on {lines} of {lines} lines: counted as 0"
            # The figures themselves are unchanged: the empty actual still counts as 0.
            assert row[outlook_at] == 0 and row[variance_at] == -row[budget_at]
        elif no_revenue:
            seen["some in"] += 1
            assert no_spend == 0 and row[spend_at] is not None
            assert row[revenue_at] is not None or no_revenue == lines
            assert note == f"No revenue actual on {no_revenue} of {lines} lines: counted as 0"
        else:
            assert note is None and row[spend_at] is not None
    assert seen["none in"] > 10 and seen["some in"] > 3

    summary = [cell for row in book["Summary"].iter_rows(values_only=True) for cell in row]
    warnings = [cell for cell in summary if str(cell).startswith("Actuals not in yet: ")]
    assert len(warnings) == 1
    assert "Oct 2026" in warnings[0] and "Mar 2026" in warnings[0], warnings


def test_an_exported_budget_list_says_which_variances_count_an_empty_actual(demo, tmp_path):
    _leave_out_actuals(demo)
    with demo.session() as session:
        client = session.scalar(select(Client).order_by(Client.id).limit(1))
    definition = list_definition("budget_lines", ListContext.for_today(TODAY))
    state = (
        ViewState()
        .scoped(client_id=client.id)
        .sorted_by("month")
        .showing(["campaign", "month", "spend_variance", "revenue_variance"])
    )
    target = tmp_path / "view.xlsx"
    export_view(demo, target, ListQuery(definition, state))
    sheet = openpyxl.load_workbook(target)["Budget lines"]
    note = "No actual entered for this closed month: counted as 0"
    marked = 0
    for cells in sheet.iter_rows(min_row=2):
        month = cells[1].value.year * 100 + cells[1].value.month
        spend, spend_status, revenue, revenue_status = (cell.value for cell in cells[2:6])
        spend_word = "UNFAVOURABLE" if spend > 0 else "favourable"
        revenue_word = "UNFAVOURABLE" if revenue < 0 else "favourable"
        if month == AS_OF:
            marked += 1
            assert spend_status == f"{spend_word}: {note}"
            assert revenue_status == f"{revenue_word}: {note}"
        else:
            assert spend_status == spend_word
            assert revenue_status in (revenue_word, f"{revenue_word}: {note}")
            if revenue_status != revenue_word:
                assert month == PARTLY
    assert marked >= 1
    # The colour still follows the word, with or without a note after it.
    rules = [rule.formula[0] for entry in sheet.conditional_formatting for rule in entry.rules]
    assert rules == ['LEFT($D2,12)="UNFAVOURABLE"', 'LEFT($F2,12)="UNFAVOURABLE"']


def _cli(capsys, *argv: str) -> str:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def test_variance_json_and_csv_count_each_groups_lines_without_an_actual(demo, capsys):
    _leave_out_actuals(demo)
    url = demo.engine.url.render_as_string(hide_password=False)
    common = ["--db", str(demo.path or url), "--as-of", str(AS_OF)[:4] + "-" + str(AS_OF)[4:]]
    for by in ("client", "campaign"):
        counts = _counts(demo, by)
        want_spend: dict = {}
        want_revenue: dict = {}
        for (group, _month), (_lines, no_spend, no_revenue) in counts.items():
            want_spend[group] = want_spend.get(group, 0) + no_spend
            want_revenue[group] = want_revenue.get(group, 0) + no_revenue
        for measure, want in (("spend", want_spend), ("revenue", want_revenue)):
            out = _cli(
                capsys, "variance", *common, "--by", by, "--period", "2026",
                "--measure", measure, "--format", "json",
            )  # fmt: skip
            rows = json.loads(out)
            assert rows and all("lines_without_actual" in row for row in rows)
            if by == "client":
                got = {row["group"]: row["lines_without_actual"] for row in rows}
                assert got == want
            else:
                assert sum(row["lines_without_actual"] for row in rows) == sum(want.values())
                assert sum(1 for row in rows if row["lines_without_actual"]) == sum(
                    1 for count in want.values() if count
                )
    out = _cli(capsys, "variance", *common, "--period", "2026", "--format", "csv")
    records = list(csv.DictReader(io.StringIO(out)))
    assert sum(int(row["lines_without_actual"]) for row in records) == sum(
        no_spend for _lines, no_spend, _ in _counts(demo, "client").values()
    )
