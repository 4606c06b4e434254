"""The files of ``shared/cases/imports`` (copied to ``tests/workbooks/cases``), each a kind
of spreadsheet that real tools write and the import used to get wrong, with the result
each must give. Base portfolio: the 6-client demo of the default seed, as in
``shared/cases/README.md``, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from portfolio.demo import DemoSpec, write_demo
from portfolio.imports.importer import ImportRefusedError, preview_import, run_import
from portfolio.imports.plan import ImportOptions
from portfolio.model import BudgetLine, Campaign, Client, Opportunity
from portfolio.storage import Database, open_database
from tests.conftest import BACKENDS, TODAY
from tests.workbooks.conftest import stored_line

CASES = Path(__file__).parent / "cases"
BASE = DemoSpec(clients=6, today=TODAY)
EURO_CLIENT = "Grünwald Santé Collective"
ELECTIONS = "Bluewater Board of Elections"


@pytest.fixture(scope="session")
def base_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cases") / "base.sqlite3"
    write_demo(path, BASE)
    return path


@pytest.fixture(scope="session")
def base_pg_template(pg_server) -> str | None:
    if pg_server is None:
        return None
    url = pg_server.create()
    write_demo(url, BASE)
    return make_url(url).database


@pytest.fixture(params=BACKENDS)
def base(request, base_file, tmp_path, pg_server, base_pg_template) -> Iterator[Database]:
    if request.param == "sqlite":
        target = str(tmp_path / "base.sqlite3")
        shutil.copyfile(base_file, target)
    else:
        target = pg_server.create(template=base_pg_template)
    db = open_database(target)
    yield db
    db.close()


def _snapshot(db: Database) -> tuple:
    with db.session() as session:
        return (
            session.scalar(select(func.count()).select_from(Client)),
            session.scalar(select(func.sum(BudgetLine.version))),
            session.scalar(select(func.sum(Campaign.version))),
            session.scalar(select(func.sum(Client.version))),
        )


def test_c05_whole_amounts_grouped_with_points_are_refused_as_ambiguous(base):
    """Regression: '16.700' in a semicolon file was stored as 16.70 without a word."""
    path = CASES / "c05_semicolon_grouped_no_flag.csv"
    before = _snapshot(base)
    with pytest.raises(ImportRefusedError) as refused:
        run_import(base, path, ImportOptions())
    problems = refused.value.plan.problems
    assert [(p.row, p.column) for p in problems] == [(2, "Spend actual"), (3, "Spend actual")]
    assert problems[0].reason.startswith("'16.700' reads two ways")
    assert "--decimal-comma" in problems[0].reason
    assert _snapshot(base) == before

    run_import(base, path, ImportOptions(decimal_comma=True))
    assert stored_line(base, EURO_CLIENT, "Vision Plan Digital", 202607).spend_actual == 1670000
    assert stored_line(base, EURO_CLIENT, "Vision Plan Email", 202607).spend_actual == 1960000


def test_c06c_a_count_with_a_decimal_comma_fraction_is_refused(base):
    """Regression: Responses '12,5' in a decimal-comma file was stored as 125."""
    path = CASES / "c06c_count_decimal_comma_fraction.csv"
    before = stored_line(base, EURO_CLIENT, "Vision Plan Email", 202607).responses
    for options in (ImportOptions(decimal_comma=True), ImportOptions()):
        plan = preview_import(base, path, options)
        assert [str(p) for p in plan.problems] == [
            "c06c_count_decimal_comma_fraction, row 2, Responses: 12.5 is not a whole number"
        ]
    with pytest.raises(ImportRefusedError):
        run_import(base, path, ImportOptions(decimal_comma=True))
    assert stored_line(base, EURO_CLIENT, "Vision Plan Email", 202607).responses == before


def test_x01_percent_formatted_cells_mean_the_percentage_shown(base):
    """Regression: cells showing 85 %, 100 % and 60 % were stored as 0.85 and 1, and
    0.6 was refused as 'not a whole number'."""
    result = run_import(base, CASES / "x01_percent_cells_libreoffice.xlsx", ImportOptions())
    assert result.plan.problems == []
    with base.session() as session:
        campaign = session.scalar(
            select(Campaign)
            .join(Client)
            .where(Client.name == EURO_CLIENT, Campaign.name == "Vision Plan Digital")
        )
        assert campaign.persistency_pct == 85
        probabilities = dict(
            session.execute(
                select(Opportunity.name, Opportunity.probability)
                .join(Client)
                .where(Client.name == EURO_CLIENT)
            ).all()
        )
    assert probabilities["Expand Vision Plan"] == 100
    assert probabilities["Cross-sell Dental Add-on"] == 60


@pytest.mark.parametrize("written", ["85", "85%", "85 %", "85,0 %", "85.0\u00a0%"])
def test_a_percentage_means_the_same_however_it_is_written(base, tmp_path, written):
    path = tmp_path / "persistency.csv"
    path.write_text(
        f'Client;Campaign;Persistency %\n{EURO_CLIENT};Vision Plan Email;"{written}"\n',
        encoding="utf-8",
    )
    (change,) = preview_import(base, path, ImportOptions()).changes
    assert change.values["persistency_pct"] == 85


def test_x10_a_name_with_a_no_break_space_matches_the_stored_client(base):
    """Regression: 'Bluewater Board of<NBSP>Elections' added a second client that looked
    exactly like the first, and 'Bluewater  Board of Elections ' did not match."""
    before = _snapshot(base)[0]
    result = run_import(base, CASES / "x10_nbsp_and_double_space_names.xlsx", ImportOptions())
    assert result.plan.problems == []
    assert result.plan.added == 0 and result.plan.changed == 2
    with base.session() as session:
        assert session.scalar(select(func.count()).select_from(Client)) == before
        names = session.scalars(select(Client.name).where(Client.name.like("Bluewater%"))).all()
    assert names == [ELECTIONS]


def test_e04_notes_longer_than_a_cell_are_refused_at_entry(base):
    """Regression: 40,000 characters of notes were accepted, then cut to 32,767 by the
    export, and the re-import stored the cut text."""
    before = _snapshot(base)
    with pytest.raises(ImportRefusedError) as refused:
        run_import(base, CASES / "e04_notes_over_32767_chars.csv", ImportOptions())
    (problem,) = refused.value.plan.problems
    assert (problem.row, problem.column) == (2, "Notes")
    assert "40,000 characters long; the most is 32,767" in problem.reason
    assert _snapshot(base) == before


def test_c11_utf16_unicode_text_is_read_and_its_tabs_found(base):
    """Regression: Excel's 'Unicode Text' save was refused as 'a binary file'."""
    result = run_import(base, CASES / "c11_utf16_tab_unicode_text.csv", ImportOptions())
    assert result.plan.problems == [] and result.plan.changed == 2
    assert stored_line(base, EURO_CLIENT, "Vision Plan Digital", 202607).spend_actual == 1670000
    polish = stored_line(base, "Łódzkie Ubezpieczenia S.A.", "Final Expense Email", 202607)
    assert polish.spend_actual == 8800000


