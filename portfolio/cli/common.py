"""What the commands share: opening the database, reading dates, progress lines."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from portfolio.cli.terminal import one_line, raw
from portfolio.errors import ValidationError
from portfolio.periods import last_closed_month, parse_month

if TYPE_CHECKING:
    from portfolio.analytics.dimensions import Scope
    from portfolio.storage import Database

# Command modules are imported on every start, the desktop app's included, to build the
# one parser; so this module and each command's ``register`` import nothing heavy.
# SQLAlchemy, the model and the analytics load inside the commands that use them.


def db_parent() -> argparse.ArgumentParser:
    """``--db`` for subcommands; SUPPRESS keeps a root-level ``--db`` when not repeated."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--db",
        default=argparse.SUPPRESS,
        metavar="PATH|URL",
        help="SQLite file or postgresql+psycopg:// URL (default: the file in your data folder)",
    )
    return parent


def as_of_parent() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--as-of",
        metavar="YYYY-MM",
        help="last month with actuals in (default: the month before this one)",
    )
    return parent


def as_of(args: argparse.Namespace) -> int:
    if getattr(args, "as_of", None):
        return parse_month(args.as_of, "--as-of")
    return last_closed_month(today(args))


def today(args: argparse.Namespace) -> dt.date:
    return dt.date.today()


def parse_day(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(field, f"{text!r} is not a date (use YYYY-MM-DD)") from None


@contextmanager
def database(args: argparse.Namespace) -> Iterator[Database]:
    """The portfolio named by ``--db``; commands never create an empty one by accident.

    An upgrade on opening is reported on stderr with where its backup went, and a write
    that waits for another program says so there (``portfolio.storage.busy``).
    """
    from portfolio.storage import migrate, open_database
    from portfolio.storage.busy import printing_watcher

    db = open_database(getattr(args, "db", None))
    try:
        if db.upgrade_backup is not None:
            note(
                f"upgraded {db.name} to schema {migrate.SCHEMA_HEAD}; the file as it was "
                f"is backed up at {db.upgrade_backup}"
            )
        db.on_busy = printing_watcher(note)
        yield db
    finally:
        db.close()


def note(text: str) -> None:
    """A line for the person at the terminal, on stderr so it never mixes with data."""
    print(f"portfolio: {text}", file=sys.stderr, flush=True)


def scope_from(session, args: argparse.Namespace) -> Scope:
    """``--client`` / ``--director`` as a roll-up scope, names checked."""
    from portfolio.analytics.dimensions import Scope
    from portfolio.lookup import find_client, find_member

    clients: tuple[int, ...] = ()
    directors: tuple[int, ...] = ()
    if getattr(args, "client", None):
        clients = (find_client(session, args.client).id,)
    if getattr(args, "director", None):
        directors = (find_member(session, args.director, "account_director").id,)
    return Scope(client_ids=clients, director_ids=directors)


#: Seconds between two progress lines when stderr is not a terminal (a log, a pipe).
LOG_EVERY = 5.0


def progress_printer(label: str) -> Callable[[float, str], None] | None:
    """Progress on stderr: a line redrawn in place on a terminal; elsewhere (a log file,
    a pipe, CI) a plain line every ``LOG_EVERY`` seconds, so short work prints nothing
    and long work shows it is alive."""
    if not sys.stderr.isatty():
        started = time.monotonic()
        last = [started]

        def log(fraction: float, message: str) -> None:
            now = time.monotonic()
            if now - last[0] >= LOG_EVERY:
                last[0] = now
                sys.stderr.write(f"{label}: {fraction:4.0%} {message} ({now - started:.0f} s)\n")
                sys.stderr.flush()

        return log

    stream = raw(sys.stderr)

    def show(fraction: float, message: str) -> None:
        end = "\n" if fraction >= 1 else ""
        stream.write(f"\r\033[K{label}: {fraction:4.0%} {one_line(message)}{end}")
        stream.flush()

    return show
