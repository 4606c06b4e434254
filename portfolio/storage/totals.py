"""The monthly totals (``month_total``): the triggers that keep them, their rebuild, a check.

Database triggers keep the totals, not Python: every write to a budget line or a
campaign - an edit, a paste, an import, an undo, a delete and its cascades, a sync, even
a statement typed into a SQL shell - moves them in the same transaction, with nothing
for a new write path to remember. On SQLite they are row triggers. On PostgreSQL a
line insert or delete is a statement trigger over the transition table, so a bulk
statement (an import's multi-row INSERT, an undo's DELETE ... IN) adds one grouped
upsert, not one per row; an update is a row trigger, since updates come one row per
statement and a row trigger is the cheaper there.

A campaign's lines deleted by the cascade from the campaign no longer find their
campaign (hence their client), so the campaign's own ``BEFORE DELETE`` trigger takes its
lines out of the totals first; a campaign moved to another client moves its lines' sums.

Every write that moves a row also gives it a new random ``stamp``: two reads of the
stamps that agree row for row saw the same lines, which is what lets the desktop app
keep the lines' cube on disk between starts (``portfolio.analytics.cube_snapshot``).

``rebuild`` recomputes every row from the lines (the migration and ``portfolio check
--rebuild-totals``); ``differences`` compares the kept totals with the lines.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection

from portfolio.model.totals import MEASURE_COLUMNS, MISSING_COLUMNS, TOTAL_COLUMNS

#: Trigger and function names, for dropping them.
SQLITE_TRIGGERS = (
    "month_total_line_added",
    "month_total_line_removed",
    "month_total_line_changed",
    "month_total_line_moved",
    "month_total_campaign_removed",
    "month_total_campaign_moved",
    "month_total_campaign_added",
)
PG_TRIGGERS = (
    ("month_total_line_added", "budget_line"),
    ("month_total_line_removed", "budget_line"),
    ("month_total_line_changed", "budget_line"),
    ("month_total_campaign_removed", "campaign"),
    ("month_total_campaign_moved", "campaign"),
    ("month_total_campaign_added", "campaign"),
)
PG_FUNCTIONS = (
    "month_total_lines_added",
    "month_total_lines_removed",
    "month_total_line_changed",
    "month_total_campaign_removed",
    "month_total_campaign_moved",
    "month_total_campaign_added",
)

_COLUMNS = ", ".join(TOTAL_COLUMNS)
#: A new stamp for a totals row, per dialect: 64 random bits on SQLite, 53 on
#: PostgreSQL (its ``random()`` is a double). Every write that moves a row gives it one,
#: so equal stamps mean unchanged lines (``MonthTotal.stamp``, ``cube_snapshot``).
SQLITE_STAMP = "random()"
PG_STAMP = "(random() * 9.0e18)::bigint"


def _value(row: str, column: str) -> str:
    """A line's contribution to total ``column``: an empty actual counts as 0, and as 1
    in its measure's ``_actual_missing`` count."""
    if column.endswith("_actual_missing"):
        return f"CASE WHEN {row}.{column.removesuffix('_missing')} IS NULL THEN 1 ELSE 0 END"
    if column.endswith("_actual"):
        return f"COALESCE({row}.{column}, 0)"
    return f"{row}.{column}"


def _sums(row: str) -> str:
    return ", ".join(f"SUM({_value(row, c)}) AS {c}" for c in TOTAL_COLUMNS)


def _add_excluded(table: str = "month_total") -> str:
    return ", ".join(
        [f"lines = {table}.lines + excluded.lines"]
        + [f"{c} = {table}.{c} + excluded.{c}" for c in TOTAL_COLUMNS]
        + ["stamp = excluded.stamp"]
    )


def _subtract(source: str, stamp: str) -> str:
    return ", ".join(
        [f"lines = month_total.lines - {source}.lines"]
        + [f"{c} = month_total.{c} - {source}.{c}" for c in TOTAL_COLUMNS]
        + [f"stamp = {stamp}"]
    )


def _campaign_sums(campaign: str) -> str:
    """Per month: the line count and sums of one campaign's lines."""
    return (
        f"SELECT month, COUNT(*) AS lines, {_sums('budget_line')} FROM budget_line "
        f"WHERE campaign_id = {campaign} GROUP BY month"
    )


