"""An offline copy: a laptop portfolio checked out from a team's, and what to sync back.

A checked-out file holds one ``OfflineCopy`` row saying where it came from (the team
portfolio, without its password), which book it holds, who took it, and how far the
two sides have been synced: the server's journal position already brought down, and
the local journal position already looked at. ``OfflinePending`` lists the records
changed here and not yet on the server, with the values they had when the two sides
last agreed (the base of the three-way merge). A team portfolio has none of these rows.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portfolio.model.base import Base


class OfflineCopy(Base):
    """Where this copy came from and how far it is synced (one row, id 1)."""

    __tablename__ = "offline_copy"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: A name for this copy, unique across copies: marks its changes on the server.
    copy_id: Mapped[str] = mapped_column(String(36), nullable=False)
    #: The team portfolio: a file path or a database URL without its password.
    server: Mapped[str] = mapped_column(String(500), nullable=False)
    #: The team portfolio's ``portfolio_id`` setting: sync refuses any other portfolio.
    server_identity: Mapped[str] = mapped_column(String(36), nullable=False)
    checked_out_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    #: Who took it: their server login and team member; changes here are theirs.
    owner_login: Mapped[str] = mapped_column(String(128), nullable=False)
    owner_member_id: Mapped[int | None] = mapped_column()
    #: The book: JSON, {"director_id": N} or {"client_ids": [...]}.
    scope: Mapped[str] = mapped_column(Text, nullable=False)
    #: The last server journal entry whose changes this copy holds.
    server_position: Mapped[int] = mapped_column(nullable=False, default=0)
    #: The last local journal entry already entered in ``offline_pending``.
    scanned_position: Mapped[int] = mapped_column(nullable=False, default=0)
    #: A sync in progress (its push may have reached the server before a crash).
    attempt: Mapped[str | None] = mapped_column(String(36))
    #: The last local journal entry that attempt covers: a change made here after it
    #: (while the sync ran, or after it was interrupted) waits for the next sync.
    attempt_through: Mapped[int | None] = mapped_column()
    synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class OfflinePending(Base):
    """A record changed in this copy and not yet on the server."""

    __tablename__ = "offline_pending"
    __table_args__ = (
        CheckConstraint("state IN ('created', 'updated', 'deleted')", name="state_valid"),
    )

    entity: Mapped[str] = mapped_column(String(32), primary_key=True)
    row_id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(8), nullable=False)
    #: The first local journal entry that changed it (where replay starts).
    first_entry_id: Mapped[int] = mapped_column(nullable=False)
    #: JSON: the fields changed here and their values when the sides last agreed; for a
    #: deleted record, the whole row; for a created one, nothing.
    base: Mapped[str | None] = mapped_column(Text)
    #: The record's version when the sides last agreed (None for a created record).
    base_version: Mapped[int | None] = mapped_column()
    #: Why it waits, after a sync that could not send it (a conflict, a refusal).
    held_because: Mapped[str | None] = mapped_column(Text)
