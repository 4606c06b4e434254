"""Syncing an offline copy with its server: send, then bring the copy up to date.

1. In the copy: note every record changed here since the last sync (``pending``) and
   name this sync attempt.
2. On the server, in one transaction: merge (``merge``) and send (``push``). If the
   server refuses part of it, the send is tried again record by record, setting the
   refused records aside. If this attempt's changes are already on the server (the last
   sync was interrupted after sending), they are not sent again.
3. In the copy, in one transaction: take the server's ids for records made here and
   bring every changed record down (``pull``).

Each step is atomic and the attempt is remembered between them, so a sync killed at any
point and run again ends as one uninterrupted sync would have.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from portfolio.errors import PortfolioError
from portfolio.jobs import Job, quiet
from portfolio.storage import Database
from portfolio.sync.checkout import snapshot
from portfolio.sync.merge import Merger, Plan, Resolver, SyncConflict, resolver
from portfolio.sync.pending import Pending, load, scan, the_copy
from portfolio.sync.pull import Pulled, pull
from portfolio.sync.push import Pushed, already_pushed, local_entries, push


@dataclass
class SyncReport:
    """What a sync did, for a person."""

    sent: int = 0
    entries: int = 0
    received: int = 0
    removed: int = 0
    new_clients: int = 0
    conflicts: list[SyncConflict] = field(default_factory=list)
    refused: dict[tuple[str, int], str] = field(default_factory=dict)
    waiting: int = 0
    resumed: bool = False

    def lines(self) -> list[str]:
        said = [
            f"Sent {self.sent:,} changed records ({self.entries:,} changes, with their "
            f"authors and times); brought down {self.received:,} records"
            + (f", removed {self.removed:,}" if self.removed else "")
            + (f", {self.new_clients:,} new clients in the book" if self.new_clients else "")
            + "."
        ]
        if self.resumed:
            said.append("The last sync had sent its changes before it stopped; not sent again.")
        for conflict in self.conflicts:
            said.append(f"Conflict, kept here until resolved: {conflict}")
        for (_entity, _row_id), reason in self.refused.items():
            said.append(f"Refused by the server, kept here: {reason}")
        if self.waiting:
            said.append(f"{self.waiting:,} records changed here wait for the next sync.")
        return said


def _begin(session: Session) -> tuple[str, str]:
    scan(session)
    copy = the_copy(session)
    if copy.attempt is None:
        copy.attempt = str(uuid.uuid4())
    return copy.copy_id, copy.attempt


def preview(local: Database, server: Database, resolve: Resolver | None = None) -> Plan:
    """The merge as it stands, read only: its conflicts are what ``--resolve ask`` asks."""
    local.write(lambda session: scan(session))
    with local.session() as session:
        pending = load(session)
    with server.session() as session, local.session() as here:
        return Merger(session, resolve or resolver(), here).plan(pending)


def sync(
    local: Database,
    server: Database,
    *,
    resolve: Resolver | None = None,
    job: Job | None = None,
) -> SyncReport:
    """Sync the offline copy ``local`` with ``server``; see the module docstring.

    Conflicts ``resolve`` leaves unresolved (by default all of them) are reported and
    their records wait in the copy. Raises ``PortfolioError`` (one line) when the
    server cannot be reached or a record changed there while the sync ran; the copy is
    then as it was, and syncing again carries on.
    """
    job = job or quiet()
    resolve = resolve or resolver()
    report = SyncReport()
    job.step(0.05, "Looking at what changed here")
    copy_id, attempt = local.write(_begin)
    with server.session() as session:
        pushed = already_pushed(session, copy_id, attempt)
    plan: Plan | None = None
    if pushed is not None:
        report.resumed = True
    else:
        with local.session() as session:
            pending = load(session)
            first = min((p.first_entry_id for p in pending), default=None)
            entries = local_entries(session, first) if first is not None else []
        job.step(0.3, f"Sending {len(pending):,} changed records")
        with local.session() as here:
            plan, pushed = _send(server, pending, entries, resolve, copy_id, attempt, here)
    job.step(0.6, "Bringing the copy up to date")
    with snapshot(server) as source:
        held_there = plan.held_there if plan else set()
        pulled: Pulled = local.write(
            lambda session: pull(session, source, pushed, copy_id, held_there)
        )
    report.sent = len(pushed.sent - (plan.settled if plan else set()))
    report.entries = pushed.entries
    report.received = pulled.records
    report.removed = pulled.removed
    report.new_clients = pulled.new_clients
    report.refused = dict(pushed.refused)
    if plan is not None:
        report.conflicts = list(plan.conflicts)
    with local.session() as session:
        report.waiting = len(load(session))
    _note_why(local, plan, pushed)
    job.step(1.0, "Synced")
    return report


def _send(
    server: Database,
    pending: list[Pending],
    entries,
    resolve: Resolver,
    copy_id: str,
    attempt: str,
    here: Session,
) -> tuple[Plan, Pushed]:
    def work(careful: bool):
        def attempt_work(session: Session):
            plan = Merger(session, resolve, here).plan(pending)
            return plan, push(
                session, plan, entries, copy_id=copy_id, attempt=attempt, careful=careful
            )

        return attempt_work

    try:
        return server.write(work(False))
    except (DBAPIError, PortfolioError) as error:
        if _is_conflict_race(error):
            raise
        return server.write(work(True))


def _is_conflict_race(error: BaseException) -> bool:
    return "changed on the server while this sync ran" in str(error)


def _note_why(local: Database, plan: Plan | None, pushed: Pushed) -> None:
    """Say, on each record that waits, why (the app lists them)."""
    from portfolio.model import OfflinePending

    reasons = dict(plan.held) if plan else {}
    reasons.update(pushed.refused)
    if not reasons:
        return

    def note(session: Session) -> None:
        for (entity, row_id), reason in reasons.items():
            row = session.get(OfflinePending, (entity, row_id))
            if row is not None:
                row.held_because = reason[:2000]

    local.write(note)
