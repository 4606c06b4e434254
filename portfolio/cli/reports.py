"""Read-only reports: variance, recovery, at-risk, team and a client's summary."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import TYPE_CHECKING

from portfolio.cli.common import as_of, as_of_parent, database, db_parent, scope_from
from portfolio.cli.output import FORMATS, Column, emit, records_of
from portfolio.errors import ValidationError
from portfolio.lookup import find_client
from portfolio.money import format_money
from portfolio.periods import month_key, parse_period

if TYPE_CHECKING:
    from portfolio.analytics.variance import VarianceRow


def _format_parent() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--format", choices=FORMATS, default="table", help="output format")
    return parent


def register(commands: argparse._SubParsersAction) -> None:
    shared = [db_parent(), as_of_parent(), _format_parent()]

    variance = commands.add_parser(
        "variance",
        parents=shared,
        help="budget vs forecast vs actual, rolled up",
        description="Budget, forecast, actual and their variances, rolled up in SQL.",
    )
    variance.add_argument(
        "--by",
        default="client",
        metavar="LEVEL[,LEVEL]",
        help="roll-up level(s), comma separated: line, campaign, client, director, vertical,"
        " month, quarter, year (default client)",
    )
    variance.add_argument(
        "--period", default="ytd", help="2026, 2026-Q3, 2026-07, ytd or fy (default ytd)"
    )
    variance.add_argument(
        "--measure", choices=("spend", "revenue", "sales"), default="spend", help="default spend"
    )
    variance.add_argument("--currency", help="convert everything into this ISO 4217 currency")
    variance.add_argument("--client", metavar="NAME", help="only this client")
    variance.add_argument("--director", metavar="NAME", help="only this director's clients")
    variance.set_defaults(run=run_variance)

    recovery = commands.add_parser(
        "recovery",
        parents=shared,
        help="negative year-to-date variances and how to make them up",
    )
    recovery.add_argument("--measure", choices=("spend", "revenue", "sales"), default="spend")
    recovery.add_argument("--level", choices=("client", "campaign"), default="client")
    recovery.add_argument("--client", metavar="NAME")
    recovery.add_argument("--director", metavar="NAME")
    recovery.set_defaults(run=run_recovery)

    at_risk = commands.add_parser(
        "at-risk", parents=shared, help="clients at risk, with their reasons"
    )
    at_risk.add_argument("--director", metavar="NAME")
    at_risk.set_defaults(run=run_at_risk)

    team = commands.add_parser(
        "team",
        parents=shared,
        help="each director's book against their objective; logins and access",
        description="Without a task: each director's book against their objective. "
        "With one: who may use the portfolio and what they may do (run by a manager or "
        "the database owner).",
    )
    team.add_argument("--period", default="ytd")
    team.add_argument("--currency")
    from portfolio.cli import team as team_logins

    team_logins.add_arguments(team)
    team.set_defaults(run=run_team)

    summary = commands.add_parser(
        "summary",
        parents=[db_parent(), as_of_parent()],
        help="one client's position on a page",
    )
    summary.add_argument("--client", metavar="NAME", required=True)
    summary.add_argument("--format", choices=("table", "json"), default="table")
    summary.set_defaults(run=run_summary)


VARIANCE_COLUMNS = (
    Column("group", "Group"),
    Column("currency", "Cur"),
    Column("budget", "Budget", "money"),
    Column("forecast", "Forecast", "money"),
    Column("actual", "Actual", "money"),
    Column("outlook", "Outlook", "money"),
    Column("variance", "Variance", "money"),
    Column("variance_pct", "Var %", "pct"),
    Column("variance_vs_forecast", "Var vs fcst", "money"),
    Column("variance_vs_forecast_pct", "Var vs fcst %", "pct"),
    Column("status", "Status"),
)


def variance_record(row: VarianceRow, measure_name: str, period: str) -> dict:
    return {
        "group": row.group,
        "currency": row.currency,
        "measure": measure_name,
        "period": period,
        "budget": row.budget,
        "forecast": row.forecast,
        "actual": row.actual,
        "outlook": row.outlook,
        "variance": row.variance,
        "variance_pct": row.variance_pct,
        "variance_vs_forecast": row.variance_vs_forecast,
        "variance_vs_forecast_pct": row.variance_vs_forecast_pct,
        "favourable": row.favourable,
        # Never colour alone: the table says it in words.
        "status": "favourable" if row.favourable else "UNFAVOURABLE",
    }


def run_variance(args: argparse.Namespace) -> int:
    from portfolio.analytics.dimensions import AXES
    from portfolio.analytics.missing_actuals import missing_actuals, missing_by
    from portfolio.analytics.variance import variance_rollup

    axes = [part.strip() for part in args.by.split(",") if part.strip()]
    for name in axes:
        if name not in AXES:
            raise ValidationError("--by", f"{name!r} is not a level (use {', '.join(AXES)})")
    month = as_of(args)
    with database(args) as db, db.session() as session:
        scope = scope_from(session, args)
        start_month = 1
        if args.client:
            start_month = find_client(session, args.client).fiscal_year_start
        period = parse_period(args.period, month, start_month)
        rollup = variance_rollup(
            session,
            by=axes,
            period=period,
            as_of=month,
            measure_name=args.measure,
            scope=scope,
            currency=args.currency,
        )
        missing = missing_actuals(session, period, month, scope).note(args.measure)
        # Per row for the machine formats, which carry no note: a consumer of the JSON
        # or CSV must not take a closed month's empty actual for a reported 0.
        per_group = missing_by(session, axes, period, month, args.measure, scope)
    records = [variance_record(row, rollup.measure, period.label) for row in rollup.rows]
    columns = list(VARIANCE_COLUMNS)
    if args.format != "table":
        columns.insert(1, Column("measure", "Measure"))
        columns.insert(2, Column("period", "Period"))
        columns.append(Column("favourable", "Favourable", "bool"))
        columns.append(Column("lines_without_actual", "Lines without actual", "count"))
        for row, record in zip(rollup.rows, records, strict=True):
            record["lines_without_actual"] = per_group.get(tuple(row.key), 0)
    footer = [variance_record(row, rollup.measure, period.label) for row in rollup.totals]
    note = f"{args.measure.capitalize()}, {period.label}, actuals to {month_key(month)}. " + (
        f"Converted into {rollup.converted_to} at monthly rates."
        if rollup.converted_to
        else "Amounts in each client's currency; totals per currency."
    )
    if missing is not None:
        note += f" {missing}"
    emit(records, columns, args.format, sys.stdout, footer=footer, note=note)
    return 0


def run_recovery(args: argparse.Namespace) -> int:
    from portfolio.analytics.recovery import recovery_plan

    month = as_of(args)
    with database(args) as db, db.session() as session:
        items = recovery_plan(
            session,
            as_of=month,
            measure_name=args.measure,
            level=args.level,
            scope=scope_from(session, args),
        )
    records = [
        {
            "group": item.group,
            "director": item.director,
            "currency": item.currency,
            "shortfall": item.shortfall,
            "shortfall_pct": item.shortfall_pct,
            "planned": item.planned,
            "uncovered": item.uncovered,
            "per_month": [
                f"{month_key(m)} {format_money(amount, item.currency, symbol=False)}"
                if item.currency
                else f"{month_key(m)} {amount}"
                for m, amount in zip(item.remaining_months, item.per_month, strict=True)
            ],
            "months_left": len(item.remaining_months),
        }
        for item in items
    ]
    if args.format == "table":
        for record, item in zip(records, items, strict=True):
            record["per_month_each"] = item.per_month[0] if item.per_month else None
    columns = [
        Column("group", "Group"),
        Column("director", "Director"),
        Column("currency", "Cur"),
        Column("shortfall", "To make up", "money"),
        Column("shortfall_pct", "% of budget", "percent"),
        Column("planned", "Actions planned", "money"),
        Column("uncovered", "Not yet covered", "money"),
        Column("months_left", "Months left", "count"),
    ]
    if args.format == "table":
        columns.append(Column("per_month_each", "Per month", "money"))
    else:
        columns.append(Column("per_month", "Per month", "list"))
    emit(
        records,
        columns,
        args.format,
        sys.stdout,
        note=f"{args.measure.capitalize()} year to date, actuals to {month_key(month)}.",
    )
    return 0


def run_at_risk(args: argparse.Namespace) -> int:
    from portfolio.analytics.dimensions import Scope
    from portfolio.analytics.risk import at_risk_clients

    month = as_of(args)
    with database(args) as db, db.session() as session:
        scope = scope_from(session, args) if args.director else Scope()
        found = at_risk_clients(session, today=dt.date.today(), as_of=month, scope=scope)
    records = [
        {
            "client": entry.client,
            "director": entry.director,
            "kinds": entry.kinds,
            "reasons": [reason.text for reason in entry.reasons],
        }
        for entry in found
    ]
    columns = [
        Column("client", "Client"),
        Column("director", "Director"),
        Column("reasons", "Reasons", "list"),
    ]
    if args.format != "table":
        columns.insert(2, Column("kinds", "Kinds", "list"))
    emit(records, columns, args.format, sys.stdout)
    return 0


def run_team(args: argparse.Namespace) -> int:
    if getattr(args, "task", None):
        from portfolio.cli import team as team_logins

        return team_logins.run(args)
    from portfolio.analytics.team import team_rollup

    month = as_of(args)
    with database(args) as db, db.session() as session:
        period = parse_period(args.period, month)
        rows = team_rollup(session, period=period, as_of=month, currency=args.currency)
    columns = [
        Column("director", "Director"),
        Column("manager", "Manager"),
        Column("clients", "Clients", "count"),
        Column("currency", "Cur"),
        Column("objective_to_date", "Objective to date", "money"),
        Column("achieved", "Revenue achieved", "money"),
        Column("attainment_pct", "Attainment %", "percent"),
        Column("objective", "Period objective", "money"),
        Column("outlook", "Revenue outlook", "money"),
        Column("spend_variance", "Spend variance", "money"),
    ]
    records = records_of(rows, columns)
    emit(
        records,
        columns,
        args.format,
        sys.stdout,
        note=f"{period.label}, actuals to {month_key(month)}.",
    )
    return 0


def run_summary(args: argparse.Namespace) -> int:
    from portfolio.analytics.summary import client_summary, render_summary

    month = as_of(args)
    with database(args) as db, db.session() as session:
        client = find_client(session, args.client)
        summary = client_summary(session, client, as_of=month, today=dt.date.today())
    if args.format == "json":
        import json

        json.dump(summary.as_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_summary(summary))
    return 0
