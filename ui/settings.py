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

    def recent_files(self) -> list[str]:
        value = self.store.value(self.key("recent_files"), [])
        if isinstance(value, str):
            value = [value]
        return [str(item) for item in value or [] if item]

    def add_recent(self, name: str) -> None:
        recent = [name] + [item for item in self.recent_files() if item != name]
        self.store.setValue(self.key("recent_files"), recent[:RECENT_LIMIT])

    def sync(self) -> None:
        self.store.sync()