def test_x05_a_used_range_to_the_last_row_costs_only_its_real_rows(base):
    """Regression: one styled empty cell in row 1,048,576 made two rows take 40 s."""
    started = time.perf_counter()
    plan = preview_import(base, CASES / "x05_styled_cell_row_1048576.xlsx", ImportOptions())
    assert time.perf_counter() - started < 5
    assert plan.problems == [] and plan.rows_read == 1 and plan.changed == 1


def test_c17_a_date_on_the_first_of_a_month_is_that_month(base):
    """Regression: '2026-07-01' and '2026-07-01 00:00:00' were 'not a month'."""
    path = CASES / "c17_iso_dates_in_month_column.csv"
    plan = preview_import(base, path, ImportOptions())
    assert {change.row for change in plan.changes} == {2, 3}
    assert {change.key.rsplit(" / ", 1)[1] for change in plan.changes} == {"2026-07"}
    ((row, column, reason),) = [(p.row, p.column, p.reason) for p in plan.problems]
    assert (row, column) == (4, "Month") and "reads two ways" in reason

    plan = preview_import(base, path, ImportOptions(date_order="mdy"))
    assert plan.problems == [] and plan.changed == 3
    plan = preview_import(base, path, ImportOptions(date_order="dmy"))
    ((row, column, reason),) = [(p.row, p.column, p.reason) for p in plan.problems]
    assert (row, column) == (4, "Month")
    assert "is 7 January 2026, not the first of a month" in reason


def test_x09_hidden_rows_and_sheets_are_named_and_left_out_on_request(base):
    """Regression: a row hidden by a filter (a draft) and a hidden sheet were applied
    without a mention."""
    path = CASES / "x09_filtered_hidden_rows_hidden_sheet.xlsx"
    plan = preview_import(base, path, ImportOptions())
    assert plan.changed == 4
    assert any("'Campaigns' is hidden: read like the others" in line for line in plan.hidden)
    assert any(
        "'Budget lines': row 3 is hidden by a filter: read like the others" in line
        for line in plan.hidden
    )
    assert "hidden: sheet 'Campaigns' is hidden" in plan.describe()

    email = stored_line(base, EURO_CLIENT, "Vision Plan Email", 202607).spend_actual
    result = run_import(base, path, ImportOptions(skip_hidden=True))
    assert result.applied.changed == 2
    assert any("row 3 is hidden by a filter: left out" in line for line in result.plan.hidden)
    assert stored_line(base, EURO_CLIENT, "Vision Plan Email", 202607).spend_actual == email
    assert stored_line(base, EURO_CLIENT, "Vision Plan Digital", 202607).spend_actual == 1670000
    with base.session() as session:
        months = session.scalar(
            select(Campaign.persistency_months)
            .join(Client)
            .where(Client.name == EURO_CLIENT, Campaign.name == "Vision Plan Digital")
        )
    assert months != 99
