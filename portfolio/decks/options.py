"""What a person chooses about a deck: sections, branding and the output format.

The desktop app fills ``Branding`` from its settings (firm name, logo, accent colour);
the command line takes options or the defaults. Everything is checked here, so a bad
colour or a missing logo is a one-line message before any work starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from portfolio.errors import ValidationError

#: Section key -> title, in deck order. The title slide is always there.
SECTIONS: dict[str, str] = {
    "agenda": "Agenda",
    "summary": "Executive summary",
    "monthly": "Budget, forecast and actual by month",
    "variance": "Variance by campaign",
    "makeup": "Making up the negative variance",
    "results": "Campaign results and trends",
    "service": "Service levels",
    "satisfaction": "Satisfaction",
    "opportunities": "Opportunities",
    "deadlines": "Upcoming deadlines and materials",
    "next_steps": "Next steps",
    "appendix": "Appendix: detail by campaign and month",
}

FORMATS = ("pdf", "pptx")
DEFAULT_ACCENT = "#1F5F8B"
#: Longer firm names would not fit the title slide's and the footer's line.
FIRM_LIMIT = 80
_COLOUR = re.compile(r"^#?([0-9a-fA-F]{6})$")


def parse_sections(text: str | None) -> tuple[str, ...]:
    """``summary,monthly,...`` -> the sections in deck order; empty or None means all."""
    if not text or not text.strip():
        return tuple(SECTIONS)
    wanted = [part.strip().lower().replace("-", "_") for part in text.split(",") if part.strip()]
    unknown = [name for name in wanted if name not in SECTIONS]
    if unknown:
        raise ValidationError(
            "sections",
            f"{', '.join(repr(n) for n in unknown)} not known (use {', '.join(SECTIONS)})",
        )
    return tuple(name for name in SECTIONS if name in wanted)


def parse_colour(text: str | None, field_name: str = "accent colour") -> str:
    """``#1f5f8b`` or ``1F5F8B`` -> ``#1F5F8B``."""
    match = _COLOUR.match((text or "").strip())
    if not match:
        raise ValidationError(field_name, f"{text!r} is not a colour (use #RRGGBB)")
    return "#" + match.group(1).upper()


@dataclass(frozen=True)
class Branding:
    firm: str = "Portfolio"
    accent: str = DEFAULT_ACCENT
    logo: Path | None = None

    def __post_init__(self) -> None:
        firm = " ".join(str(self.firm or "").split())
        if not firm:
            raise ValidationError("firm name", "give the name to print on the slides")
        if len(firm) > FIRM_LIMIT:
            raise ValidationError("firm name", f"keep it to {FIRM_LIMIT} characters")
        object.__setattr__(self, "firm", firm)
        object.__setattr__(self, "accent", parse_colour(self.accent))
        if self.logo is not None:
            logo = Path(self.logo).expanduser()
            if not logo.is_file():
                raise ValidationError("logo", f"{logo} is not a file")
            if logo.suffix.lower() not in (".png", ".jpg", ".jpeg"):
                raise ValidationError("logo", f"{logo.name}: use a PNG or JPEG image")
            object.__setattr__(self, "logo", logo)


@dataclass(frozen=True)
class DeckOptions:
    #: ``ytd``, ``fy``, ``2026``, ``2026-Q3`` or ``2026-07``; read in the client's fiscal year.
    period: str = "ytd"
    sections: tuple[str, ...] = field(default_factory=lambda: tuple(SECTIONS))
    branding: Branding = field(default_factory=Branding)
    #: Use installed system fonts for scripts the bundled font lacks.
    system_fonts: bool = True


def format_of(path: str | Path) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ValidationError("output", f"{Path(path).name}: the file must end in .pdf or .pptx")
    return suffix
