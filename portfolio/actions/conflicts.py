"""Field-level optimistic concurrency: merge what does not collide, refuse what does.

A change carries the version of the record it was based on and the values the user saw.
If the record moved on since, the change still applies when nobody else changed any of
the fields it changes (their change and this one merge); if someone did, it is refused
as an ``EditConflictError`` naming, per field, who changed it, when, and the value now
stored, so the app can offer "Use mine" (apply again on top of what is stored now) or
"Keep theirs" (drop this change). The anchor is EspoCRM's edit-conflict dialog; unlike
it, fields nobody else touched merge without asking.

Undo and redo are held to the same rule: undoing a change that someone else has changed
since is a conflict, never an overwrite.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from portfolio.actions.steps import Action, Delete, Edit, Step
from portfolio.errors import ConflictError
from portfolio.journal.lookup import (
    PastChange,
    fields_changed,
    last_touching,
    record_changes,
    versions_explained,
)
from portfolio.journal.wording import Wording, field_label
from portfolio.journal.wording import local_time as when
from portfolio.naming import Named, RecordNames

#: Conflicts named in a message before "and N more".
NAMED_IN_MESSAGE = 3


@dataclass(frozen=True)
class FieldConflict:
    """One field (or, with ``field`` None, a whole record) someone else changed."""

    entity: str
    row_id: int
    record: str
    #: The column; None when the record as a whole is in question (deleted, re-created,
    #: or changed when this action deletes it).
    field: str | None
    #: What happened, in words, e.g. "was changed by Isla Patel on 30 Nov 2026 14:02 to
    #: $9,000.00".
    what: str
    #: The value stored now (stored form) and what this action wanted there.
    stored: Any = None
    mine: Any = None
    #: Who and when, when the journal knows.
    by: str | None = None
    at: dt.datetime | None = None
    #: The record's version now (a retry based on it applies "mine").
    version: int | None = None

    @property
    def label(self) -> str:
        return field_label(self.entity, self.field) if self.field else self.record

    def __str__(self) -> str:
        if self.field is None:
            return f"{self.record} {self.what}"
        return f"{self.label} of {self.record} {self.what}"


class EditConflictError(ConflictError):
    """Someone else changed what this action changes; nothing was changed."""

    def __init__(self, conflicts: Sequence[FieldConflict], *, doing: str = "Not saved") -> None:
        """``doing`` starts the message: "Not saved", "Cannot undo Edit ...")."""
        self.conflicts = tuple(conflicts)
        shown = "; ".join(str(c) for c in self.conflicts[:NAMED_IN_MESSAGE])
        more = len(self.conflicts) - NAMED_IN_MESSAGE
        if more > 0:
            shown += f"; and {more:,} more"
        super().__init__(f"{doing}: {shown}. Nothing was changed.")


def by_whom(change: PastChange | None) -> str:
    if change is None:
        return "by someone else (outside Portfolio's journal)"
    return f"by {change.user_name} on {when(change.at)}"


class ConflictFinder:
    """Works out conflicts for the records of one action, wording values as lists do."""

    def __init__(self, session: Session, names: RecordNames) -> None:
        self.session = session
        self.names = names
        self.wording = Wording(names)

    def changed_fields(
        self,
        entity: str,
        row: dict[str, Any],
        named: Named,
        fields: Sequence[str],
        *,
        version: int | None,
        seen: dict[str, Any] | None,
        mine: dict[str, Any] | None = None,
    ) -> list[FieldConflict]:
        """Conflicts for an update of ``fields`` of ``row`` (stored values now), based on
        ``version`` and the values the user ``seen``; [] when it may apply."""
        if version is None and seen is None:
            return []
        if version is not None and row["version"] == version:
            return []
        history = record_changes(self.session, entity, row["id"], after_version=version)
        moved = fields_changed(history)
        explained = version is not None and versions_explained(history, version, row["version"])
        conflicts = []
        for field in fields:
            if seen is not None and field in seen:
                collided = not self._same(entity, field, row[field], seen[field], named)
            else:
                collided = field in moved or not explained
            if not collided:
                continue
            past = last_touching(history, field)
            now = self.wording.value(entity, field, row[field], named.currency)
            conflicts.append(
                FieldConflict(
                    entity,
                    row["id"],
                    named.record,
                    field,
                    f"was changed {by_whom(past)} to {now}",
                    stored=row[field],
                    mine=(mine or {}).get(field),
                    by=past.user_name if past else None,
                    at=past.at if past else None,
                    version=row["version"],
                )
            )
        return conflicts

    def _same(self, entity: str, field: str, stored: Any, seen: Any, named: Named) -> bool:
        """Whether the user saw what is stored: lists show people and linked records by
        name, so a name seen is compared with the stored id's name."""
        if stored == seen:
            return True
        if isinstance(seen, str) and isinstance(stored, int) and not isinstance(stored, bool):
            return self.wording.value(entity, field, stored, named.currency) == seen
        return False

    def changed_record(
        self, entity: str, row: dict[str, Any], named: Named, *, version: int | None
    ) -> list[FieldConflict]:
        """A conflict when ``row`` moved on since ``version`` (for deletes and undo of a
        create: the whole record is in question)."""
        if version is None or row["version"] == version:
            return []
        history = record_changes(self.session, entity, row["id"], after_version=version)
        past = last_touching(history, None)
        return [
            FieldConflict(
                entity,
                row["id"],
                named.record,
                None,
                f"was changed {by_whom(past)}",
                by=past.user_name if past else None,
                at=past.at if past else None,
                version=row["version"],
            )
        ]

    def gone(self, entity: str, row_id: int, named: Named) -> FieldConflict:
        """A conflict for a record that no longer exists."""
        history = record_changes(self.session, entity, row_id)
        past = next((c for c in reversed(history) if c.op == "delete"), None)
        return FieldConflict(
            entity,
            row_id,
            named.record,
            None,
            f"was deleted {by_whom(past)}",
            by=past.user_name if past else None,
            at=past.at if past else None,
        )


def rebased(action: Action, error: EditConflictError) -> Action:
    """``action`` based on what is stored now for the records ``error`` names: doing it
    puts the user's values over the ones that collided ("Use mine"). It is checked
    again, so a change made meanwhile is a new conflict, not an overwrite."""
    by_record: dict[tuple[str, int], list[FieldConflict]] = {}
    for conflict in error.conflicts:
        by_record.setdefault((conflict.entity, conflict.row_id), []).append(conflict)
    steps: list[Step] = []
    for step in action.steps:
        found = by_record.get((step.entity, getattr(step, "row_id", -1)))
        if not found:
            steps.append(step)
            continue
        version = next((c.version for c in found if c.version is not None), None)
        if isinstance(step, Edit):
            seen = dict(step.seen or {})
            seen.update({c.field: c.stored for c in found if c.field is not None})
            steps.append(replace(step, version=version, seen=seen))
        elif isinstance(step, Delete):
            steps.append(replace(step, version=version))
        else:
            steps.append(step)
    return Action(action.text, tuple(steps))
