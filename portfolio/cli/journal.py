"""``portfolio history`` and ``portfolio edit``: the change journal from the command line.

``history`` answers "who moved this forecast?": every change made by the app, the
command line and imports, newest first, with who, when, and each field before and
after in words. ``edit`` changes a client, a campaign or a budget line through the same
actions as the app (validated, journalled, checked against what others changed since
``--expect-version``), so a manager can script a change and tests can act as two people
without a display (``PORTFOLIO_USER=NAME``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from portfolio.cli.common import database, db_parent, parse_day
from portfolio.cli.output import FORMATS, Column, emit
from portfolio.errors import NotFoundError, ValidationError

HISTORY_COLUMNS = (
    Column("time", "When"),
    Column("user", "Who"),
    Column("action", "Action"),
    Column("entity", "Kind"),
    Column("record", "Record"),
    Column("field", "Field"),
    Column("before", "Before"),
    Column("after", "After"),
    Column("synced", "Synced from offline"),
)

#: What ``portfolio edit`` can change, and how its record is named on the command line.
EDITABLE = {
    "client": "NAME",
    "campaign": "CLIENT/CAMPAIGN",
    "budget-line": "CLIENT/CAMPAIGN/YYYY-MM",
}


def register(commands: argparse._SubParsersAction) -> None:
    history = commands.add_parser(
        "history",
        parents=[db_parent()],
        help="who changed what, when: the change journal",
        description="Every change made by the app, the command line and imports, newest "
        "first, with who made it and each field before and after.",
    )
    history.add_argument("--client", metavar="NAME", help="only this client's records")
    history.add_argument("--user", metavar="NAME", help="only changes by this person or login")
    history.add_argument("--since", metavar="YYYY-MM-DD", help="only changes from this day on")
    history.add_argument("--limit", type=int, metavar="N", help="at most N changed records")
    history.add_argument("--format", choices=FORMATS, default="table", help="output format")
    history.set_defaults(run=run_history)

    edit = commands.add_parser(
        "edit",
        parents=[db_parent()],
        help="change a client, campaign or budget line (journalled, like the app)",
        description="Change fields of one record through the same validated, journalled "
        "action as the app. Prints the record's new version. Names as "
        + "; ".join(f"{kind} {shape}" for kind, shape in EDITABLE.items())
        + ". A field is named by its data name (spend_actual) or its label (Spend actual).",
    )
    edit.add_argument("kind", choices=tuple(EDITABLE), help="what to change")
    edit.add_argument("record", help="which record: " + ", ".join(EDITABLE.values()))
    edit.add_argument(
        "--set",
        dest="assignments",
        action="append",
        required=True,
        metavar="FIELD=VALUE",
        help="a field and its new value (repeat for several; an empty value clears it)",
    )
    edit.add_argument(
        "--expect-version",
        type=int,
        metavar="N",
        help="the version you based the change on: fields someone else changed since "
        "are refused as a conflict; others merge",
    )
    edit.set_defaults(run=run_edit)


def run_history(args: argparse.Namespace) -> int:
    from portfolio.journal.history import history
    from portfolio.journal.wording import entity_label, local_time
    from portfolio.lookup import find_client

    since = None
    if args.since:
        day = parse_day(args.since, "--since")
        # Days are the person's own; the journal keeps UTC.
        since = dt.datetime.combine(day, dt.time()).astimezone().astimezone(dt.UTC)
        since = since.replace(tzinfo=None)
    with database(args) as db, db.session() as session:
        client_id = find_client(session, args.client).id if args.client else None
        lines = history(session, client_id=client_id, user=args.user, since=since, limit=args.limit)
    machine = args.format != "table"
    records = [
        {
            "time": (
                line.time.replace(tzinfo=dt.UTC).isoformat().replace("+00:00", "Z")
                if machine
                else local_time(line.time)
            ),
            "user": line.user,
            "action": line.action,
            "entity": line.entity if machine else entity_label(line.entity),
            "record": line.record,
            "field": line.field,
            "before": line.before if machine or line.field else "",
            "after": line.after,
            "synced": (
                (line.synced.replace(tzinfo=dt.UTC).isoformat().replace("+00:00", "Z"))
                if machine and line.synced
                else (local_time(line.synced) if line.synced else "")
            ),
        }
        for line in lines
    ]
    emit(records, HISTORY_COLUMNS, args.format, sys.stdout)
    return 0


def _field_name(entity_name: str, given: str) -> str:
    from portfolio.editing import entity

    spec = entity(entity_name)
    wanted = " ".join(given.replace("_", " ").split()).casefold()
    for field_spec in spec.fields:
        names = (field_spec.name.replace("_", " "), field_spec.label, *field_spec.aliases)
        if wanted in (name.casefold() for name in names):
            if not field_spec.editable:
                raise ValidationError(
                    field_spec.name,
                    "is worked out by Portfolio and cannot be edited",
                    label=field_spec.label,
                )
            return field_spec.name
    known = ", ".join(f.name for f in spec.fields if f.editable)
    raise ValidationError(given, f"{spec.label.lower()}s have no field {given!r} ({known})")


def _assignments(entity_name: str, given: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for assignment in given:
        name, equals, value = assignment.partition("=")
        if not equals or not name.strip():
            raise ValidationError("--set", f"{assignment!r} is not FIELD=VALUE", label="--set")
        values[_field_name(entity_name, name.strip())] = value
    return values


def _split(record: str, parts: int) -> list[list[str]]:
    """Every way to cut ``record`` at '/' into ``parts`` names (names may hold '/')."""
    pieces = record.split("/")
    if len(pieces) < parts:
        return []
    if parts == 1:
        return [[record.strip()]]
    found = []
    for cut in range(1, len(pieces) - parts + 2):
        head = "/".join(pieces[:cut]).strip()
        for rest in _split("/".join(pieces[cut:]), parts - 1):
            found.append([head, *rest])
    return found


def find_record(session, kind: str, record: str) -> tuple[str, int]:
    """(entity name, id) of the record named ``record`` (see ``EDITABLE``)."""
    from sqlalchemy import select

    from portfolio.lookup import find_client
    from portfolio.model import BudgetLine, Campaign
    from portfolio.periods import parse_month

    if kind == "client":
        return "client", find_client(session, record).id
    parts = 2 if kind == "campaign" else 3
    for names in _split(record, parts):
        try:
            client = find_client(session, names[0])
        except NotFoundError:
            continue
        campaign = session.scalars(
            select(Campaign).where(Campaign.client_id == client.id, Campaign.name == names[1])
        ).first()
        if campaign is None:
            continue
        if kind == "campaign":
            return "campaign", campaign.id
        month = parse_month(names[2], "month")
        line_id = session.scalar(
            select(BudgetLine.id).where(
                BudgetLine.campaign_id == campaign.id, BudgetLine.month == month
            )
        )
        if line_id is None:
            raise NotFoundError(
                f"{client.name} / {campaign.name} has no budget line for {names[2]}"
            )
        return "budget_line", line_id
    raise NotFoundError(f"No {kind.replace('-', ' ')} {record!r} (name it {EDITABLE[kind]})")


def run_edit(args: argparse.Namespace) -> int:
    from portfolio.actions import Action, Edit, perform
    from portfolio.editing import entity
    from portfolio.queries.pickers import describe

    with database(args) as db:
        with db.session() as session:
            entity_name, row_id = find_record(session, args.kind, args.record)
            name = describe(session, entity_name, row_id)
            version = session.get(entity(entity_name).model, row_id).version
        values = _assignments(entity_name, args.assignments)
        labels = ", ".join(entity(entity_name).field(field).label for field in values)
        step = Edit(entity_name, row_id, values, version=args.expect_version)
        outcome = perform(db, Action(f"Edit {labels} of {name}", (step,)))
    print(outcome.versions.get((entity_name, row_id), version))
    return 0
