"""Many rows of one table updated in one statement, each only at the version it was read.

Optimistic concurrency in bulk: ``UPDATE t SET f = :_to_f, version = version + 1
WHERE id = :_id AND version = :_version``, executed with one parameter set per row
(``executemany``). A row someone else changed in between is not matched, so the
caller compares the rows matched with the rows sent and refuses the whole change.
Used by bulk revert (undo of an import) and by sync, where one statement per record
would cost a round trip each.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, Update, bindparam, update


def versioned_update(model: Table, fields: Iterable[str]) -> Update:
    """The statement for ``fields`` of ``model``; parameters from ``versioned_params``."""
    return (
        update(model)
        .where(model.c.id == bindparam("_id"), model.c.version == bindparam("_version"))
        .values({name: bindparam(f"_to_{name}") for name in fields})
        .values(version=model.c.version + 1)
    )


def versioned_params(row_id: int, version: int, values: dict[str, Any]) -> dict[str, Any]:
    """One row's parameters: its id, the version it was read at, its new values."""
    return {"_id": row_id, "_version": version, **{f"_to_{k}": v for k, v in values.items()}}
