"""Whether a connection reads outside any transaction (a reading session on PostgreSQL).

``Database.reading`` hands out autocommit connections on PostgreSQL, so that a query
is one round trip. A few statements behave differently there: a savepoint or a
server-side cursor needs a transaction, and a refused statement spoils nothing.
"""

from __future__ import annotations

from sqlalchemy import Connection


def in_autocommit(connection: Connection) -> bool:
    """True when ``connection`` runs each statement on its own (no transaction open)."""
    return connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
