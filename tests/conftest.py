"""Shared fixtures: real SQLite files and, when configured, a real PostgreSQL server.

Set ``PORTFOLIO_TEST_PG_URL`` to a URL of a PostgreSQL database the tests may use to
create and drop databases (``.ci/run`` starts Debian's server and sets it); every test
that takes ``database`` or ``demo`` then runs once on SQLite and once on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

# Before anything can create a QApplication: tests never need a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from portfolio.demo import DemoSpec, write_demo  # noqa: E402
from portfolio.storage import Database, open_database  # noqa: E402

#: The day every test demo is built around, and its last closed month.
TODAY = dt.date(2026, 11, 23)
AS_OF = 202610
DEMO = DemoSpec(clients=40, seed=7, today=TODAY)

ROOT_DIR = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("PORTFOLIO_TEST_PG_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


class PostgresServer:
    """Creates and drops scratch databases on the test server."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []
        self.logins: list[str] = []

    #: The password of every login the tests make.
    LOGIN_PASSWORD = "test-login-pw"

    def create_login(self, prefix: str) -> str:
        """A new login role on the server (the test role needs CREATEROLE; ``.ci/run``
        gives it), dropped with the databases at the end of the session."""
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        with self.admin.connect() as connection:
            connection.execute(
                text(f"CREATE ROLE \"{name}\" LOGIN PASSWORD '{self.LOGIN_PASSWORD}'")
            )
        self.logins.append(name)
        return name

    def url_as(self, url: str, login: str) -> str:
        """``url`` (a scratch database's) logged in as ``login``."""
        return (
            make_url(url)
            .set(username=login, password=self.LOGIN_PASSWORD)
            .render_as_string(hide_password=False)
        )

    def create(self, template: str | None = None) -> str:
        name = f"portfolio_test_{uuid.uuid4().hex[:12]}"
        clause = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        self.created.append(name)
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop(self, name: str) -> None:
        """Drop a scratch database; a team login's last connection (a window's listener
        that is closing) may need a moment, and only its own role may end it early."""
        from sqlalchemy.exc import ProgrammingError

        for attempt in range(20):
            try:
                with self.admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                return
            except ProgrammingError:
                if attempt == 19:
                    with self.admin.connect() as connection:
                        left = connection.execute(
                            text(
                                "SELECT usename, application_name, state, left(query, 60) "
                                "FROM pg_stat_activity WHERE datname = :name"
                            ),
                            {"name": name},
                        ).all()
                    raise RuntimeError(f"cannot drop {name}: still connected {left}") from None
                time.sleep(0.25)

    def close(self) -> None:
        for name in reversed(self.created):
            self.drop(name)
        with self.admin.connect() as connection:
            for login in self.logins:
                connection.execute(text(f'DROP ROLE IF EXISTS "{login}"'))
        self.admin.dispose()


@pytest.fixture(scope="session", autouse=True)
def snapshot_folder(tmp_path_factory) -> Iterator[Path]:
    """The lines' snapshots the app saves (``cube_snapshot``) go to a folder of this
    run, not the user's cache folder."""
    from portfolio.analytics import cube_snapshot

    folder = tmp_path_factory.mktemp("cache") / "cubes"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cube_snapshot, "cache_folder", lambda: folder)
        yield folder


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer | None]:
    if not PG_URL:
        yield None
        return
    server = PostgresServer(PG_URL)
    yield server
    server.close()


@pytest.fixture(params=BACKENDS)
def db_target(request, tmp_path: Path, pg_server) -> str:
    """Where a fresh, empty portfolio goes: an SQLite path or a new PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "portfolio.sqlite3")
    return pg_server.create()


@pytest.fixture
def database(db_target: str) -> Iterator[Database]:
    """A new, migrated, empty portfolio on each backend."""
    db = open_database(db_target, create=True)
    yield db
    db.close()


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory) -> Path:
    """The 40-client demo as an SQLite file, built once; copy it before changing it."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    write_demo(path, DEMO)
    return path


@pytest.fixture(scope="session")
def pg_demo_template(pg_server) -> str | None:
    if pg_server is None:
        return None
    url = pg_server.create()
    write_demo(url, DEMO)
    return make_url(url).database


def copy_demo(demo_file: Path, target: Path) -> Path:
    shutil.copyfile(demo_file, target)
    return target


@pytest.fixture(params=BACKENDS)
def demo(
    request, demo_file: Path, tmp_path: Path, pg_server, pg_demo_template
) -> Iterator[Database]:
    """A private copy of the demo portfolio on each backend, free to change."""
    if request.param == "sqlite":
        target = str(copy_demo(demo_file, tmp_path / "demo.sqlite3"))
    else:
        target = pg_server.create(template=pg_demo_template)
    db = open_database(target)
    yield db
    db.close()


@pytest.fixture
def demo_sqlite(demo_file: Path, tmp_path: Path) -> Iterator[Database]:
    """A private copy of the demo as an SQLite file (for file-level behaviour)."""
    db = open_database(copy_demo(demo_file, tmp_path / "demo.sqlite3"))
    yield db
    db.close()
