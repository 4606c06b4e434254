"""The deck's look, shared by the PDF and PowerPoint writers: page, type scale, colours.

Series colours are fixed (budget, forecast and actual read the same on every chart of
every client's deck); the firm's accent colour is used for the title band and rules,
never for data, so a firm in red does not make every bar look unfavourable.
"""

from __future__ import annotations

from dataclasses import dataclass

#: 16:9 in points: 13.333 x 7.5 inches, the size PowerPoint calls "Widescreen".
PAGE_WIDTH = 960.0
PAGE_HEIGHT = 540.0
MARGIN = 40.0
TITLE_TOP = 34.0  # from the top edge to the title's baseline area
CONTENT_TOP = 92.0  # from the top edge to where content starts
FOOTER_HEIGHT = 30.0

#: Type scale (points): one step per level, nothing in between.
SIZE_TITLE_SLIDE = 34
SIZE_SLIDE_TITLE = 22
SIZE_SUBTITLE = 11
SIZE_BODY = 12
SIZE_KPI_VALUE = 20
SIZE_KPI_LABEL = 9
SIZE_TABLE = 8.5
SIZE_SMALL = 8
SIZE_FOOTER = 7.5

INK = "#1F2933"
MUTED = "#616E7C"
RULE = "#CBD2D9"
BAND = "#F5F7FA"
GOOD = "#1B7F3B"
BAD = "#B42318"

#: Data colours: the same role, the same colour, everywhere.
SERIES_COLOURS = {
    "budget": "#9AA5B1",
    "forecast": "#7BAFD4",
    "actual": "#1F3A5F",
    "cumulative_budget": "#7B8794",
    "cumulative_outlook": "#D97706",
    "previous": "#9AA5B1",
}

TONE_COLOURS = {"good": GOOD, "bad": BAD, "neutral": INK}


@dataclass(frozen=True)
class Rgb:
    red: int
    green: int
    blue: int

    @classmethod
    def of(cls, hex_colour: str) -> Rgb:
        value = hex_colour.lstrip("#")
        return cls(int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))

    def mix(self, other: Rgb, share: float) -> Rgb:
        """This colour moved ``share`` of the way towards ``other`` (for tints)."""
        return Rgb(
            round(self.red + (other.red - self.red) * share),
            round(self.green + (other.green - self.green) * share),
            round(self.blue + (other.blue - self.blue) * share),
        )

    @property
    def hex(self) -> str:
        return f"#{self.red:02X}{self.green:02X}{self.blue:02X}"


def tint(hex_colour: str, share: float) -> str:
    """A lighter version of ``hex_colour`` (``share`` of the way to white)."""
    return Rgb.of(hex_colour).mix(Rgb(255, 255, 255), share).hex
