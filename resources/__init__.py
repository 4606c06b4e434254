"""Files Portfolio ships beside its code: the deck fonts (with their licence) and the icons.

``resources`` is a small package whose files are package data, so they travel inside
the wheel next to the code and are found the same way everywhere, relative to this
file: in a source checkout, after ``pip install -e .`` (this file is the one in the
source tree) and after a normal install (the copy in site-packages). Setuptools'
``data-files`` were the alternative, but they land under ``sys.prefix/share``, which
differs between virtual environments, ``--user`` installs and platforms, so the code
could not find them without guessing. Wheels are installed unpacked, so these are real
files that reportlab and Qt can open by path.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent
#: DejaVu Sans, regular and bold, and its licence (``LICENSE-DejaVu.txt``).
FONTS = ROOT / "fonts"
#: Line icons (SVG) for the desktop app.
ICONS = ROOT / "icons"
