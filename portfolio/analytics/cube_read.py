"""Reading whole integer columns into NumPy arrays, fast, for the figure cubes.

Fetching a million rows through the driver makes a Python tuple and eleven Python ints
per row: 2.4 s for the budget lines of the 1,000,000-line demo. SQLite can instead join
each column into one text (``group_concat``) that NumPy parses in C: 1.1 s for the same
columns, a third of the peak memory. All columns of one statement are aggregated over the
same scan, so their values line up whatever the order; ``NULL`` must not occur (it would
be skipped), so callers ``COALESCE``. Other databases fetch rows in chunks.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np
from sqlalchemy import Connection, text

from portfolio.storage.autocommit import in_autocommit

T = TypeVar("T")
CHUNK = 65_536
#: Ranges read at once from an SQLite file (one connection each).
READERS = 2
#: The readers' niceness (0 normal, 19 lowest): they yield the CPU to the window's thread.
BACKGROUND_NICENESS = 10


def read_columns(
    connection: Connection, columns: Sequence[str], from_sql: str, params: dict | None = None
) -> list[np.ndarray]:
    """``SELECT columns FROM from_sql`` as one int64 array per column."""
    params = params or {}
    if connection.dialect.name == "sqlite":
        select = ", ".join(f"group_concat({column}, ',')" for column in columns)
        row = connection.execute(text(f"SELECT {select} FROM {from_sql}"), params).one()
        out = []
        for value in row:
            if value is None:  # no rows
                out.append(np.zeros(0, dtype=np.int64))
            else:
                out.append(np.fromstring(value, dtype=np.int64, sep=","))
        return out
    statement = text(f"SELECT {', '.join(columns)} FROM {from_sql}")
    if not in_autocommit(connection):
        # A server-side cursor keeps the client's memory to one chunk, but PostgreSQL
        # has it only inside a transaction: a reading session (autocommit) fetches all.
        statement = statement.execution_options(stream_results=True)
    result = connection.execute(statement, params)
    chunks = []
    while rows := result.fetchmany(CHUNK):
        chunks.append(np.array(rows, dtype=np.int64).reshape(len(rows), len(columns)))
    if not chunks:
        return [np.zeros(0, dtype=np.int64) for _ in columns]
    table = np.concatenate(chunks)
    return [np.ascontiguousarray(table[:, index]) for index in range(len(columns))]


def compact(values: np.ndarray) -> np.ndarray:
    """``values`` in int32 when they fit (sums are always taken in int64), else as is."""
    if values.size == 0 or (values.min() >= -(2**31) and values.max() < 2**31):
        return values.astype(np.int32)
    return values


def read_ranges(
    connection: Connection,
    columns: Sequence[str],
    table: str,
    chunk: int,
    keep: Callable[[np.ndarray], np.ndarray] = lambda values: values,
) -> list[list[np.ndarray]]:
    """``read_columns`` over ``table`` by ranges of ``chunk`` ids, in id order: one list
    of arrays per range, each array passed through ``keep`` as soon as it is read.

    SQLite joins a range's columns into text without holding Python's interpreter, so
    on an SQLite file ``READERS`` ranges are read at once, each on a connection of its
    own: the 1,009,884 budget lines of the demo in 0.5 s instead of 1.0 s on two cores.
    Each range is read as it stands when read, as the ranges read one after another
    on one connection always were: ``FigureCubes`` drops a cube read while a change
    was made. Other databases, and a connection with writes of its own not yet
    committed (which other connections would not see), read the ranges in turn on
    ``connection``.
    """
    bounds = connection.execute(text(f"SELECT MIN(id), MAX(id) FROM {table}")).one()
    if bounds[0] is None:
        return []
    lows = list(range(bounds[0], bounds[1] + 1, chunk))
    where = f"{table} WHERE id >= :low AND id < :high"

    def on(reader: Connection, low: int) -> list[np.ndarray]:
        read = read_columns(reader, columns, where, {"low": low, "high": low + chunk})
        return [keep(values) for values in read]

    if not _others_see_the_same(connection):
        return [on(connection, low) for low in lows]
    engine = connection.engine
    with ThreadPoolExecutor(
        READERS, thread_name_prefix="cube-read", initializer=_in_the_background
    ) as pool:
        return list(pool.map(lambda low: _on_its_own(engine, lambda r: on(r, low)), lows))


def beside(connection: Connection, work: Callable[[Connection], T]) -> Callable[[], T]:
    """Start ``work`` on a connection of its own, where that reads what ``connection``
    does (an SQLite file, no uncommitted writes); the returned function waits for and
    gives its result. Elsewhere ``work(connection)`` runs when that function is called.
    """
    if not _others_see_the_same(connection):
        return lambda: work(connection)
    engine = connection.engine
    pool = ThreadPoolExecutor(1, thread_name_prefix="cube-beside", initializer=_in_the_background)
    future = pool.submit(_on_its_own, engine, work)
    pool.shutdown(wait=False)
    return future.result


def _on_its_own(engine, work: Callable[[Connection], T]) -> T:
    with engine.connect() as reader:
        return work(reader)


def _in_the_background() -> None:
    """Lower this reader thread's CPU priority where the system allows it (Linux: per
    thread): the readers may take every core, and the window must still answer at once.
    """
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICENESS)
    except (AttributeError, OSError):  # not Linux, or not allowed: readers as they are
        pass


def _others_see_the_same(connection: Connection) -> bool:
    """Whether a new connection to the same SQLite file reads what ``connection`` does:
    a file (not memory), and no write transaction open on it (Python's sqlite3 opens
    one only for a write)."""
    if connection.dialect.name != "sqlite":
        return False
    database = connection.engine.url.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return False
    return not connection.connection.driver_connection.in_transaction
