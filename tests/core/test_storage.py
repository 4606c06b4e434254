"""Opening portfolios: pragmas, refusing what is not ours untouched, backups before upgrades."""

import hashlib
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from portfolio.errors import DatabaseOpenError
from portfolio.storage import location, migrate, open_database
from portfolio.storage.backup import backup_sqlite


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_new_sqlite_file_runs_with_foreign_keys_wal_and_a_busy_timeout(tmp_path):
    db = open_database(tmp_path / "new.sqlite3", create=True)
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 1000
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert revision == migrate.SCHEMA_HEAD
    db.close()


def test_a_text_file_is_refused_in_one_line_and_left_untouched(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("Shopping list\nmilk\n")
    before = digest(notes)
    with pytest.raises(DatabaseOpenError) as caught:
        open_database(notes)
    message = str(caught.value)
    assert "notes.txt is not a Portfolio database" in message and "\n" not in message
    assert digest(notes) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_another_programs_sqlite_file_is_refused_untouched(tmp_path):
    other = tmp_path / "other.db"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
    connection.execute("INSERT INTO recipes (name) VALUES ('soup')")
    connection.commit()
    connection.close()
    before = digest(other)
    with pytest.raises(DatabaseOpenError, match="is not a Portfolio database"):
        open_database(other)
    assert digest(other) == before
    assert not any(p.name.startswith("other-backup") for p in tmp_path.iterdir())


def test_a_portfolio_from_a_newer_version_is_refused_untouched(tmp_path):
    path = tmp_path / "future.sqlite3"
    open_database(path, create=True).close()
    connection = sqlite3.connect(path)
    connection.execute("UPDATE alembic_version SET version_num = 'zz99_from_the_future'")
    connection.commit()
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    before = digest(path)
    with pytest.raises(DatabaseOpenError, match="newer version of Portfolio"):
        open_database(path)
    assert digest(path) == before


def test_a_missing_folder_gives_a_clear_message(tmp_path):
    with pytest.raises(DatabaseOpenError, match="does not exist"):
        open_database(tmp_path / "no" / "such" / "folder.sqlite3", create=True)


def test_an_unknown_url_scheme_or_unreachable_server_is_one_line(tmp_path):
    with pytest.raises(DatabaseOpenError, match="not supported"):
        open_database("mysql://somewhere/db")
    with pytest.raises(DatabaseOpenError, match="Cannot reach") as caught:
        open_database("postgresql+psycopg://nobody:wrong@127.0.0.1:1/none?connect_timeout=2")
    assert "\n" not in str(caught.value)


def test_default_location_is_the_user_data_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    url, path = location.resolve(None)
    assert path == tmp_path / "data" / "Portfolio" / "portfolio.sqlite3"
    db = open_database(None, create=True)
    assert path.exists()
    db.close()


def test_postgres_urls_default_to_psycopg_and_hide_passwords():
    url, path = location.resolve("postgresql://me:secret@server/book")
    assert path is None and url.drivername == "postgresql+psycopg"
    assert "secret" not in location.describe(url, path)


def test_online_backup_is_a_consistent_portfolio(demo_sqlite, tmp_path):
    copy = backup_sqlite(demo_sqlite.path, tmp_path / "copy.sqlite3")
    reopened = open_database(copy, create=False)
    with reopened.engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM client")).scalar() == 40
    reopened.close()


def _previous_revision() -> str | None:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    return scripts.get_revision(migrate.SCHEMA_HEAD).down_revision


@pytest.mark.skipif(_previous_revision() is None, reason="only one schema revision exists yet")
def test_an_older_portfolio_is_backed_up_then_upgraded(demo_sqlite):
    path = demo_sqlite.path
    demo_sqlite.close()
    with open_database(path).engine.begin() as connection:
        migrate.downgrade(connection, _previous_revision())
    db = open_database(path)
    assert db.upgrade_backup is not None and db.upgrade_backup.exists()
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            migrate.SCHEMA_HEAD
        )
        assert connection.execute(text("SELECT COUNT(*) FROM client")).scalar() == 40
    db.close()
    backup = sqlite3.connect(db.upgrade_backup)
    assert backup.execute("SELECT version_num FROM alembic_version").fetchone()[0] == (
        _previous_revision()
    )
    backup.close()
