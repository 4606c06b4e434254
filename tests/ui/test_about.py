"""Help > About: the version, and what the app runs on with each licence (issue 16)."""

from __future__ import annotations

from portfolio import __version__


def test_about_names_the_version_and_the_licence_of_everything_bundled(window):
    box = window.about_box()
    assert box.text() == f"Portfolio {__version__}"
    assert window.workspace.database.name in box.informativeText()
    details = box.detailedText()
    assert "PySide6_Essentials" in details and "LGPL-3.0" in details
    assert "SQLAlchemy" in details and "reportlab" in details
    box.deleteLater()
