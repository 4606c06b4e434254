"""Work the workbook benchmark runs in fresh processes:
``python -m tests.bench.workbook_tasks NAME ARGS``; each prints one JSON object last.

(a) ``export_ours`` writes the full workbook; ``export_xlsxwriter`` writes the same
    cells (same SQL, same core roll-ups, same number formats and formulas with their
    results) through XlsxWriter's constant_memory mode; ``export_pandas`` does what an
    analyst would: ``pandas.read_sql`` of the budget lines, then ``to_excel`` with the
    openpyxl engine.
(b) ``import_ours`` imports a 100,000-row budget sheet into a copy of the big demo;
    ``read_bare`` only reads that sheet's values with openpyxl's read-only mode, the
    reader the import uses.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.common import AS_OF, TODAY, peak_rss_mb

#: Rows of the import benchmark's sheet, and how often one of them carries an edit.
IMPORT_ROWS = 100_000
EDIT_EVERY = 10


def _request(session, period: str = "all"):
    from portfolio.exports.request import workbook_request

    return workbook_request(session, as_of=AS_OF, today=TODAY, period=period, author="bench")


def export_ours(db_path: str, out: str) -> dict:
    from portfolio.exports.workbook import export_workbook
    from portfolio.storage import open_database

    database = open_database(db_path)
    with database.session() as session:
        request = _request(session)
    started = time.perf_counter()
    report = export_workbook(database, out, request)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rows": sum(report.rows.values()),
        "lines": report.rows["Budget lines"],
        "bytes": Path(out).stat().st_size,
        "peak_mb": peak_rss_mb(),
    }


def export_xlsxwriter(db_path: str, out: str) -> dict:
    import xlsxwriter

    from portfolio.analytics.overview import overview
    from portfolio.exports import records, variance_sheet
    from portfolio.exports.summary_sheet import book_rollups
    from portfolio.settings import base_currency
    from portfolio.storage import open_database

    database = open_database(db_path)
    started = time.perf_counter()
    book = xlsxwriter.Workbook(out, {"constant_memory": True})
    formats: dict = {}
    with database.session() as session:
        request = _request(session)
        base = base_currency(session)
        # The Summary's cells come from the same core calls as ours.
        kpis = overview(session, today=request.today, as_of=request.as_of, scope=request.scope)
        rollups = book_rollups(session, request, base)
        summary = book.add_worksheet("Summary")
        row = 0
        for label, value in (
            ("Spend budget, year to date", kpis.spend_ytd.budget),
            ("Spend actual, year to date", kpis.spend_ytd.actual),
            ("Weighted pipeline", kpis.weighted_pipeline),
        ):
            summary.write_string(row, 0, label)
            summary.write_number(row, 1, value / 100)
            row += 1
        for items in rollups.groups.values():
            for item in items:
                summary.write_string(row, 0, str(item.labels[0]))
                for column, value in enumerate((item.budget, item.outlook, item.variance), 1):
                    summary.write_number(row, column, value / 100)
                row += 1
        _xlsxwriter_sheet(
            book,
            formats,
            variance_sheet.TITLE,
            variance_sheet.COLUMNS,
            variance_sheet.variance_rows(session, request),
        )
        for spec in records.RECORD_SHEETS:
            rows = records.stream(session, spec.query(request))
            _xlsxwriter_sheet(book, formats, spec.title, spec.columns, rows)
    book.close()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "bytes": Path(out).stat().st_size, "peak_mb": peak_rss_mb()}


def _xlsxwriter_sheet(book, formats: dict, title: str, columns, rows) -> None:
    from portfolio.exports.cells import _number_format, date_serial, month_serial
    from portfolio.money import ISO_4217

    sheet = book.add_worksheet(title)

    def cell_format(column, currency=None):
        key = (_number_format(column, currency), column.bold)
        found = formats.get(key)
        if found is None:
            options = {"bold": column.bold}
            if key[0]:
                options["num_format"] = key[0]
            found = formats[key] = book.add_format(options)
        return found

    bold = book.add_format({"bold": True})
    for index, column in enumerate(columns):
        sheet.write_string(0, index, column.header, bold)
    for row_index, row in enumerate(rows, 1):
        for index, (column, value) in enumerate(zip(columns, row, strict=False)):
            kind = column.value_kind
            currency = None
            if kind == "money":
                currency = (
                    column.currency if isinstance(column.currency, str) else row[column.currency]
                )
            if column.kind == "formula":
                formula = "=" + column.formula.replace("{r}", str(row_index + 1))
                cached = value
                if kind == "money" and value is not None:
                    cached = int(value) / 10 ** ISO_4217.get(currency, 2)
                elif kind == "percent" and value is not None:
                    cached = float(value)
                sheet.write_formula(
                    row_index, index, formula, cell_format(column, currency), cached or ""
                )
            elif value is None:
                continue
            elif kind == "text":
                sheet.write_string(row_index, index, str(value))
            elif kind == "money":
                amount = int(value) / 10 ** ISO_4217.get(currency, 2)
                sheet.write_number(row_index, index, amount, cell_format(column, currency))
            elif kind == "month":
                sheet.write_number(row_index, index, month_serial(value), cell_format(column))
            elif kind == "date":
                sheet.write_number(row_index, index, date_serial(value), cell_format(column))
            elif kind == "datetime":
                serial = (
                    date_serial(value.date())
                    + (value.hour * 3600 + value.minute * 60 + value.second) / 86400
                )
                sheet.write_number(row_index, index, serial, cell_format(column))
            elif kind == "bool":
                sheet.write_boolean(row_index, index, bool(value))
            else:
                sheet.write_number(row_index, index, float(value), cell_format(column))


def export_pandas(db_path: str, out: str) -> dict:
    import pandas
    import sqlalchemy

    from portfolio.exports import records
    from portfolio.storage import open_database

    database = open_database(db_path)
    with database.session() as session:
        query = records.budget_lines_query(_request(session))
    engine = sqlalchemy.create_engine(f"sqlite:///{db_path}")
    started = time.perf_counter()
    with engine.connect() as connection:
        frame = pandas.read_sql(query, connection)
    read = time.perf_counter() - started
    frame.to_excel(out, engine="openpyxl", index=False, sheet_name="Budget lines")
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "read_seconds": read,
        "rows": len(frame),
        "peak_mb": peak_rss_mb(),
    }


def make_import_sheet(db_path: str, out: str) -> dict:
    """A budget sheet as exported, with every tenth forecast edited."""
    import openpyxl

    from portfolio.exports import records
    from portfolio.exports.cells import Column
    from portfolio.exports.streamed_sheet import StreamedSheet
    from portfolio.storage import open_database

    database = open_database(db_path)
    spec = records.BUDGET_LINES
    with database.session() as session:
        query = records.budget_lines_query(_request(session)).limit(IMPORT_ROWS)
        rows = [list(row) for row in records.stream(session, query)]
    forecast = spec.headers.index("Spend forecast")
    for index, row in enumerate(rows):
        if index % EDIT_EVERY == 0:
            row[forecast] += 100  # one currency unit more (minor units)
    book = openpyxl.Workbook(write_only=True)
    sheet = StreamedSheet(book, spec.title)
    book._add_sheet(sheet)
    sheet.write(sheet.encoder([Column(h, bold=True) for h in spec.headers]), [spec.headers])
    sheet.write(sheet.encoder(spec.columns), rows)
    sheet.add_header_table(spec.table, spec.headers, sheet.row_count)
    book.save(out)
    return {"rows": len(rows), "edited": (len(rows) + EDIT_EVERY - 1) // EDIT_EVERY}


def import_ours(db_path: str, sheet: str) -> dict:
    from portfolio.imports.importer import run_import
    from portfolio.imports.plan import ImportOptions
    from portfolio.storage import open_database

    scratch = Path(tempfile.mkdtemp()) / "import.sqlite3"
    shutil.copyfile(db_path, scratch)
    database = open_database(scratch)
    started = time.perf_counter()
    result = run_import(database, sheet, ImportOptions())
    seconds = time.perf_counter() - started
    database.close()
    shutil.rmtree(scratch.parent)
    return {
        "seconds": seconds,
        "changed": result.plan.changed,
        "unchanged": result.plan.counts["budget_line"].unchanged,
        "refused": result.plan.refused_rows,
        "peak_mb": peak_rss_mb(),
    }


def read_bare(sheet: str) -> dict:
    import openpyxl

    started = time.perf_counter()
    book = openpyxl.load_workbook(sheet, read_only=True, data_only=True)
    count = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return {"seconds": time.perf_counter() - started, "rows": count, "peak_mb": peak_rss_mb()}


def open_only(db_path: str) -> dict:
    """The floor for memory: a process that imports the code and opens the demo."""
    import portfolio.exports.workbook  # noqa: F401
    import portfolio.imports.importer  # noqa: F401
    from portfolio.storage import open_database

    open_database(db_path).close()
    return {"peak_mb": peak_rss_mb()}


if __name__ == "__main__":
    task = globals()[sys.argv[1]]
    print(json.dumps(task(*sys.argv[2:])))
