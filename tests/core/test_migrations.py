"""The migrations: one head, from empty to head and back, and in step with the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from portfolio.model import Base
from portfolio.storage import migrate


def test_there_is_exactly_one_head_and_the_code_knows_it():
    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    assert scripts.get_heads() == [migrate.SCHEMA_HEAD]


def test_upgrade_from_empty_creates_every_table_and_the_seed_data(database):
    with database.engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert connection.execute(text("SELECT COUNT(*) FROM currency")).scalar() > 150
        assert (
            connection.execute(
                text("SELECT value FROM setting WHERE key = 'base_currency'")
            ).scalar()
            == "USD"
        )


def test_downgrade_to_base_and_upgrade_again(database):
    with database.engine.begin() as connection:
        migrate.downgrade(connection, "base")
    with database.engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
    migrate.upgrade_engine(database.engine)
    with database.engine.connect() as connection:
        assert set(Base.metadata.tables) <= set(inspect(connection).get_table_names())


def test_models_and_migrations_agree(database):
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        assert compare_metadata(context, Base.metadata) == []