def _campaign_lines_added(stamp: str, alias: str | None) -> str:
    """Add the lines of campaign ``NEW`` to its client's totals: a campaign moved to
    another client, or a new campaign that finds lines already there. That happens only
    where foreign keys were off (an SQLite shell's default): its id's lines outlived a
    deleted campaign, and a campaign made later with the same id takes them over.
    ``alias``: PostgreSQL needs one for the table an upsert writes; SQLite takes none
    in a trigger."""
    into = f"month_total AS {alias}" if alias else "month_total"
    return (
        f"INSERT INTO {into} (month, client_id, lines, {_COLUMNS}, stamp) "
        f"SELECT month, NEW.client_id, lines, {_COLUMNS}, {stamp} "
        f"FROM ({_campaign_sums('NEW.id')}) AS found WHERE true "
        f"ON CONFLICT (month, client_id) DO UPDATE SET {_add_excluded(alias or 'month_total')}"
    )


# -- SQLite ------------------------------------------------------------------------------


def _sqlite_add(row: str, stamp: str = SQLITE_STAMP) -> str:
    values = ", ".join(_value(row, c) for c in TOTAL_COLUMNS)
    return (
        f"INSERT INTO month_total (month, client_id, lines, {_COLUMNS}, stamp) "
        f"SELECT {row}.month, client_id, 1, {values}, {stamp} FROM campaign "
        f"WHERE id = {row}.campaign_id "
        f"ON CONFLICT (month, client_id) DO UPDATE SET {_add_excluded()};"
    )


def _sqlite_remove(row: str, stamp: str = SQLITE_STAMP) -> str:
    values = ", ".join(f"{c} = {c} - {_value(row, c)}" for c in TOTAL_COLUMNS)
    return (
        f"UPDATE month_total SET lines = lines - 1, {values}, stamp = {stamp} "
        f"WHERE month = {row}.month "
        f"AND client_id = (SELECT client_id FROM campaign WHERE id = {row}.campaign_id);"
    )


def sqlite_triggers() -> list[str]:
    watched = ", ".join(("campaign_id", "month", *MEASURE_COLUMNS))
    same_place = "NEW.campaign_id = OLD.campaign_id AND NEW.month = OLD.month"
    changed = ", ".join(
        [f"{c} = {c} + {_value('NEW', c)} - {_value('OLD', c)}" for c in TOTAL_COLUMNS]
        + [f"stamp = {SQLITE_STAMP}"]
    )
    return [
        f"CREATE TRIGGER month_total_line_added AFTER INSERT ON budget_line "
        f"BEGIN {_sqlite_add('NEW')} END",
        f"CREATE TRIGGER month_total_line_removed AFTER DELETE ON budget_line "
        f"BEGIN {_sqlite_remove('OLD')} END",
        f"CREATE TRIGGER month_total_line_changed AFTER UPDATE OF {watched} ON budget_line "
        f"WHEN {same_place} BEGIN "
        f"UPDATE month_total SET {changed} WHERE month = NEW.month "
        f"AND client_id = (SELECT client_id FROM campaign WHERE id = NEW.campaign_id); END",
        f"CREATE TRIGGER month_total_line_moved AFTER UPDATE OF {watched} ON budget_line "
        f"WHEN NOT ({same_place}) BEGIN {_sqlite_remove('OLD')} {_sqlite_add('NEW')} END",
        f"CREATE TRIGGER month_total_campaign_removed BEFORE DELETE ON campaign BEGIN "
        f"UPDATE month_total SET {_subtract('gone', SQLITE_STAMP)} "
        f"FROM ({_campaign_sums('OLD.id')}) AS gone "
        f"WHERE month_total.client_id = OLD.client_id AND month_total.month = gone.month; END",
        f"CREATE TRIGGER month_total_campaign_moved AFTER UPDATE OF client_id ON campaign "
        f"WHEN NEW.client_id IS NOT OLD.client_id BEGIN "
        f"UPDATE month_total SET {_subtract('gone', SQLITE_STAMP)} "
        f"FROM ({_campaign_sums('NEW.id')}) AS gone "
        f"WHERE month_total.client_id = OLD.client_id AND month_total.month = gone.month; "
        f"{_campaign_lines_added(SQLITE_STAMP, None)}; END",
        f"CREATE TRIGGER month_total_campaign_added AFTER INSERT ON campaign BEGIN "
        f"{_campaign_lines_added(SQLITE_STAMP, None)}; END",
    ]


# -- PostgreSQL --------------------------------------------------------------------------


