"""What a person chose for decks, kept in their settings: branding, period, sections, format.

Branding (firm name, accent colour, logo) is set once in Edit > Preferences and put on
every deck; the period, sections and format last chosen are offered again next time.
All of it is read back through the core's checks (``Branding``, ``parse_sections``), so
a logo file deleted since it was chosen is a one-line message, never a broken deck.
"""

from __future__ import annotations

from pathlib import Path

from portfolio.decks.options import (
    DEFAULT_ACCENT,
    FORMATS,
    SECTIONS,
    Branding,
    DeckOptions,
    parse_sections,
)
from portfolio.errors import ValidationError
from ui.settings import Settings

FIRM_KEY = "deck/firm"
ACCENT_KEY = "deck/accent"
LOGO_KEY = "deck/logo"
PERIOD_KEY = "deck/period"
SECTIONS_KEY = "deck/sections"
FORMAT_KEY = "deck/format"
FOLDER_KEY = "deck/folder"
DEFAULT_FIRM = "Portfolio"


def stored_branding(settings: Settings) -> tuple[str, str, str]:
    """(firm, accent, logo path or "") as stored, unchecked, for a form to show."""
    firm = str(settings.value(FIRM_KEY, "") or "").strip()
    accent = str(settings.value(ACCENT_KEY, "") or "").strip()
    logo = str(settings.value(LOGO_KEY, "") or "").strip()
    return firm or DEFAULT_FIRM, accent or DEFAULT_ACCENT, logo


def check_branding(firm: str, accent: str, logo: str) -> Branding:
    """The core's ``Branding`` for these values; raises ``ValidationError`` naming the field."""
    return Branding(firm=firm, accent=accent, logo=Path(logo) if logo else None)


def branding(settings: Settings) -> Branding:
    """The branding every deck gets; raises ``ValidationError`` if the stored one is stale."""
    return check_branding(*stored_branding(settings))


def save_branding(settings: Settings, chosen: Branding) -> None:
    settings.set_value(FIRM_KEY, chosen.firm)
    settings.set_value(ACCENT_KEY, chosen.accent)
    settings.set_value(LOGO_KEY, str(chosen.logo) if chosen.logo else "")


def stored_options(settings: Settings) -> tuple[str, tuple[str, ...], str]:
    """(period, sections, format) last used; anything unreadable falls back to the default."""
    period = str(settings.value(PERIOD_KEY, "ytd") or "ytd")
    try:
        sections = parse_sections(str(settings.value(SECTIONS_KEY, "") or ""))
    except ValidationError:
        sections = tuple(SECTIONS)
    extension = str(settings.value(FORMAT_KEY, "pdf") or "pdf")
    return period, sections, extension if extension in FORMATS else "pdf"


def save_options(settings: Settings, options: DeckOptions, extension: str) -> None:
    settings.set_value(PERIOD_KEY, options.period)
    settings.set_value(SECTIONS_KEY, ",".join(options.sections))
    settings.set_value(FORMAT_KEY, extension)


def last_folder(settings: Settings) -> Path:
    folder = Path(str(settings.value(FOLDER_KEY, "") or Path.home()))
    return folder if folder.is_dir() else Path.home()


def remember_folder(settings: Settings, folder: Path) -> None:
    settings.set_value(FOLDER_KEY, str(folder))
