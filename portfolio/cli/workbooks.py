"""``portfolio export xlsx`` and ``portfolio import xlsx|csv|undo``: workbooks in and out."""

from __future__ import annotations

import argparse
import sys

from portfolio.cli.common import as_of, as_of_parent, database, db_parent, progress_printer, today
from portfolio.exports.request import workbook_request
from portfolio.exports.workbook import export_workbook
from portfolio.jobs import Job


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


def run_export(args: argparse.Namespace) -> int:
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
