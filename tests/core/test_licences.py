"""Help > About's list of what Portfolio runs on, read from the installed metadata."""

from __future__ import annotations

import sys
from email.message import Message

from portfolio import licences


def test_every_run_time_dependency_is_listed_with_a_licence():
    parts = {part.name.lower().replace("_", "-"): part for part in licences.components()}
    assert licences.components()[0].name == "Python"
    # Direct requirements, one asked for through an extra, and one found transitively.
    for name in ("pyside6-essentials", "sqlalchemy", "psycopg-binary", "shiboken6", "mako"):
        assert name in parts, name
    assert "LGPL" in parts["pyside6-essentials"].licence
    assert all(part.licence for part in parts.values())
    assert "pytest" not in parts  # a test extra is not part of the app


class _Dist:
    def __init__(self, **fields: str | list[str]) -> None:
        self.metadata = Message()
        for key, value in fields.items():
            for item in value if isinstance(value, list) else [value]:
                self.metadata[key.replace("_", "-")] = item


def test_a_licence_is_its_spdx_expression_then_a_short_licence_field_then_a_classifier():
    assert licences.licence_of(_Dist(License_Expression="MIT", License="long text")) == "MIT"
    assert licences.licence_of(_Dist(License="BSD-3-Clause")) == "BSD-3-Clause"
    classifier = "License :: OSI Approved :: BSD License"
    long_text = "BSD license (see license.txt for details), Copyright (c) 2000-2024 ReportLab"
    assert licences.licence_of(_Dist(License=long_text, Classifier=[classifier])) == "BSD License"
    assert licences.licence_of(_Dist()) == "see its licence file"


def test_the_licence_texts_folder_is_the_bundles(tmp_path, monkeypatch):
    assert licences.licence_folder() is None  # not frozen: the texts are in site-packages
    (tmp_path / "licenses").mkdir()
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert licences.licence_folder() == tmp_path / "licenses"
