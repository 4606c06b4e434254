"""The manager's workbook: Summary, Variance and the record sheets, in one .xlsx file.

Written with openpyxl in write-only mode (``StreamedSheet``), rows streamed from SQL, so
memory stays flat however big the book is. The file goes to a temporary name beside the
target and replaces it only when complete (``portfolio.files.atomic_output``); a failure
or a cancel removes the temporary file and openpyxl's own scratch files, and leaves any
previous workbook as it was.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.properties import CalcProperties
from sqlalchemy.orm import Session

from portfolio.errors import PortfolioError
from portfolio.exports import records, summary_sheet, variance_sheet
from portfolio.exports.cells import Column
from portfolio.exports.request import WorkbookRequest
from portfolio.exports.streamed_sheet import MAX_ROWS, StreamedSheet
from portfolio.files import atomic_output
from portfolio.jobs import Job, quiet
from portfolio.periods import month_label
from portfolio.storage import Database

#: Share of the progress bar each part takes (the budget lines dominate).
_WEIGHTS = {"summary": 0.04, "variance": 0.16, "Budget lines": 0.6, "others": 0.12, "save": 0.08}


class WorkbookTooBigError(PortfolioError):
    pass


@dataclass
class WorkbookReport:
    path: Path
    #: Data rows written per sheet (headers not counted).
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def export_workbook(
    db: Database, target: str | Path, request: WorkbookRequest, job: Job | None = None
) -> WorkbookReport:
    """Write the full workbook for ``request`` to ``target``; see the module docstring."""
    job = job or quiet()
    started = time.perf_counter()
    report = WorkbookReport(Path(target))
    with db.session() as session:
        if session.bind.dialect.name == "postgresql":
            # One snapshot for every sheet, so totals agree across sheets.
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        with atomic_output(target) as temporary:
            workbook = build_workbook(session, request, job, report)
            try:
                job.step(1 - _WEIGHTS["save"], "Compressing the workbook")
                workbook.save(temporary)
            finally:
                _discard(workbook)
            job.step(1.0, f"Wrote {Path(target).name}")
    report.seconds = time.perf_counter() - started
    return report


def build_workbook(
    session: Session, request: WorkbookRequest, job: Job, report: WorkbookReport
) -> Workbook:
    """Every sheet written to openpyxl's scratch files, ready to ``save``."""
    workbook = Workbook(write_only=True)
    try:
        _properties(workbook, request)
        budget_query = records.budget_lines_query(request)
        line_count = records.count(session, budget_query)
        if line_count >= MAX_ROWS:
            raise WorkbookTooBigError(
                f"{line_count:,} budget lines do not fit on one sheet "
                f"(at most {MAX_ROWS - 1:,}); narrow the export with --period, "
                "--director or --client"
            )
        job.step(0.0, "Summary")
        summary = _sheet(workbook, summary_sheet.TITLE)
        layout = summary_sheet.write_summary(summary, session, request)
        workbook.defined_names[variance_sheet.AS_OF_NAME] = DefinedName(
            variance_sheet.AS_OF_NAME, attr_text=f"'{summary_sheet.TITLE}'!{layout.as_of_cell}"
        )
        done = _WEIGHTS["summary"]
        job.step(done, "Variance")
        variance = _sheet(workbook, variance_sheet.TITLE)
        report.rows[variance_sheet.TITLE] = variance_sheet.write_variance(
            variance, session, request, lambda n: job.step(done, f"Variance: {n:,} rows")
        )
        done += _WEIGHTS["variance"]
        for spec in records.RECORD_SHEETS:
            weight = _WEIGHTS.get(spec.title, _WEIGHTS["others"] / 5)
            total = line_count if spec is records.BUDGET_LINES else 0
            job.step(done, spec.title)
            report.rows[spec.title] = _record_sheet(
                workbook, session, request, spec, _progress(job, done, weight, total, spec.title)
            )
            done += weight
        workbook.calculation = CalcProperties(fullCalcOnLoad=True)
    except BaseException:
        _discard(workbook)
        raise
    return workbook


def _progress(
    job: Job, start: float, weight: float, total: int, title: str
) -> Callable[[int], None]:
    def report(rows: int) -> None:
        share = min(1.0, rows / total) if total else 0.0
        job.step(start + weight * share, f"{title}: {rows:,} rows")

    return report


def _sheet(workbook: Workbook, title: str) -> StreamedSheet:
    sheet = StreamedSheet(workbook, title)
    workbook._add_sheet(sheet)
    return sheet


def _record_sheet(
    workbook: Workbook,
    session: Session,
    request: WorkbookRequest,
    spec: records.RecordSheet,
    progress: Callable[[int], None],
) -> int:
    sheet = _sheet(workbook, spec.title)
    sheet.setup([column.fitted_width for column in spec.columns], freeze=spec.freeze)
    header = sheet.encoder([Column(h, bold=True) for h in spec.headers])
    sheet.write(header, [spec.headers])
    rows = records.stream(session, spec.query(request))
    count = sheet.write(sheet.encoder(spec.columns), rows, progress)
    sheet.add_header_table(spec.table, spec.headers, sheet.row_count)
    return count


def _properties(workbook: Workbook, request: WorkbookRequest) -> None:
    properties = workbook.properties
    properties.title = request.title
    properties.subject = f"Budget, forecast and actual; actuals up to {month_label(request.as_of)}"
    properties.creator = request.author
    properties.lastModifiedBy = request.author
    properties.created = properties.modified = dt.datetime.now(dt.UTC).replace(
        tzinfo=None, microsecond=0
    )
    properties.keywords = "Portfolio; budget; variance"
    properties.description = (
        "Exported by Portfolio. Money is in each client's currency on the record and "
        "Variance sheets, and in the base currency on the Summary."
    )


def _discard(workbook: Workbook) -> None:
    """Remove openpyxl's scratch files of sheets not (or no longer) needed."""
    for sheet in workbook.worksheets:
        if isinstance(sheet, StreamedSheet):
            sheet.discard()
