"""``portfolio export xlsx`` and ``portfolio import xlsx|csv|undo``: workbooks in and out."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from portfolio.cli.common import as_of, as_of_parent, database, db_parent, progress_printer, today
from portfolio.cli.terminal import one_line

if TYPE_CHECKING:
    from portfolio.imports.plan import ImportPlan

# Registered on every start (the desktop app's too): openpyxl, SQLAlchemy and the
# importers load inside the commands that use them.

#: Refused rows printed in full; the rest are counted.
LISTED_PROBLEMS = 50
#: Day-month orders (``portfolio.imports.values.DATE_ORDERS``, without importing it).
DATE_ORDERS = ("dmy", "mdy")


def register(commands: argparse._SubParsersAction) -> None:
    export = commands.add_parser(
        "export", help="write files for people: an Excel workbook", description="Export files."
    )
    formats = export.add_subparsers(dest="export_format", metavar="FORMAT", required=True)
    xlsx = formats.add_parser(
        "xlsx",
        parents=[db_parent(), as_of_parent()],
        help="the manager's workbook: summary, variance, budget lines and records",
        description=(
            "Write an Excel workbook: Summary (key figures, roll-ups, chart), Variance "
            "(client x month, live formulas), Budget lines, Clients, Campaigns, Requests, "
            "Opportunities and Deadlines."
        ),
    )
    xlsx.add_argument("-o", "--output", required=True, metavar="OUT.xlsx", help="file to write")
    xlsx.add_argument("--client", metavar="NAME", help="only this client")
    xlsx.add_argument("--director", metavar="NAME", help="only this account director's clients")
    xlsx.add_argument(
        "--period",
        metavar="PERIOD",
        help="2026, 2026-Q3, 2026-07, ytd, fy or all (default: the year of --as-of)",
    )
    xlsx.set_defaults(run=run_export)

    imports = commands.add_parser(
        "import",
        help="read clients, campaigns, budget lines and opportunities from a spreadsheet",
        description=(
            "Import a spreadsheet: rows are matched by natural key (client; client and "
            "campaign; client, campaign and month; client and opportunity), every row is "
            "validated, and a file with any refused row changes nothing. Nothing is deleted."
        ),
    )
    kinds = imports.add_subparsers(dest="import_kind", metavar="KIND", required=True)
    for kind, what in (("xlsx", "an Excel workbook"), ("csv", "a CSV file")):
        parser = kinds.add_parser(kind, parents=[db_parent()], help=f"import {what}")
        parser.add_argument("file", metavar="FILE")
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would change; change nothing"
        )
        parser.add_argument(
            "--good-rows-only",
            action="store_true",
            help="import the rows that pass even if others are refused",
        )
        parser.add_argument(
            "--date-order",
            choices=DATE_ORDERS,
            help="read dates like 03/04/2026 day first (dmy) or month first (mdy)",
        )
        marks = parser.add_mutually_exclusive_group()
        marks.add_argument(
            "--decimal-comma",
            dest="decimal_comma",
            action="store_const",
            const=True,
            help="numbers are written 1.234,50 (comma before the decimals); without this "
            "or --decimal-point, the file's own numbers must show which",
        )
        marks.add_argument(
            "--decimal-point",
            dest="decimal_comma",
            action="store_const",
            const=False,
            help="numbers are written 1,234.50 (point before the decimals)",
        )
        parser.add_argument(
            "--skip-hidden",
            action="store_true",
            help="leave out hidden sheets and rows hidden in a sheet (by a filter or by hand)",
        )
        if kind == "csv":
            parser.add_argument(
                "--encoding",
                metavar="NAME",
                help="the file's text encoding (utf-8, cp1252, cp1250, ...) when it cannot "
                "be told from its bytes",
            )
        parser.set_defaults(run=run_import_command)
    undo = kinds.add_parser(
        "undo", parents=[db_parent()], help="undo your last import, as one step"
    )
    undo.set_defaults(run=run_undo)


def run_export(args: argparse.Namespace) -> int:
    from portfolio.exports.request import workbook_request
    from portfolio.exports.workbook import export_workbook
    from portfolio.jobs import Job

    month = as_of(args)
    with database(args) as db:
        with db.session() as session:
            request = workbook_request(
                session,
                as_of=month,
                today=today(args),
                client=args.client,
                director=args.director,
                period=args.period,
            )
        job = Job(progress_printer("Exporting"))
        report = export_workbook(db, args.output, request, job)
    lines = sum(report.rows.values())
    print(
        f"Wrote {report.path} ({request.scope_label}, {request.period.label}): "
        f"{report.rows.get('Budget lines', 0):,} budget lines, {lines:,} rows in all, "
        f"in {report.seconds:.1f} s",
        file=sys.stdout,
    )
    return 0


def run_import_command(args: argparse.Namespace) -> int:
    from portfolio.imports.importer import ImportRefusedError, preview_import, run_import
    from portfolio.imports.plan import ImportOptions
    from portfolio.jobs import Job

    options = ImportOptions(
        date_order=args.date_order,
        decimal_comma=args.decimal_comma,
        good_rows_only=args.good_rows_only,
        skip_hidden=args.skip_hidden,
        encoding=getattr(args, "encoding", None),
    )
    job = Job(progress_printer("Importing"))
    with database(args) as db:
        if args.dry_run:
            plan = preview_import(db, args.file, options, job, kind=args.import_kind)
            _print_plan(plan)
            print("Dry run: nothing was changed.")
            if plan.problems and not options.good_rows_only:
                raise ImportRefusedError(plan)
            return 0
        try:
            result = run_import(db, args.file, options, job, kind=args.import_kind)
        except ImportRefusedError as refused:
            _print_plan(refused.plan)
            raise
    _print_plan(result.plan)
    if result.applied is None:
        print("Nothing to change: the portfolio already matches the file.")
    else:
        print(
            f"Imported {result.plan.source}: {result.applied.added:,} added, "
            f"{result.applied.changed:,} changed (undo with: portfolio import undo)."
        )
    return 0


def _print_plan(plan: ImportPlan) -> None:
    print(plan.describe())
    if plan.problems:
        print("Refused:")
        for problem in plan.problems[:LISTED_PROBLEMS]:
            print(f"  {one_line(str(problem))}")
        if len(plan.problems) > LISTED_PROBLEMS:
            print(f"  ... and {len(plan.problems) - LISTED_PROBLEMS:,} more")


def run_undo(args: argparse.Namespace) -> int:
    from portfolio.imports.importer import undo_import
    from portfolio.jobs import Job
    from portfolio.naming import counted

    with database(args) as db:
        undone = undo_import(db, Job(progress_printer("Undoing")))
    print(
        f"Undid the import of {undone.source} ({undone.imported_at:%Y-%m-%d %H:%M} UTC): "
        f"{counted(undone.removed, 'added row')} removed, "
        f"{counted(undone.restored, 'changed row')} restored."
    )
    if undone.later_by_others:
        who, source = undone.later_by_others
        print(f"A later import ({source}) by {who} was left as it is.")
    return 0
