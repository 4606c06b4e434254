"""Turning what the user typed for ``--db`` into a SQLAlchemy URL."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_path
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from portfolio.errors import DatabaseOpenError

APP_NAME = "Portfolio"
DEFAULT_FILE_NAME = "portfolio.sqlite3"


def data_directory() -> Path:
    """The user's data folder for Portfolio (created on demand by the caller)."""
    return user_data_path(APP_NAME, appauthor=False)


def default_database_path() -> Path:
    return data_directory() / DEFAULT_FILE_NAME


def resolve(target: str | Path | None) -> tuple[URL, Path | None]:
    """``target`` as a URL, plus the file path when it is an SQLite file.

    A value containing ``://`` is a SQLAlchemy URL (``postgresql+psycopg://...``); anything
    else is a file path. ``None`` means the default file in the user's data folder.
    """
    if target is None:
        target = default_database_path()
    text = str(target)
    if "://" in text:
        try:
            url = make_url(text)
        except ArgumentError:
            raise DatabaseOpenError(f"{text!r} is not a database URL") from None
        if url.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
            # psycopg 3 is the driver we ship; SQLAlchemy's default differs by version.
            url = url.set(drivername="postgresql+psycopg")
        if url.get_backend_name() == "sqlite":
            database = url.database or ""
            path = Path(database).expanduser().resolve() if database else None
            return url, path
        if url.get_backend_name() != "postgresql":
            raise DatabaseOpenError(
                f"{url.get_backend_name()} databases are not supported (use an SQLite file "
                "or a postgresql+psycopg:// URL)"
            )
        return url, None
    path = Path(text).expanduser().resolve()
    return URL.create("sqlite+pysqlite", database=str(path)), path


def describe(url: URL, path: Path | None) -> str:
    """A name for the status bar and messages, never showing a password (nor a sign
    that there is one): ``postgresql://isla@dbserver:5432/portfolio``."""
    if path is not None:
        return str(path)
    return url._replace(drivername=url.get_backend_name(), password=None).render_as_string()


def short_name(url: URL, path: Path | None) -> str:
    """A window title: the file's name, or ``portfolio on dbserver``."""
    if path is not None:
        return path.name
    return f"{url.database or 'portfolio'} on {url.host or 'localhost'}"
