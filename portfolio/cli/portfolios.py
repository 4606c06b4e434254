"""``portfolio new PATH|URL`` and ``portfolio backup``: making and keeping portfolios.

``new`` is the one command that makes an empty portfolio; every other command refuses a
missing or empty file instead of quietly starting a new book (a typo in ``--db`` must
not look like a portfolio that lost all its data).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from portfolio.cli.common import database, db_parent


def register(commands: argparse._SubParsersAction) -> None:
    new = commands.add_parser(
        "new",
        help="make a new, empty portfolio",
        description=(
            "Make a new, empty portfolio: an SQLite file that does not exist yet, or an "
            "empty PostgreSQL database (postgresql+psycopg://...)."
        ),
    )
    new.add_argument("path", metavar="PATH|URL", help="the new file, or an empty database URL")
    new.set_defaults(run=run_new)

    backup = commands.add_parser(
        "backup",
        parents=[db_parent()],
        help="back up the portfolio file now",
        description=(
            "Write a consistent copy of the portfolio file, even while the app has it "
            "open: next to it as NAME-backup-YYYYMMDD-HHMMSS.sqlite3, or to --output."
        ),
    )
    backup.add_argument(
        "-o", "--output", metavar="FILE", help="where to write the copy (must not exist)"
    )
    backup.set_defaults(run=run_backup)


def run_new(args: argparse.Namespace) -> int:
    from portfolio.storage.database import create_database

    db = create_database(args.path)
    name = db.name
    db.close()
    print(f"Made a new, empty portfolio: {name}")
    return 0


def run_backup(args: argparse.Namespace) -> int:
    from portfolio.storage.failures import StorageError

    destination = Path(args.output).expanduser().resolve() if args.output else None
    if destination is not None and destination.exists():
        raise StorageError(f"{destination} already exists; choose a new file name")
    with database(args) as db:
        copy = db.backup(destination)
        name = db.name
    print(f"Backed up {name} to {copy}")
    return 0
