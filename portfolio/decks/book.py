"""A whole book of decks at once: one deck per client, on every core.

Each worker process opens the portfolio itself (a database connection cannot cross a
process boundary) and writes whole decks, each atomically. A client whose deck fails is
reported with its reason and the others are still written; a cancel stops handing out
clients, and every deck already written is complete. Workers start with ``spawn`` on
every platform: forking a process that holds database connections or Qt threads (the
desktop app) is unsafe, and spawn behaves the same on Linux, macOS and Windows.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import re
import unicodedata
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from portfolio.decks.build import write_deck
from portfolio.decks.options import DeckOptions
from portfolio.errors import PortfolioError
from portfolio.jobs import Job, quiet
from portfolio.model import Client
from portfolio.storage import Database, open_database


@dataclass
class BookEntry:
    client_id: int
    client: str
    path: Path | None
    pages: int = 0
    warnings: list[str] = field(default_factory=list)
    #: Why this client's deck was not written; None when it was.
    error: str | None = None


_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


def deck_filename(client: str, extension: str) -> str:
    """A file name for ``client``'s deck that every file system accepts.

    Letters of any script are kept (the file is named as the client is); characters
    Windows or POSIX forbid become ``_``; the length stays well under 255 bytes.
    """
    name = unicodedata.normalize("NFC", client)
    name = _UNSAFE.sub("_", name).strip() or "client"
    while len(name.encode()) > 150:
        name = name[:-1]
    return f"{name} review.{extension}"


def plan_targets(names: dict[int, str], out_dir: Path, extension: str) -> dict[int, Path]:
    """One path per client; two names that clean up alike get their ids added."""
    targets: dict[int, Path] = {}
    seen: dict[str, int] = {}
    for client_id, name in names.items():
        filename = deck_filename(name, extension)
        key = filename.casefold()
        if key in seen:
            filename = deck_filename(f"{name} {client_id}", extension)
        seen[key] = client_id
        targets[client_id] = out_dir / filename
    return targets


# -- worker side --------------------------------------------------------------------------
_worker_db: Database | None = None


def _start_worker(db_target: str) -> None:
    global _worker_db
    _worker_db = open_database(db_target, create=False, upgrade=False)


def _write_one(
    db: Database,
    client_id: int,
    target: str,
    options: DeckOptions,
    as_of: int,
    today: dt.date,
) -> BookEntry:
    name = str(client_id)
    try:
        with db.session() as session:
            client = session.get(Client, client_id)
            if client is None:
                return BookEntry(client_id, name, None, error="the client no longer exists")
            name = client.name
            result = write_deck(session, client, target, options=options, as_of=as_of, today=today)
        return BookEntry(client_id, name, result.path, result.pages, result.warnings)
    except PortfolioError as error:
        return BookEntry(client_id, name, None, error=str(error))
    except Exception as error:  # noqa: BLE001 - one client's bug must not stop the book
        return BookEntry(client_id, name, None, error=f"{type(error).__name__}: {error}")


def _worker_task(
    client_id: int, target: str, options: DeckOptions, as_of: int, today: dt.date
) -> BookEntry:
    assert _worker_db is not None, "worker started without a database"
    return _write_one(_worker_db, client_id, target, options, as_of, today)


# -- the caller's side --------------------------------------------------------------------
def director_clients(db: Database, director_id: int) -> dict[int, str]:
    """The director's clients, id -> name, in name order."""
    with db.session() as session:
        rows = session.execute(
            select(Client.id, Client.name)
            .where(Client.director_id == director_id)
            .order_by(Client.name)
        ).all()
    return dict(rows)


def write_book(
    db: Database,
    clients: dict[int, str],
    out_dir: str | Path,
    *,
    options: DeckOptions | None = None,
    extension: str = "pdf",
    as_of: int,
    today: dt.date,
    workers: int | None = None,
    job: Job | None = None,
) -> list[BookEntry]:
    """Write a deck per client into ``out_dir``; returns one entry per client, in order.

    ``workers`` defaults to every core; 1 writes in this process (no pool at all).
    """
    job = job or quiet()
    options = options or DeckOptions()
    out_dir = Path(out_dir).expanduser()
    if not out_dir.is_dir():
        raise PortfolioError(f"Cannot write decks into {out_dir}: it is not a folder")
    targets = plan_targets(clients, out_dir, extension)
    total = len(targets)
    workers = max(1, min(workers or os.cpu_count() or 1, total or 1))
    done: dict[int, BookEntry] = {}

    def finished(entry: BookEntry) -> None:
        done[entry.client_id] = entry
        state = "failed" if entry.error else "written"
        job.step(len(done) / max(total, 1), f"{len(done)} of {total}: {entry.client} {state}")

    job.step(0.0, f"Writing {total} decks with {workers} process(es)")
    if workers == 1:
        for client_id, target in targets.items():
            job.check()
            finished(_write_one(db, client_id, str(target), options, as_of, today))
        return [done[client_id] for client_id in targets]

    url = db.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(url,)
    ) as pool:
        pending: dict[Future, int] = {}
        queue = list(targets.items())
        try:
            # Keep a few tasks per worker in flight: enough to stay busy, few enough
            # that a cancel takes effect quickly.
            while queue or pending:
                while queue and len(pending) < workers * 3:
                    client_id, target = queue.pop(0)
                    future = pool.submit(
                        _worker_task, client_id, str(target), options, as_of, today
                    )
                    pending[future] = client_id
                ready, _ = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
                for future in ready:
                    client_id = pending.pop(future)
                    try:
                        finished(future.result())
                    except Exception as error:  # noqa: BLE001 - a worker died
                        finished(
                            BookEntry(
                                client_id,
                                clients[client_id],
                                None,
                                error=f"the worker stopped: {error}",
                            )
                        )
                job.check()
        except BaseException:
            for future in pending:
                future.cancel()
            raise
    return [done[client_id] for client_id in targets]
