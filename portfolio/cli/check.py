"""``portfolio check``: are the monthly totals exact? ``--rebuild-totals`` makes them so.

The roll-ups read the monthly totals that the database keeps as the budget lines change
(``portfolio.storage.totals``). ``check`` adds the lines up afresh and compares: it
names every client and month where they differ and exits 1, or says all is exact.
"""

from __future__ import annotations

import argparse

from portfolio.cli.common import database, db_parent

#: Differences listed one per line before the rest is only counted.
SHOWN = 20


def register(commands: argparse._SubParsersAction) -> None:
    check = commands.add_parser(
        "check",
        parents=[db_parent()],
        help="check that the monthly totals the figures read add up to the budget lines",
        description=(
            "Add the budget lines up afresh and compare them with the monthly totals "
            "that Overview, Variances and Team read. Exits 1 when any differ."
        ),
    )
    check.add_argument(
        "--rebuild-totals",
        action="store_true",
        help="recompute every monthly total from the budget lines (in one transaction)",
    )
    check.set_defaults(run=run_check)


def run_check(args: argparse.Namespace) -> int:
    from portfolio.storage import totals

    with database(args) as db:
        if args.rebuild_totals:
            rows = db.write(lambda session: totals.rebuild(session.connection()))
            print(f"Rebuilt the monthly totals from the budget lines: {rows:,} client-months")
        with db.transaction() as session:
            found = totals.differences(session.connection())
        name = db.name
    if not found:
        print(f"The monthly totals of {name} match its budget lines exactly.")
        return 0
    print(f"{len(found):,} monthly total(s) of {name} differ from the budget lines:")
    for difference in found[:SHOWN]:
        print(f"  {difference.describe()}")
    if len(found) > SHOWN:
        print(f"  ... and {len(found) - SHOWN:,} more")
    print("Run `portfolio check --rebuild-totals` to recompute them from the lines.")
    return 1
