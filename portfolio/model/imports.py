"""The journal of applied imports: what each one added and changed, so it can be undone.

An import changes many rows in one transaction; undoing it must put back exactly those
rows' previous values, even after the app was closed. Each changed row keeps its
previous values (the fields the import changed, as JSON) and the version the import
left it at: undo refuses a row that someone edited since, instead of overwriting them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portfolio.model.base import Base


class ImportBatch(Base):
    """One applied import of a file."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The file's name as the user chose it.
    source: Mapped[str] = mapped_column(String(500), nullable=False)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    added: Mapped[int] = mapped_column(nullable=False)
    changed: Mapped[int] = mapped_column(nullable=False)
    #: Set when the import was undone; an undone import cannot be undone again.
    undone_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class ImportChange(Base):
    """One row an import added or changed."""

    __tablename__ = "import_change"
    __table_args__ = (
        UniqueConstraint("batch_id", "entity", "row_id"),
        CheckConstraint("action IN ('added', 'changed')", name="action_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("import_batch.id", ondelete="CASCADE"), nullable=False
    )
    #: The entity name of ``portfolio.editing`` (client, campaign, budget_line, ...).
    entity: Mapped[str] = mapped_column(String(32), nullable=False)
    row_id: Mapped[int] = mapped_column(nullable=False)
    action: Mapped[str] = mapped_column(String(8), nullable=False)
    #: For a change: the previous stored values of the fields it changed, as JSON.
    previous: Mapped[str | None] = mapped_column(Text)
    #: The row's version counter right after the import.
    version: Mapped[int] = mapped_column(nullable=False)
