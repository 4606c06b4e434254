"""Importing a file: preview it, or check it and apply it in one transaction.

``preview_import`` reads and validates without writing (the app shows its plan and the
command line prints it for ``--dry-run``). ``run_import`` plans again inside the
transaction that applies, so what is applied is what was checked against the data as it
is at that moment; given the preview the user saw, it refuses to apply a different
plan (someone changed the portfolio in between). A file with any refused row changes
nothing unless the user chose to import only the good rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from portfolio.errors import ConflictError, PortfolioError
from portfolio.imports.apply import Applied, apply_plan
from portfolio.imports.plan import ImportOptions, ImportPlan, plan_import
from portfolio.imports.sources import open_source
from portfolio.imports.undo import Undone, undo_last_import
from portfolio.jobs import Job, quiet
from portfolio.storage import Database
from portfolio.storage.busy import combine, job_watcher


class ImportRefusedError(PortfolioError):
    """The file has refused rows and the user did not choose to skip them."""

    def __init__(self, plan: ImportPlan) -> None:
        self.plan = plan
        good = plan.added + plan.changed
        super().__init__(
            f"{plan.refused_rows:,} row(s) of {plan.source} were refused; nothing was imported"
            + (f" (import the other rows with 'good rows only': {good:,} changes)" if good else "")
        )


@dataclass(frozen=True)
class ImportResult:
    plan: ImportPlan
    #: ``None`` when there was nothing to change.
    applied: Applied | None


def file_kind(path: str | Path, kind: str | None = None) -> str:
    """``xlsx`` or ``csv``: as given, else from the file name's extension."""
    if kind:
        return kind
    suffix = Path(path).suffix.lower()
    return "csv" if suffix in (".csv", ".txt", ".tsv") else "xlsx"


def preview_import(
    db: Database, path: str | Path, options: ImportOptions, job: Job | None = None, *, kind=None
) -> ImportPlan:
    """Read and validate ``path``; write nothing."""
    job = job or quiet()
    with db.session() as session:
        with open_source(path, file_kind(path, kind), options.encoding) as source:
            plan = plan_import(session, source, options, job)
        session.rollback()
    job.step(1.0, "Preview ready")
    return plan


def run_import(
    db: Database,
    path: str | Path,
    options: ImportOptions,
    job: Job | None = None,
    *,
    kind: str | None = None,
    expected: ImportPlan | None = None,
    journal: bool = True,
) -> ImportResult:
    """Plan and apply ``path`` in one transaction, journalled as ``db.user``; see the
    module docstring. ``journal=False`` is for the benchmark's baseline only."""
    job = job or quiet()
    user = db.user

    def work(session: Session) -> ImportResult:
        with open_source(path, file_kind(path, kind), options.encoding) as source:
            plan = plan_import(session, source, options, job)
        if plan.problems and not options.good_rows_only:
            raise ImportRefusedError(plan)
        if expected is not None and fingerprint(plan) != fingerprint(expected):
            raise ConflictError(
                "The portfolio changed since the preview, so the import would now do "
                "something else; nothing was imported. Preview again."
            )
        if not plan.changes:
            return ImportResult(plan, None)
        return ImportResult(plan, apply_plan(session, plan, job, user, journal=journal))

    result = db.write(work, on_busy=combine(job_watcher(job), db.on_busy))
    if result.applied is None:
        job.step(1.0, "Nothing to change")
    else:
        job.step(1.0, f"Imported {result.plan.source}")
    return result


def undo_import(db: Database, job: Job | None = None, *, entry_id: int | None = None) -> Undone:
    """Undo ``db.user``'s most recent import (or the one journalled as ``entry_id``) in
    one transaction; see ``portfolio.imports.undo``."""
    job = job or quiet()
    user = db.user
    return db.write(
        lambda session: undo_last_import(session, job, user, entry_id),
        on_busy=combine(job_watcher(job), db.on_busy),
    )


def fingerprint(plan: ImportPlan) -> tuple:
    """What a plan would do, comparable between a preview and the apply."""
    changes = sorted(
        (c.entity, c.row_id or 0, c.key, c.version or 0, repr(sorted(c.values.items())))
        for c in plan.changes
    )
    conflicts = sorted((c.entity, c.key) for c in plan.conflicts)
    return tuple(changes), tuple(conflicts)
