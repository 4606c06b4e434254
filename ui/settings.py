"""Per-user preferences in ``QSettings``: window layout, header states, last view, recents.

Keys carry a version (``v1/...``): when the layout of what is stored changes, the version
moves on and old values are ignored rather than misread. What must be the same for the
whole team lives in the database instead (``portfolio.settings``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

VERSION = 1
RECENT_LIMIT = 8


class Settings:
    def __init__(self, store: QSettings) -> None:
        self.store = store

    @classmethod
    def for_user(cls) -> Settings:
        return cls(
            QSettings(
                QSettings.Format.IniFormat, QSettings.Scope.UserScope, "Portfolio", "Portfolio"
            )
        )

    @classmethod
    def in_file(cls, path: str | Path) -> Settings:
        """Settings kept in one file (snapshots and tests leave the user's alone)."""
        return cls(QSettings(str(path), QSettings.Format.IniFormat))

    @staticmethod
    def key(name: str) -> str:
        return f"v{VERSION}/{name}"

    def value(self, name: str, default: Any = None) -> Any:
        return self.store.value(self.key(name), default)

    def set_value(self, name: str, value: Any) -> None:
        self.store.setValue(self.key(name), value)

    def bytes(self, name: str) -> QByteArray | None:
        value = self.store.value(self.key(name))
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def timeouts(self):
        """Seconds to wait for a server connection and for one statement
        (``portfolio.storage.server.Timeouts``; Edit > Preferences)."""
        from portfolio.storage.server import Timeouts

        defaults = Timeouts.from_environment()
        return Timeouts(
            connect=_seconds(self.value("server/connect_timeout"), defaults.connect),
            statement=_seconds(self.value("server/statement_timeout"), defaults.statement),
        )

    def set_timeouts(self, connect: float, statement: float) -> None:
        self.set_value("server/connect_timeout", float(connect))
        self.set_value("server/statement_timeout", float(statement))

    def recent_files(self) -> list[str]:
        """Files and server URLs opened lately, newest first, never with a password.

        A URL written with its password by an older version is rewritten without it
        here, its password handed to the keyring (or ``~/.pgpass``) first."""
        value = self.store.value(self.key("recent_files"), [])
        if isinstance(value, str):
            value = [value]
        names = [str(item) for item in value or [] if item]
        cleaned = [_safe(name) for name in names]
        if cleaned != names:
            self.store.setValue(self.key("recent_files"), _unique(cleaned)[:RECENT_LIMIT])
        return _unique(cleaned)

    def add_recent(self, name: str) -> None:
        name = _safe(name)
        recent = [name] + [item for item in self.recent_files() if item != name]
        self.store.setValue(self.key("recent_files"), recent[:RECENT_LIMIT])

    def sync(self) -> None:
        self.store.sync()


def _safe(name: str) -> str:
    """``name`` as it may be written down: a URL's password goes to the keyring."""
    from portfolio.storage.credentials import remember, without_password

    if without_password(name) == name:
        return name
    try:
        return remember(name)[0]
    except OSError:
        return without_password(name)


def _unique(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))


def _seconds(value: Any, default: float) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return default
    return seconds if seconds > 0 else default