def _pg_grouped(source: str, sign: str) -> str:
    """Lines of a transition table as (month, client, count, sums), signed."""
    values = ", ".join(f"{sign}{_value('l', c)} AS {c}" for c in TOTAL_COLUMNS)
    return (
        f"SELECT l.month, c.client_id, {sign}1 AS lines, {values} "
        f"FROM {source} l JOIN campaign c ON c.id = l.campaign_id"
    )


def _pg_upsert(rows: str) -> str:
    sums = ", ".join(f"SUM({c}) AS {c}" for c in TOTAL_COLUMNS)
    return (
        f"INSERT INTO month_total AS t (month, client_id, lines, {_COLUMNS}, stamp) "
        f"SELECT month, client_id, SUM(lines), {sums}, {PG_STAMP} FROM ({rows}) AS d "
        f"GROUP BY month, client_id "
        f"ON CONFLICT (month, client_id) DO UPDATE SET {_add_excluded('t')}"
    )


def _pg_function(name: str, body: str, returns: str = "NULL") -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {body}; RETURN {returns}; END $$"
    )


def pg_triggers() -> list[str]:
    removed = (
        f"UPDATE month_total SET {_subtract('gone', PG_STAMP)} "
        f"FROM ({_campaign_sums('OLD.id')}) AS gone "
        f"WHERE month_total.client_id = OLD.client_id AND month_total.month = gone.month"
    )
    moved = f"{removed}; {_campaign_lines_added(PG_STAMP, 't')}"
    watched = ("campaign_id", "month", *MEASURE_COLUMNS)
    old_row = ", ".join(f"OLD.{c}" for c in watched)
    new_row = ", ".join(f"NEW.{c}" for c in watched)
    changed = (
        "IF NEW.campaign_id = OLD.campaign_id AND NEW.month = OLD.month THEN "
        "UPDATE month_total SET "
        + ", ".join(f"{c} = {c} + {_value('NEW', c)} - {_value('OLD', c)}" for c in TOTAL_COLUMNS)
        + f", stamp = {PG_STAMP} WHERE month = NEW.month AND client_id = "
        "(SELECT client_id FROM campaign WHERE id = NEW.campaign_id); "
        f"ELSE {_sqlite_remove('OLD', PG_STAMP)} {_sqlite_add('NEW', PG_STAMP)} END IF"
    )
    return [
        _pg_function("month_total_lines_added", _pg_upsert(_pg_grouped("new_lines", ""))),
        _pg_function("month_total_lines_removed", _pg_upsert(_pg_grouped("old_lines", "-"))),
        _pg_function("month_total_line_changed", changed),
        _pg_function("month_total_campaign_removed", removed, returns="OLD"),
        _pg_function("month_total_campaign_moved", moved),
        _pg_function("month_total_campaign_added", _campaign_lines_added(PG_STAMP, "t")),
        # Inserts come in batches (an import's multi-row INSERTs) and deletes as one
        # statement for many rows (undo, cascades): one grouped upsert per statement.
        "CREATE TRIGGER month_total_line_added AFTER INSERT ON budget_line "
        "REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT "
        "EXECUTE FUNCTION month_total_lines_added()",
        "CREATE TRIGGER month_total_line_removed AFTER DELETE ON budget_line "
        "REFERENCING OLD TABLE AS old_lines FOR EACH STATEMENT "
        "EXECUTE FUNCTION month_total_lines_removed()",
        # Updates come one row per statement (a cell edit, an import's executemany): a
        # row trigger costs a third of a statement trigger's transition tables there,
        # and skips updates that move no figure (a version bump, pieces, responses).
        f"CREATE TRIGGER month_total_line_changed AFTER UPDATE OF {', '.join(watched)} "
        f"ON budget_line FOR EACH ROW WHEN (({old_row}) IS DISTINCT FROM ({new_row})) "
        "EXECUTE FUNCTION month_total_line_changed()",
        "CREATE TRIGGER month_total_campaign_removed BEFORE DELETE ON campaign "
        "FOR EACH ROW EXECUTE FUNCTION month_total_campaign_removed()",
        "CREATE TRIGGER month_total_campaign_added AFTER INSERT ON campaign "
        "FOR EACH ROW EXECUTE FUNCTION month_total_campaign_added()",
        "CREATE TRIGGER month_total_campaign_moved AFTER UPDATE OF client_id ON campaign "
        "FOR EACH ROW WHEN (NEW.client_id IS DISTINCT FROM OLD.client_id) "
        "EXECUTE FUNCTION month_total_campaign_moved()",
    ]


