"""Validated changes to the portfolio: field descriptions, record rules, operations."""

from portfolio.editing.entities import ENTITIES, EntitySpec, entity
from portfolio.editing.fields import FieldSpec
from portfolio.editing.operations import (
    ParseOptions,
    create,
    delete,
    deletion_impact,
    deletion_message,
    duplicate,
    parse_record,
    update,
)

__all__ = [
    "ENTITIES",
    "EntitySpec",
    "FieldSpec",
    "ParseOptions",
    "create",
    "delete",
    "deletion_impact",
    "deletion_message",
    "duplicate",
    "entity",
    "parse_record",
    "update",
]
