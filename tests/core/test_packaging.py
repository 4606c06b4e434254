"""What a normal (non-editable) install carries: code, migrations, fonts, licence, icons.

Fonts and icons used to be found relative to the source tree, so an installed copy had
none. They now live in the small ``resources`` package as package data; these tests read
the build configuration the way setuptools does and check that every file the code can
look up would be in the wheel.
"""

from __future__ import annotations

import warnings

from setuptools.config.pyprojecttoml import read_configuration

import resources
from tests.conftest import ROOT_DIR


def setuptools_config() -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # older setuptools call [tool.setuptools] "beta"
        config = read_configuration(ROOT_DIR / "pyproject.toml", expand=True)
    return config["tool"]["setuptools"]


def test_resources_is_an_installed_package_beside_the_code():
    found = setuptools_config()["packages"]  # the find directive, expanded as a build does
    assert {"portfolio", "ui", "resources"} <= set(found)
    assert not [name for name in found if name.startswith("tests")]


def test_every_font_licence_and_icon_is_package_data():
    patterns = setuptools_config()["package-data"]["resources"]
    packaged = {path for pattern in patterns for path in resources.ROOT.glob(pattern)}
    on_disk = {
        path
        for path in resources.ROOT.rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc")
    }
    assert packaged == on_disk
    names = {path.name for path in packaged}
    assert {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE-DejaVu.txt", "app.svg"} <= names


def test_fonts_and_icons_are_looked_up_in_the_resources_package():
    from portfolio.decks import fonts

    assert fonts.FONT_DIR == resources.FONTS
    assert (resources.FONTS / "DejaVuSans.ttf").is_file()
    assert (resources.ICONS / "clients.svg").is_file()
