"""The steps a user action is made of, as plain values.

An ``Action`` is what a person does in one go and names in the Edit menu ("Edit Spend
actual of Acme / Spring mailing / 2026-07", "Paste 12 cells", "Delete Acme"); its steps
are done in order in one transaction by ``portfolio.actions.perform``. Values are what
the person typed or picked (``"1,234.50"``, a date, a choice's label, a person's
name or id); the core parses and validates them by the field's kind.

For optimistic concurrency an ``Edit`` carries the record's ``version`` the user's
screen showed and the stored values the user ``seen`` for the fields it changes (money
in minor units, choices by stored value, people by id); see ``portfolio.actions.conflicts``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Edit:
    """Change fields of one record."""

    entity: str
    row_id: int
    #: Field name -> typed or text value.
    values: Mapping[str, Any]
    #: The record's version the user saw (None: not known, e.g. a script).
    version: int | None = None
    #: Field name -> stored value the user saw, for the fields in ``values``.
    seen: Mapping[str, Any] | None = None
    #: Where the value was typed, prefixed to a refusal ("Nov 2026").
    where: str | None = None


@dataclass(frozen=True)
class Create:
    """Add one record."""

    entity: str
    values: Mapping[str, Any]
    where: str | None = None


@dataclass(frozen=True)
class Duplicate:
    """Add a copy of a record under a free name ("... (copy)")."""

    entity: str
    row_id: int


@dataclass(frozen=True)
class Delete:
    """Delete one record and everything the schema removes with it."""

    entity: str
    row_id: int
    #: The record's version the user saw; None: delete whatever is stored now.
    version: int | None = None


Step = Edit | Create | Duplicate | Delete


#: In an action's text, replaced by the first record's name as the journal names it,
#: so a caller need not read the name first (a round trip to a server).
RECORD = "{record}"


@dataclass(frozen=True)
class Action:
    """One user action: its name as the Edit menu shows it and its steps.

    The text may hold ``{record}`` ("Edit Spend forecast of {record}"): the core puts
    the name of the first record the action touches there."""

    text: str
    steps: tuple[Step, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps", tuple(self.steps))

    def named(self, record: str | None) -> str:
        """The text with ``{record}`` filled in (``…`` while not known)."""
        return self.text.replace(RECORD, record if record is not None else "…", 1)
