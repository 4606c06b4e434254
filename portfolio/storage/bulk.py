"""Fast bulk loading of rows that the caller already holds as tuples.

The ORM's unit of work is the right tool for a person's edit and the wrong one for a
million generated budget lines: this writes tuples straight through the driver
(``executemany`` on SQLite, ``COPY`` on PostgreSQL), inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import islice

from sqlalchemy import Connection, Table, text

CHUNK = 50_000


def bulk_insert(
    connection: Connection, table: Table, columns: Sequence[str], rows: Iterable[tuple]
) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table``; return the count."""
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        return _copy(connection, table.name, names, rows)
    placeholders = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table.name} ({names}) VALUES ({placeholders})"  # noqa: S608
    # Dates, times and decimals go through SQLAlchemy's own converters so that bulk rows
    # are stored exactly as ORM rows are (SQLite compares datetimes as text).
    processors = [
        (index, processor)
        for index, name in enumerate(columns)
        if (processor := table.c[name].type.bind_processor(connection.dialect)) is not None
    ]
    cursor = connection.connection.driver_connection.cursor()
    count = 0
    source = iter(rows)
    while chunk := list(islice(source, CHUNK)):
        if processors:
            chunk = [_processed(row, processors) for row in chunk]
        cursor.executemany(sql, chunk)
        count += len(chunk)
    cursor.close()
    return count


def _processed(row: tuple, processors: list[tuple[int, Callable]]) -> tuple:
    values = list(row)
    for index, processor in processors:
        values[index] = processor(values[index])
    return tuple(values)


def _copy(connection: Connection, table: str, names: str, rows: Iterable[tuple]) -> int:
    cursor = connection.connection.driver_connection.cursor()
    count = 0
    with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    cursor.close()
    return count


def reset_sequences(connection: Connection, tables: Iterable[Table]) -> None:
    """After inserting explicit ids on PostgreSQL, move each id sequence past them."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        if "id" in table.c:
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                )
            )
