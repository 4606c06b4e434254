"""Reports on results and service: campaign results, SLA compliance, the pipeline."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from portfolio.cli.common import as_of, as_of_parent, database, db_parent, scope_from
from portfolio.cli.output import FORMATS, Column, emit, records_of
from portfolio.periods import month_key, month_of, parse_period


def register(commands: argparse._SubParsersAction) -> None:
    shared = [db_parent(), as_of_parent()]
    campaigns = commands.add_parser(
        "campaigns", parents=shared, help="campaign results: response rate, cost per sale, ROI"
    )
    campaigns.add_argument("--period", default="ytd")
    campaigns.add_argument("--client", metavar="NAME")
    campaigns.add_argument("--director", metavar="NAME")
    campaigns.add_argument("--format", choices=FORMATS, default="table")
    campaigns.set_defaults(run=run_campaigns)

    sla = commands.add_parser("sla", parents=shared, help="SLA compliance of client requests")
    sla.add_argument(
        "--by", choices=("total", "client", "director", "category"), default="director"
    )
    sla.add_argument("--days", type=int, default=90, help="look-back window (default 90)")
    sla.add_argument("--format", choices=FORMATS, default="table")
    sla.set_defaults(run=run_sla)

    pipeline = commands.add_parser(
        "pipeline", parents=shared, help="open opportunities, weighted by probability"
    )
    pipeline.add_argument(
        "--by", choices=("total", "client", "director", "stage"), default="director"
    )
    pipeline.add_argument("--currency")
    pipeline.add_argument("--format", choices=FORMATS, default="table")
    pipeline.set_defaults(run=run_pipeline)


def run_campaigns(args: argparse.Namespace) -> int:
    from portfolio.analytics.campaign_results import campaign_results
    from portfolio.model.vocab import CHANNEL

    month = as_of(args)
    with database(args) as db, db.session() as session:
        period = parse_period(args.period, month)
        results = campaign_results(
            session, period=period, as_of=month, scope=scope_from(session, args)
        )
    columns = [
        Column("client", "Client"),
        Column("campaign", "Campaign"),
        Column("channel", "Channel"),
        Column("currency", "Cur"),
        Column("pieces", "Pieces", "count"),
        Column("responses", "Responses", "count"),
        Column("response_rate_pct", "Resp %", "percent"),
        Column("sales", "Sales", "count"),
        Column("spend", "Spend", "money"),
        Column("revenue", "Revenue", "money"),
        Column("cost_per_response", "Cost/resp", "money"),
        Column("cost_per_sale", "Cost/sale", "money"),
        Column("roi_pct", "ROI %", "pct"),
        Column("persistency_pct", "Persist %", "percent"),
    ]
    records = records_of(
        results,
        columns,
        channel=lambda r: CHANNEL.label(r.channel),
        response_rate_pct=lambda r: r.response_rate,
    )
    note = f"{period.label}, actuals to {month_key(month)}."
    emit(records, columns, args.format, sys.stdout, note=note)
    return 0


def run_sla(args: argparse.Namespace) -> int:
    from portfolio.analytics.service_levels import sla_compliance

    now = dt.datetime.now().replace(microsecond=0)
    with database(args) as db, db.session() as session:
        rows = sla_compliance(
            session, since=now - dt.timedelta(days=args.days), now=now, by=args.by
        )
    columns = [
        Column("group", "Group"),
        Column("due", "Due", "count"),
        Column("met", "Met", "count"),
        Column("breached", "Breached", "count"),
        Column("compliance_pct", "Compliance %", "percent"),
        Column("open_overdue", "Open overdue", "count"),
        Column("escalated", "Escalated", "count"),
    ]
    records = records_of(rows, columns)
    emit(
        records,
        columns,
        args.format,
        sys.stdout,
        note=f"Requests due in the last {args.days} days.",
    )
    return 0


def run_pipeline(args: argparse.Namespace) -> int:
    from portfolio.analytics.pipeline import weighted_pipeline

    with database(args) as db, db.session() as session:
        rows = weighted_pipeline(
            session, month=month_of(dt.date.today()), by=args.by, currency=args.currency
        )
    columns = [
        Column("group", "Group"),
        Column("currency", "Cur"),
        Column("count", "Open", "count"),
        Column("value", "Value", "money"),
        Column("weighted", "Weighted", "money"),
    ]
    records = records_of(rows, columns)
    emit(records, columns, args.format, sys.stdout)
    return 0
