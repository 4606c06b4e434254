"""Server passwords are never written by Portfolio in clear (issue 13).

They go to the system keyring, or where there is none to ``~/.pgpass`` (mode 0600),
which libpq reads itself; the recent list, titles and messages carry URLs without
them. Opening a URL without its password then logs in with the kept one, on a real
PostgreSQL login.
"""

from __future__ import annotations

import stat

import keyring
import pytest
from keyring.backend import KeyringBackend
from sqlalchemy.engine import make_url

from portfolio.storage import credentials, open_database
from tests.conftest import PG_URL

needs_server = pytest.mark.skipif(not PG_URL, reason="needs PORTFOLIO_TEST_PG_URL")


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps secrets in memory, standing in for the desktop's own."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.secrets.get((service, username))

    def set_password(self, service, username, password):
        self.secrets[(service, username)] = password

    def delete_password(self, service, username):
        self.secrets.pop((service, username), None)


@pytest.fixture
def no_keyring(monkeypatch, tmp_path):
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "pgpass"))
    yield tmp_path / "pgpass"
    keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring(monkeypatch, tmp_path):
    previous = keyring.get_keyring()
    store = MemoryKeyring()
    keyring.set_keyring(store)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "pgpass"))
    yield store
    keyring.set_keyring(previous)


def test_a_url_is_written_down_without_its_password():
    assert (
        credentials.without_password("postgresql+psycopg://isla:s3cret@db.example:5433/book")
        == "postgresql+psycopg://isla@db.example:5433/book"
    )
    assert credentials.without_password("/home/isla/book.sqlite3") == "/home/isla/book.sqlite3"
    from portfolio.storage.location import describe, resolve

    url, path = resolve("postgresql://isla:s3cret@db.example/book")
    assert describe(url, path) == "postgresql://isla@db.example/book"


def test_without_a_keyring_the_password_goes_to_pgpass_readable_by_its_owner_only(no_keyring):
    stripped, where = credentials.remember("postgresql://isla:pa:ss@db.example/book")
    assert stripped == "postgresql://isla@db.example/book" and where == str(no_keyring)
    assert no_keyring.read_text() == "db.example:5432:book:isla:pa\\:ss\n"
    assert stat.S_IMODE(no_keyring.stat().st_mode) == 0o600
    # A new password for the same login replaces the old line.
    credentials.remember("postgresql://isla:new@db.example/book")
    assert no_keyring.read_text() == "db.example:5432:book:isla:new\n"


def test_with_a_keyring_the_password_goes_there_and_nowhere_else(memory_keyring, tmp_path):
    stripped, where = credentials.remember("postgresql://isla:s3cret@db.example/book")
    assert where == "keyring" and stripped == "postgresql://isla@db.example/book"
    assert memory_keyring.secrets == {("Portfolio", "isla@db.example:5432/book"): "s3cret"}
    assert not (tmp_path / "pgpass").exists()
    assert credentials.recall(make_url(stripped)) == "s3cret"


def test_the_recent_list_keeps_no_password(tmp_path, memory_keyring):
    from ui.settings import Settings

    settings = Settings.in_file(tmp_path / "Portfolio.ini")
    settings.add_recent("postgresql+psycopg://isla:s3cret@db.example/book")
    # An entry an older version wrote with its password is cleaned when read.
    settings.store.setValue(
        settings.key("recent_files"),
        ["postgresql+psycopg://noah:hunter2@db.example/book", *settings.recent_files()],
    )
    assert settings.recent_files() == [
        "postgresql+psycopg://noah@db.example/book",
        "postgresql+psycopg://isla@db.example/book",
    ]
    settings.sync()
    written = (tmp_path / "Portfolio.ini").read_text()
    assert "s3cret" not in written and "hunter2" not in written
    assert memory_keyring.secrets[("Portfolio", "noah@db.example:5432/book")] == "hunter2"


@needs_server
@pytest.mark.parametrize("kept", ["keyring", "pgpass"])
def test_a_url_without_its_password_logs_in_with_the_kept_one(
    kept, pg_server, request, tmp_path, monkeypatch
):
    store = request.getfixturevalue("memory_keyring" if kept == "keyring" else "no_keyring")
    url = pg_server.create()
    open_database(url, create=True).close()
    login = pg_server.create_login("kept")
    owner = open_database(url)
    from portfolio.access.logins import add_login
    from portfolio.model import TeamMember

    with owner.session() as session:
        session.add(TeamMember(name="Isla Patel", role="manager"))
        session.commit()
    add_login(owner, "Isla Patel", login, "viewer")
    owner.close()
    with_password = pg_server.url_as(url, login)
    stripped, where = credentials.remember(with_password)
    assert make_url(stripped).password is None
    assert where == ("keyring" if kept == "keyring" else str(store))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    database = open_database(stripped)
    try:
        assert database.user.login == login and database.user.access == "viewer"
        assert "test-login-pw" not in database.name
    finally:
        database.close()
