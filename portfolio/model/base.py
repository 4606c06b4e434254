"""Declarative base, constraint naming and the small column helpers every table shares."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Integer, MetaData, text
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from portfolio.model.vocab import Vocabulary

#: Every constraint gets a predictable name: Alembic's batch mode on SQLite needs names
#: to drop or alter them, and the core turns a violated name back into a field message.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {int: Integer}


class Versioned:
    """A row people edit: its version counter moves on with every ORM update.

    SQLAlchemy adds ``WHERE version = :seen`` to each update, so an edit based on a stale
    read fails instead of silently overwriting someone else's change; importers compare
    the counter against the one exported to flag conflicts.
    """

    version: Mapped[int] = mapped_column(nullable=False, default=1, server_default=text("1"))

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.version}


def money_column(*, nullable: bool = False) -> Mapped[int]:
    """Integer minor units of the owning client's currency (cents, yen, fils)."""
    if nullable:
        return mapped_column(BigInteger, nullable=True)
    return mapped_column(BigInteger, nullable=False, default=0, server_default=text("0"))


def one_of(column: str, vocabulary: Vocabulary) -> CheckConstraint:
    values = ", ".join(f"'{value}'" for value in vocabulary.values)
    return CheckConstraint(f"{column} IN ({values})", name=f"{column}_valid")


def valid_month(column: str) -> CheckConstraint:
    """``YYYYMM`` with a real month; written without ``%`` so every driver accepts it."""
    calendar_month = f"{column} - ({column} / 100) * 100"
    return CheckConstraint(
        f"{column} BETWEEN 190001 AND 299912 AND {calendar_month} BETWEEN 1 AND 12",
        name=f"{column}_month",
    )


def not_negative(*columns: str) -> list[CheckConstraint]:
    return [CheckConstraint(f"{column} >= 0", name=f"{column}_not_negative") for column in columns]


def ordered(first: str, last: str) -> CheckConstraint:
    """``last`` may be empty, otherwise it must not come before ``first``."""
    return CheckConstraint(
        f"{last} IS NULL OR {first} IS NULL OR {last} >= {first}", name=f"{last}_after_{first}"
    )
