"""Saying which Debian package to install when Qt lacks a system library (issue 16).

Why: on a fresh Debian the window did not open, and Qt's message named the wrong
library. The bundled app carries the xcb helpers itself, so it must not ask for them.
"""

from __future__ import annotations

import argparse
import importlib.abc
import sys

import pytest

from ui import system_libraries


@pytest.fixture
def x11(monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")


def test_a_python_install_asks_for_every_missing_xcb_library(x11, monkeypatch):
    monkeypatch.setattr("ctypes.util.find_library", lambda name: None)
    missing = system_libraries.missing_window_packages()
    assert missing == list(system_libraries.XCB_LIBRARIES.values())
    assert "sudo apt install libxcb1 libxcb-cursor0" in system_libraries.explain_missing(missing)


def test_the_bundle_asks_only_for_what_it_does_not_carry(x11, monkeypatch, tmp_path):
    for carried in ("libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxkbcommon-x11.so.0"):
        (tmp_path / carried).write_bytes(b"")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    monkeypatch.setattr("ctypes.util.find_library", lambda name: None)
    missing = system_libraries.missing_window_packages()
    assert "libxcb-cursor0" not in missing and "libxkbcommon-x11-0" not in missing
    assert "libxcb1" in missing  # the one PyInstaller leaves to the system


def test_offscreen_and_wayland_need_no_xcb(monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setattr("ctypes.util.find_library", lambda name: None)
    assert system_libraries.missing_window_packages() == []


def test_a_qt_that_cannot_load_a_system_library_names_its_package():
    error = ImportError("libEGL.so.1: cannot open shared object file: No such file or directory")
    assert "sudo apt install libegl1" in system_libraries.explain_import_error(error)
    error = ImportError("libfoo.so.3: cannot open shared object file: No such file or directory")
    assert "apt-file search libfoo.so.3" in system_libraries.explain_import_error(error)
    assert system_libraries.explain_import_error(ImportError("No module named 'x'")) is None


def test_every_missing_qt_library_is_named_at_once(monkeypatch):
    """A fresh Debian lacked libGL, then libEGL: one message should name both."""
    monkeypatch.setattr(system_libraries, "missing_qt_packages", lambda: ["libgl1", "libegl1"])
    error = ImportError("libGL.so.1: cannot open shared object file: No such file or directory")
    assert "sudo apt install libgl1 libegl1\n" in system_libraries.explain_import_error(error)


def test_missing_qt_libraries_are_read_from_the_loader_cache(monkeypatch):
    known = set(system_libraries.QT_SYSTEM_LIBRARIES) - {"libEGL.so.1"}
    monkeypatch.setattr(system_libraries, "_system_libraries", lambda: known)
    assert system_libraries.missing_qt_packages() == ["libegl1"]


class _BrokenQt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "ui.app":
            raise ImportError("libEGL.so.1: cannot open shared object file: No such file")
        return None


def test_starting_the_window_without_libegl_says_what_to_install(monkeypatch, capsys):
    import main

    monkeypatch.delitem(sys.modules, "ui.app", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_BrokenQt(), *sys.meta_path])
    assert main.launch_desktop(argparse.Namespace(command=None)) == 1
    assert "sudo apt install libegl1" in capsys.readouterr().err


def test_a_system_without_fonts_draws_with_the_bundled_deck_font(monkeypatch):
    """Why: on a minimal Debian without fonts every character was an empty box."""
    from PySide6.QtGui import QFontDatabase

    from resources import FONTS
    from ui.app import ensure_a_font

    class NoFont:  # what Qt reports when fontconfig finds no font
        def __init__(self, font) -> None:
            pass

        def family(self) -> str:
            return ""

    added: list[str] = []
    monkeypatch.setattr("PySide6.QtGui.QFontInfo", NoFont)
    monkeypatch.setattr(QFontDatabase, "addApplicationFont", staticmethod(added.append))
    ensure_a_font()
    assert added == [str(path) for path in sorted(FONTS.glob("*.ttf"))]
    assert str(FONTS / "DejaVuSans.ttf") in added
