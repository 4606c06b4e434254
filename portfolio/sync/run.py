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

from portfolio.errors import DatabaseOpenError, PortfolioError
from portfolio.jobs import Job, quiet
from portfolio.naming import counted
from portfolio.storage import Database
from portfolio.sync.book import identity_of, row_of
from portfolio.sync.checkout import snapshot, where_of
from portfolio.sync.merge import THEIRS, Merger, Plan, Resolver, SyncConflict, resolver
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
    #: Changes the server refused that were let go ("keep theirs").
    let_go: int = 0

    def lines(self) -> list[str]:
        records = counted(self.sent, "changed record")
        entries = counted(self.entries, "journal entry", "journal entries")
        if self.resumed:
            sent = f"The last sync sent {records} ({entries}) before it stopped; not sent again"
        elif not self.sent:
            sent = "Nothing to send"
        else:
            sent = f"Sent {records} ({entries}, with their authors and times)"
        said = [
            f"{sent}; read {counted(self.received, 'record')} from the server"
            + (f", removed {counted(self.removed, 'record')} here" if self.removed else "")
            + (
                f", {counted(self.new_clients, 'new client')} in the book"
                if self.new_clients
                else ""
            )
            + "."
        ]
        for conflict in self.conflicts:
            said.append(f"Conflict, kept here until resolved: {conflict}")
        for (_entity, _row_id), reason in self.refused.items():
            said.append(f"Refused by the server, kept here: {reason}")
        if self.let_go:
            said.append(
                f"Let go {counted(self.let_go, 'change')} the server refused; "
                "the server's values are back here."
            )
        if self.waiting:
            said.append(
                f"{counted(self.waiting, 'record')} changed here "
                f"{'waits' if self.waiting == 1 else 'wait'} for the next sync."
            )
        return said


def _begin(session: Session) -> tuple[str, str]:
    scan(session)
    copy = the_copy(session)
    if copy.attempt is None:
        copy.attempt = str(uuid.uuid4())
        copy.attempt_through = copy.scanned_position
    return copy.copy_id, copy.attempt


def open_server(local: Database, where: str | None = None) -> Database:
    """The team portfolio ``local`` (an offline copy) syncs with: where it was checked
    out from, or ``where`` when it has moved. Raises ``DatabaseOpenError`` saying the
    server cannot be reached, why, and how to point at a moved one."""
    from portfolio.storage import open_database

    with local.session() as session:
        remembered = the_copy(session).server
    target = where or remembered
    try:
        return open_database(target)
    except PortfolioError as error:
        moved = "" if where else "; if it has moved, give its new place (--server PATH|URL)"
        which = "at" if where else "this copy came from,"
        raise DatabaseOpenError(
            f"Cannot reach the team portfolio {which} {target}: {error}. "
            f"Your changes are safe in the copy{moved}"
        ) from error


def same_portfolio(local: Database, server: Database) -> None:
    """Raise ``DatabaseOpenError`` unless ``server`` is the portfolio ``local`` was
    checked out of (its ``portfolio_id``): ids mean nothing in another portfolio, and
    a sync there would write this copy's changes over unrelated records."""
    with local.session() as session:
        copy = the_copy(session)
        expected, where = copy.server_identity, copy.server
    with server.session() as session:
        found = identity_of(session.connection())
    if found != expected:
        raise DatabaseOpenError(
            f"{server.name} is not the portfolio this copy was taken from ({where}); "
            "nothing was sent or changed"
        )


def preview(local: Database, server: Database, resolve: Resolver | None = None) -> Plan:
    """The merge as it stands, read only: its conflicts are what ``--resolve ask`` asks."""
    same_portfolio(local, server)
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
    same_portfolio(local, server)
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
            entries = _from_first_changes(entries, pending)
        job.step(0.3, f"Sending {len(pending):,} changed records")
        with local.session() as here:
            plan, pushed = _send(server, pending, entries, resolve, copy_id, attempt, here)
    # The server's words may name only the client ("the 2025 budget of Acme"): each
    # refusal is said after the record it refused.
    records = _record_names(local, pushed.refused)
    let_go = _let_go(pushed, resolve, records)
    job.step(0.6, "Bringing the copy up to date")
    with snapshot(server) as source:
        held_there = plan.held_there if plan else set()
        pulled: Pulled = local.write(
            lambda session: pull(session, source, pushed, copy_id, held_there)
        )
    report.sent = len(pushed.sent - (plan.settled if plan else set()) - let_go)
    report.let_go = len(let_go)
    report.entries = pushed.entries
    report.received = pulled.records
    report.removed = pulled.removed
    report.new_clients = pulled.new_clients
    report.refused = {key: f"{records[key]}: {why}" for key, why in pushed.refused.items()}
    if plan is not None:
        report.conflicts = list(plan.conflicts)
    with local.session() as session:
        report.waiting = len(load(session))
    _note_why(local, plan, pushed)
    _remember_where(local, server)
    job.step(1.0, "Synced")
    return report


def _from_first_changes(entries: list, pending: list[Pending]) -> list:
    """Each record's changes from its own first pending one: a record sent before and
    changed here since must not send its earlier, sent, history again."""
    first = {item.key: item.first_entry_id for item in pending}
    for entry in entries:
        entry.changes = [
            change
            for change in entry.changes
            if entry.id >= first.get((change["entity"], change["row_id"]), 0)
        ]
    return entries


def _record_names(local: Database, keys) -> dict[tuple[str, int], str]:
    """Records of this copy by name (``Acme / Spring sale / Jan 2026``), for messages."""
    from portfolio.naming import RecordNames

    out = {}
    with local.session() as session:
        names = RecordNames(session)
        for key in keys:
            row = row_of(session.connection(), *key)
            out[key] = names.of(key[0], row).record if row else f"{key[0]} {key[1]}"
    return out


def _remember_where(local: Database, server: Database) -> None:
    """A server reached somewhere new (``--server``, the same portfolio moved) is where
    the next sync goes."""
    where = where_of(server)

    def note(session: Session) -> None:
        copy = the_copy(session)
        if copy.server != where:
            copy.server = where

    local.write(note)


def _let_go(
    pushed: Pushed, resolve: Resolver, records: dict[tuple[str, int], str]
) -> set[tuple[str, int]]:
    """Changes the server refused that the person lets go ("keep theirs"): settled as
    sent, so the server's record comes down over them; the others wait here."""
    let_go: set[tuple[str, int]] = set()
    for key, reason in list(pushed.refused.items()):
        refusal = SyncConflict(key[0], key[1], records[key], None, "refused", mine=reason)
        if resolve(refusal) == THEIRS:
            del pushed.refused[key]
            pushed.sent.add(key)
            let_go.add(key)
    return let_go


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
