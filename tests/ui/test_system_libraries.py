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