# -- installing, rebuilding, checking ----------------------------------------------------


def create_triggers(connection: Connection) -> None:
    statements = sqlite_triggers() if connection.dialect.name == "sqlite" else pg_triggers()
    for statement in statements:
        connection.exec_driver_sql(statement)


def drop_triggers(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        return
    for name, table in PG_TRIGGERS:
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    for name in PG_FUNCTIONS:
        connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {name}()")


#: Every client x month of the lines, with its count and sums: what the totals must hold.
EXPECTED = (
    f"SELECT bl.month, ca.client_id, COUNT(*) AS lines, {_sums('bl')} "
    "FROM budget_line bl JOIN campaign ca ON ca.id = bl.campaign_id "
    "GROUP BY bl.month, ca.client_id"
)
#: The kept totals that stand for something (a row all at 0 stands for none).
KEPT = f"SELECT month, client_id, lines, {_COLUMNS} FROM month_total WHERE " + " OR ".join(
    f"{c} <> 0" for c in ("lines", *TOTAL_COLUMNS)
)


def rebuild(connection: Connection) -> int:
    """Recompute every total from the lines, in the caller's transaction; rows written."""
    connection.exec_driver_sql("DELETE FROM month_total")
    # Every row gets a new stamp: a snapshot of the lines made before is never taken
    # for the rebuilt state, even where a row's figures came out the same.
    stamp = SQLITE_STAMP if connection.dialect.name == "sqlite" else PG_STAMP
    result = connection.exec_driver_sql(
        f"INSERT INTO month_total (month, client_id, lines, {_COLUMNS}, stamp) "
        f"SELECT expected.*, {stamp} FROM ({EXPECTED}) AS expected ORDER BY 1, 2"
    )
    return result.rowcount


def count_missing_actuals(connection: Connection) -> None:
    """Fill the totals' missing-actual counts from the lines, leaving every other column
    and the stamps as they are (migration 0008): the lines did not change, so a snapshot
    of them taken before stays valid and the next start reads none of them again."""
    assigned = ", ".join(f"{c} = found.{c}" for c in MISSING_COLUMNS)
    connection.exec_driver_sql(
        f"UPDATE month_total SET {assigned} FROM ({EXPECTED}) AS found "
        "WHERE month_total.month = found.month AND month_total.client_id = found.client_id"
    )


@contextmanager
def rebuilt_after(connection: Connection) -> Iterator[None]:
    """Write lines in bulk without the triggers, then rebuild the totals once.

    For a writer that fills an empty portfolio (the demo): grouping a million lines
    once is cheaper than a million trigger runs. Drop, load and rebuild share the
    caller's transaction, so no one sees the totals without their triggers.
    """
    drop_triggers(connection)
    yield
    rebuild(connection)
    create_triggers(connection)


@dataclass(frozen=True)
class Difference:
    client_id: int
    month: int
    #: What the lines add up to, and what the totals hold (None: no row).
    expected: tuple[int, ...] | None
    kept: tuple[int, ...] | None

    def describe(self) -> str:
        names = ("lines", *TOTAL_COLUMNS)
        if self.kept is None:
            return f"client {self.client_id}, {self.month}: no total for its lines"
        if self.expected is None:
            return f"client {self.client_id}, {self.month}: a total without lines"
        wrong = [
            f"{name} {kept:,} (lines say {expected:,})"
            for name, expected, kept in zip(names, self.expected, self.kept, strict=True)
            if expected != kept
        ]
        return f"client {self.client_id}, {self.month}: " + ", ".join(wrong)


def differences(connection: Connection) -> list[Difference]:
    """Every client x month where the totals and the lines disagree (none: all exact).

    One statement, so both sides are read from one snapshot while others write.
    """
    rows = connection.exec_driver_sql(
        f"SELECT 'lines', e.* FROM ({EXPECTED} EXCEPT {KEPT}) AS e "
        f"UNION ALL SELECT 'kept', k.* FROM ({KEPT} EXCEPT {EXPECTED}) AS k"
    ).all()
    found: dict[str, dict[tuple[int, int], tuple[int, ...]]] = {"lines": {}, "kept": {}}
    for side, month, client_id, *values in rows:
        found[side][(month, client_id)] = tuple(int(v) for v in values)
    keys = sorted(found["lines"].keys() | found["kept"].keys())
    return [
        Difference(client_id, month, found["lines"].get(key), found["kept"].get(key))
        for key in keys
        for month, client_id in [key]
    ]
