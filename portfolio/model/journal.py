"""The change journal: every applied user action, who made it, and what it changed.

One ``JournalEntry`` per action as a person names it in the Edit menu ("Edit Spend
actual of Acme / Spring mailing / 2026-07", "Import budgets.xlsx", "Undo Delete Acme"),
written in the same transaction as the change itself, so the journal and the data can
never disagree. Each record the action touched has one ``JournalChange``: for an update
the stored values of the changed fields before and after; for a create the new row; for
a delete the whole row (a client's delete journals every campaign, budget line and
request that went with it). Values are JSON objects of column name -> stored value
(money in minor units, dates as ISO text); ``portfolio.journal.values`` reads them back.

The journal is what undo and redo work from (an undo is a new entry that reverts an
earlier one, refused when someone changed the same fields since), what "who changed
this?" is answered from, and what other windows and offline copies learn changes from.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portfolio.model.base import Base

#: What an entry is: a user's edit (create, change, delete, paste, duplicate), an
#: import of a file, or the undo or redo of an earlier entry.
ENTRY_KINDS = ("edit", "import", "undo", "redo")
#: What happened to one record.
CHANGE_OPS = ("create", "update", "delete")


class JournalEntry(Base):
    """One applied user action."""

    __tablename__ = "journal_entry"
    __table_args__ = (
        CheckConstraint(
            "kind IN (" + ", ".join(f"'{kind}'" for kind in ENTRY_KINDS) + ")",
            name="kind_valid",
        ),
    )

    #: Also the journal position: entries are numbered in commit order per database.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: When the action was made, UTC.
    at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, index=True)
    #: The login that made it: the operating-system account on SQLite, the server
    #: role on PostgreSQL.
    login: Mapped[str] = mapped_column(String(128), nullable=False)
    #: The team member linked to that login, if any.
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("team_member.id", ondelete="SET NULL"), index=True
    )
    #: The person as shown then (the member's name, else the login): history stays
    #: readable after a member is renamed or removed.
    user_name: Mapped[str] = mapped_column(String(200), nullable=False)
    #: The action as the Edit menu names it.
    action: Mapped[str] = mapped_column(String(500), nullable=False)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    #: For an undo or redo: the entry whose effect it reverts.
    reverts_id: Mapped[int | None] = mapped_column(
        ForeignKey("journal_entry.id", ondelete="SET NULL")
    )
    #: Set while this entry's effect is undone: the undo entry that reverted it.
    undone_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("journal_entry.id", ondelete="SET NULL")
    )
    #: For an import: the file's name as the user chose it.
    source: Mapped[str | None] = mapped_column(String(500))
    #: For a change made in an offline copy: "COPY:ATTEMPT:ENTRY" on the server (which
    #: copy, which sync, which of the copy's entries); "server:N" in a copy for an
    #: entry brought down from the server's entry N. None for a change made here.
    origin: Mapped[str | None] = mapped_column(String(100), index=True)
    #: When an offline change reached the server (``at`` is when it was made).
    synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class JournalChange(Base):
    """One record an action created, changed or deleted."""

    __tablename__ = "journal_change"
    __table_args__ = (
        CheckConstraint(
            "op IN (" + ", ".join(f"'{op}'" for op in CHANGE_OPS) + ")", name="op_valid"
        ),
        Index("ix_journal_change_record", "entity", "row_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("journal_entry.id", ondelete="CASCADE"), nullable=False, index=True
    )
    #: The table (``portfolio.editing`` entity name) of the record.
    entity: Mapped[str] = mapped_column(String(32), nullable=False)
    row_id: Mapped[int] = mapped_column(nullable=False)
    #: The client the record belongs to (None for team and reference data); kept as a
    #: plain number so the history of a deleted client survives it.
    client_id: Mapped[int | None] = mapped_column(index=True)
    #: The record as a person names it, when the change was made.
    record: Mapped[str] = mapped_column(String(500), nullable=False)
    #: The currency of the record's money fields, when it has any.
    currency: Mapped[str | None] = mapped_column(String(3))
    op: Mapped[str] = mapped_column(String(8), nullable=False)
    #: JSON: update, the changed fields' stored values before; delete, the whole row.
    before: Mapped[str | None] = mapped_column(Text)
    #: JSON: update, the changed fields' stored values after; create, the whole row.
    after: Mapped[str | None] = mapped_column(Text)
    #: The record's version counter after the change (None after a delete).
    version: Mapped[int | None] = mapped_column()
