"""The system libraries Qt loads on Linux, and what to say when one is missing.

Qt itself comes with PySide6 (or inside the bundled app); a few libraries come from the
system. Without one, Qt aborts with "could not load the Qt platform plugin xcb" (naming
a library that is often not the one missing) or Python fails to import Qt at all; both
read like a broken install. Finding them first lets Portfolio say which Debian package
to install, in one line.

From a Python install, the X11 window needs the xcb utility libraries below, which a
fresh Debian lacks. The bundled app carries those (``packaging/build.py`` collects them
with Qt), so it looks in its own folder first; it cannot carry the ones that must match
the machine's display and graphics drivers (libxcb, libEGL, libGL: PyInstaller leaves
them out on purpose). Nothing here imports Qt, so it can explain a Qt that fails to load.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

#: Shared libraries Qt's X11 window needs beyond Qt's own, with the Debian package of each.
XCB_LIBRARIES = {
    "xcb": "libxcb1",
    "xcb-cursor": "libxcb-cursor0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-keysyms": "libxcb-keysyms1",
    "xcb-image": "libxcb-image0",
    "xcb-render-util": "libxcb-render-util0",
    "xcb-shape": "libxcb-shape0",
    "xcb-randr": "libxcb-randr0",
    "xcb-xkb": "libxcb-xkb1",
    "xkbcommon-x11": "libxkbcommon-x11-0",
}

#: Libraries Qt's own libraries load from the system (whatever the platform plugin),
#: by file name, with the Debian package of each (which brings what they load in turn).
QT_SYSTEM_LIBRARIES = {
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libxcb.so.1": "libxcb1",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
}

_MISSING_LIBRARY = re.compile(r"(lib[\w.+-]+?\.so[.\d]*): cannot open shared object file")


def bundled(name: str) -> bool:
    """Whether the bundled app carries ``lib{name}.so*`` (never, outside a bundle)."""
    return _in_bundle(f"lib{name}.so*")


def _in_bundle(pattern: str) -> bool:
    folder = getattr(sys, "_MEIPASS", None)
    if not getattr(sys, "frozen", False) or folder is None:
        return False
    return any(Path(folder).glob(pattern))


def _system_libraries() -> set[str] | None:
    """File names of the shared libraries the dynamic loader knows (``ldconfig -p``)."""
    import subprocess

    for ldconfig in ("/sbin/ldconfig", "/usr/sbin/ldconfig"):
        if Path(ldconfig).exists():
            break
    else:
        return None
    try:
        listing = subprocess.run(
            [ldconfig, "-p"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return {line.split()[0] for line in listing.splitlines()[1:] if line.strip()}


def missing_qt_packages() -> list[str]:
    """Debian packages of the system libraries Qt loads that this Linux lacks."""
    present = _system_libraries()
    if present is None:
        return []
    return [
        package
        for library, package in QT_SYSTEM_LIBRARIES.items()
        if library not in present and not _in_bundle(library)
    ]


def missing_window_packages() -> list[str]:
    """Debian packages Qt's X11 window needs that this Linux lacks (empty elsewhere)."""
    from ctypes.util import find_library

    if not sys.platform.startswith("linux"):
        return []
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return []
    if not platform and os.environ.get("WAYLAND_DISPLAY"):
        return []
    return [
        package
        for name, package in XCB_LIBRARIES.items()
        if not bundled(name) and find_library(name) is None
    ]


def explain_missing(packages: list[str]) -> str:
    return (
        "Portfolio cannot open its window: this Linux lacks system libraries that Qt "
        f"needs to draw windows ({', '.join(packages)}).\n"
        f"On Debian or Ubuntu install them with:\n  sudo apt install {' '.join(packages)}\n"
        "then start Portfolio again. The commands (portfolio --help) work without them."
    )


def explain_import_error(error: ImportError) -> str | None:
    """What to install when Qt failed to load for want of a system library; else None.

    Names every library Qt loads from the system that is missing, not only the one
    the loader tripped on first, so one ``apt install`` is enough.
    """
    found = _MISSING_LIBRARY.search(str(error))
    if found is None:
        return None
    library = found.group(1)
    package = QT_SYSTEM_LIBRARIES.get(library)
    if package is None:
        return (
            f"Portfolio cannot open its window: this system lacks {library}, which Qt "
            "needs. Install the package that provides it (on Debian or Ubuntu, "
            f"`apt-file search {library}` names it), then start Portfolio again. The "
            "commands (portfolio --help) work without it."
        )
    others = [other for other in missing_qt_packages() if other != package]
    return explain_missing([package, *others])
