"""Schema migrations, applied when a portfolio is opened.

Alembic is imported only when the schema is not already at ``SCHEMA_HEAD``: opening an
up-to-date portfolio (every start of the app) then costs one ``SELECT``, not the parse
of every migration script.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection

#: The newest revision this version of Portfolio writes. A test checks that it matches
#: the migration scripts' head.
SCHEMA_HEAD = "0002"

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
    from alembic import command

    command.upgrade(alembic_config(connection), revision)


def downgrade(connection: Connection, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(connection), revision)
