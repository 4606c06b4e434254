"""User actions as the core performs them: steps, one transaction, a journal entry,
typed changes, and undo and redo as actions of their own (no Qt here)."""

from portfolio.actions.changes import Changes, RecordChange
from portfolio.actions.conflicts import EditConflictError, FieldConflict, rebased
from portfolio.actions.perform import (
    NothingToUndoError,
    Outcome,
    perform,
    redo,
    run_action,
    undo,
)
from portfolio.actions.steps import Action, Create, Delete, Duplicate, Edit, Step

__all__ = [
    "Action",
    "Changes",
    "Create",
    "Delete",
    "Duplicate",
    "Edit",
    "EditConflictError",
    "FieldConflict",
    "NothingToUndoError",
    "Outcome",
    "RecordChange",
    "Step",
    "perform",
    "rebased",
    "redo",
    "run_action",
    "undo",
]
