"""Schema migrations, applied when a portfolio is opened.

Alembic is imported only when the schema is not already at ``SCHEMA_HEAD``: opening an
up-to-date portfolio (every start of the app) then costs one ``SELECT``, not the parse
of every migration script.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine

#: The newest revision this version of Portfolio writes. A test checks that it matches
#: the migration scripts' head.
SCHEMA_HEAD = "0008"

#: Marks a database as Portfolio's, so that another program's Alembic database is not
#: mistaken for one written by a newer Portfolio.
APPLICATION_KEY = "application"
APPLICATION_VALUE = "portfolio"

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config())
    return {script.revision for script in scripts.walk_revisions()}


def script_heads() -> list[str]:
    from alembic.script import ScriptDirectory

    return list(ScriptDirectory.from_config(alembic_config()).get_heads())


def upgrade(connection: Connection, revision: str = "head") -> None:
    """Run the migrations up to ``revision`` on ``connection`` (in the caller's
    transaction). On SQLite use ``upgrade_engine``: some steps rebuild tables."""
    from alembic import command

    command.upgrade(alembic_config(connection), revision)


def upgrade_engine(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database behind ``engine`` in one transaction.

    SQLite rebuilds a table by dropping the old one, which with foreign keys on would
    cascade into every table referring to it; so on SQLite the upgrade runs with them
    off and ``PRAGMA foreign_key_check`` must find nothing wrong before it commits
    (SQLite's "making other kinds of table schema changes" procedure).
    """
    from sqlalchemy import exc

    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
            connection.commit()
        try:
            with connection.begin():
                if sqlite:
                    # Take the write lock first, so every statement of the upgrade is
                    # in this one transaction (pysqlite would run DDL outside it).
                    connection.exec_driver_sql("BEGIN IMMEDIATE")
                else:
                    # Connections start with short lock and statement timeouts
                    # (``storage.server``); an upgrade may wait for readers to finish.
                    connection.exec_driver_sql(
                        "SET LOCAL lock_timeout = '30s'; SET LOCAL statement_timeout = 0"
                    )
                upgrade(connection, revision)
                if not sqlite:
                    _sync_grants(connection)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise exc.IntegrityError(
                            "PRAGMA foreign_key_check", None, Exception(f"broken: {broken[:3]}")
                        )
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys = ON")
                connection.commit()


def _sync_grants(connection: Connection) -> None:
    """Give every team login its grants again: an upgrade may have added tables."""
    found = connection.exec_driver_sql(
        "SELECT 1 FROM pg_proc WHERE proname = 'portfolio_sync_all_grants'"
    ).first()
    if found is not None:
        connection.exec_driver_sql("SELECT portfolio_sync_all_grants()")


def downgrade(connection: Connection, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(connection), revision)
