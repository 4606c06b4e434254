"""Server passwords: kept by the system, never written by Portfolio in clear.

A PostgreSQL URL may carry a password (``postgresql://isla:secret@dbserver/book``).
Portfolio never stores it as typed: the desktop app's recent list, window titles,
menus and messages carry the URL without it (``without_password``), and the password
goes to the system keyring (``keyring``: macOS Keychain, Windows Credential Locker,
the Secret Service on Linux desktops) under the service ``Portfolio`` and the key
``user@host:port/database``. Where there is no keyring (a server or a bare Linux
without a Secret Service), it goes to ``~/.pgpass`` (``PGPASSFILE`` if set), written
with mode 0600 as libpq requires; libpq reads it by itself, and so does ``psql``.

``recall`` finds a stored password when a URL comes without one (``open_database`` asks
it); a ``~/.pgpass`` entry or a ``PGSERVICE`` file needs nothing from here at all.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

SERVICE = "Portfolio"


def key(url: URL) -> str:
    """The keyring's name for the login on a server: ``user@host:port/database``."""
    return f"{url.username or ''}@{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"


def without_password(target: str) -> str:
    """``target`` as it may be written down or shown: a URL without its password."""
    if "://" not in target:
        return target
    try:
        url = make_url(target)
    except ArgumentError:
        return target
    if url.password is None:
        return target
    return url._replace(password=None).render_as_string(hide_password=False)


def _keyring():
    """The system keyring, or None when there is none that keeps secrets."""
    try:
        import keyring
        from keyring.backends import fail, null
    except ImportError:
        return None
    if isinstance(keyring.get_keyring(), fail.Keyring | null.Keyring):
        return None
    return keyring


def pgpass_path() -> Path:
    configured = os.environ.get("PGPASSFILE")
    return Path(configured) if configured else Path.home() / ".pgpass"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(":", "\\:")


def remember(target: str) -> tuple[str, str]:
    """Keep the password of the URL ``target`` (if it has one) and return
    (``target`` without it, where it went: ``keyring``, a ``.pgpass`` path or ``""``)."""
    if "://" not in target:
        return target, ""
    url = make_url(target)
    if url.password is None or url.get_backend_name() != "postgresql":
        return target, ""
    password = str(url.password)
    stripped = url._replace(password=None).render_as_string(hide_password=False)
    keyring = _keyring()
    if keyring is not None:
        try:
            keyring.set_password(SERVICE, key(url), password)
            return stripped, "keyring"
        except Exception:  # noqa: BLE001 - a locked or broken keyring: use .pgpass
            pass
    path = pgpass_path()
    line = ":".join(
        _escape(part)
        for part in (
            url.host or "localhost",
            str(url.port or 5432),
            url.database or "*",
            url.username or "*",
            password,
        )
    )
    prefix = line.rsplit(":", 1)[0] + ":"
    lines = path.read_text().splitlines() if path.exists() else []
    kept = [existing for existing in lines if not existing.startswith(prefix)]
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write("\n".join([*kept, line]) + "\n")
    os.chmod(path, 0o600)
    return stripped, str(path)


def recall(url: URL) -> str | None:
    """The keyring's password for ``url``'s login, if it keeps one (else None: libpq
    still looks in ``~/.pgpass`` and the service file itself)."""
    if url.password is not None:
        return None
    keyring = _keyring()
    if keyring is None:
        return None
    try:
        return keyring.get_password(SERVICE, key(url))
    except Exception:  # noqa: BLE001 - a locked keyring: libpq may still find one
        return None


def forget(url: URL) -> None:
    """Drop a stored password (a wrong one, after a refused log-in)."""
    keyring = _keyring()
    if keyring is None:
        return
    try:
        keyring.delete_password(SERVICE, key(url))
    except Exception:  # noqa: BLE001 - nothing stored
        pass
