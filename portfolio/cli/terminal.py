"""Text for a terminal: control characters in names and file contents shown escaped.

A client named ``"Acme\\x1b]0;pwned\\x07"`` or a spreadsheet cell holding ``"\\x1b[2J"``
must not drive the terminal that prints it (clear the screen, set the title, hide the
rest of a line, or, through a bidirectional override, show text in another order than
it is stored). Everything the command line prints for people goes through
``SafeStream``, which shows each such character as a Python-style escape (``\\x1b``,
``\\u202e``); an error message is also kept on one line (``one_line``).

Source: the C0 and C1 control characters (Unicode category Cc) and the bidirectional
formatting characters of Unicode's UAX #9 (the "Trojan Source" characters, CVE-2021-42574).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

#: C0 (but tab and newline, which the caller decides about), DEL, C1, and the bidi
#: embedding, override and isolate controls and marks.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_IN_A_LINE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(text: str) -> str:
    """``text`` with control characters escaped; newlines and tabs kept."""
    return _UNSAFE.sub(_escaped, text)


def one_line(text: str) -> str:
    """``text`` as one line: newlines and tabs escaped too (for a message or a cell)."""
    return _UNSAFE_IN_A_LINE.sub(_escaped, text)


class SafeStream:
    """A text stream that escapes control characters on their way to ``raw``.

    ``exact`` is the stream to write data formats to (CSV): the raw stream when it is
    a file or a pipe, where the bytes must be the data's, and this one on a terminal.
    """

    def __init__(self, raw: TextIO) -> None:
        self.raw = raw

    def write(self, text: str) -> int:
        self.raw.write(escape(text))
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    @property
    def exact(self) -> TextIO:
        return self if self.isatty() else self.raw

    def isatty(self) -> bool:
        try:
            return self.raw.isatty()
        except (AttributeError, ValueError):
            return False

    def __getattr__(self, name: str):
        return getattr(self.raw, name)


def raw(stream: TextIO) -> TextIO:
    """The stream under a ``SafeStream`` (for output that is ours alone, like progress)."""
    return stream.raw if isinstance(stream, SafeStream) else stream


@contextmanager
def safe_streams() -> Iterator[None]:
    """``sys.stdout`` and ``sys.stderr`` as ``SafeStream`` for the duration."""
    saved = sys.stdout, sys.stderr
    if not isinstance(sys.stdout, SafeStream):
        sys.stdout = SafeStream(sys.stdout)
    if not isinstance(sys.stderr, SafeStream):
        sys.stderr = SafeStream(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved
