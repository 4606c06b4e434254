"""Portfolio-wide settings stored in the database, shared by everyone who opens it.

Per-user preferences (window layout, firm logo on this laptop) belong to the desktop
app's ``QSettings``; what must be the same for the whole team (the base currency that
roll-ups are shown in) lives here.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portfolio.model import Setting
from portfolio.money import check_currency

BASE_CURRENCY = "base_currency"


def get_setting(session: Session, key: str, default: str | None = None) -> str | None:
    value = session.execute(select(Setting.value).where(Setting.key == key)).scalar()
    return default if value is None else value


def set_setting(session: Session, key: str, value: str) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def base_currency(session: Session) -> str:
    """The currency that roll-ups across clients of different currencies are shown in."""
    return get_setting(session, BASE_CURRENCY, "USD") or "USD"


def set_base_currency(session: Session, code: str) -> None:
    set_setting(session, BASE_CURRENCY, check_currency(code, "base currency"))
