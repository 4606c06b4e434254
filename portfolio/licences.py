"""What Portfolio is built from and each part's licence, for Help > About.

The list is read from the installed distributions' metadata (``importlib.metadata``),
starting at Portfolio's own requirements and following theirs, so it follows
``pyproject.toml`` by itself and reads the same in a virtual environment and in the
bundled app (``packaging/portfolio.spec`` copies each of these distributions' metadata
and licence files into the bundle, and the bundle's ``licenses`` folder holds the rest:
Python's licence, the LGPL that Qt is used under, and the copyright files of the system
libraries it carries).
"""

from __future__ import annotations

import platform
import re
import sys
from dataclasses import dataclass
from importlib.metadata import Distribution, PackageNotFoundError, distribution
from pathlib import Path

APP = "portfolio"
_REQUIREMENT = re.compile(r"\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[(?P<extras>[^\]]*)\])?")
_EXTRA = re.compile(r";.*\bextra\s*==\s*[\"'](?P<extra>[^\"']+)[\"']")


@dataclass(frozen=True)
class Component:
    name: str
    version: str
    licence: str


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def dependency_distributions(name: str = APP) -> list[Distribution]:
    """The installed distributions ``name`` needs at run time, in order of name.

    Extras count where they are asked for (``psycopg[binary]`` brings ``psycopg-binary``).
    A requirement that is not installed (one whose environment marker excludes this
    machine, say) is skipped: what is listed is what is really there.
    """
    found: dict[str, Distribution] = {}
    visited: set[tuple[str, str]] = set()

    def visit(requirement: str) -> None:
        match = _REQUIREMENT.match(requirement)
        if match is None:
            return
        key = _key(match["name"])
        extras = {"", *(_key(e) for e in (match["extras"] or "").split(",") if e.strip())}
        if all((key, extra) in visited for extra in extras):
            return
        visited.update((key, extra) for extra in extras)
        try:
            dist = found.get(key) or distribution(match["name"])
        except PackageNotFoundError:
            return
        found[key] = dist
        for needed in dist.requires or []:
            extra = _EXTRA.search(needed)
            if extra is None or _key(extra["extra"]) in extras:
                visit(needed)

    visit(name)
    found.pop(_key(name), None)
    return sorted(found.values(), key=lambda dist: dist.metadata["Name"].lower())


def licence_of(dist: Distribution) -> str:
    """A distribution's licence in a few words: its SPDX expression where it has one."""
    metadata = dist.metadata
    expression = metadata.get("License-Expression")
    if expression:
        return expression
    declared = (metadata.get("License") or "").strip()
    if declared and len(declared) <= 60 and "\n" not in declared:
        return declared
    classifiers = [
        text.split(" :: ")[-1]
        for text in metadata.get_all("Classifier") or []
        if text.startswith("License ::")
    ]
    if classifiers:
        return " / ".join(classifiers)
    if declared:
        return declared.splitlines()[0].split("(")[0].strip()[:60]
    return "see its licence file"


def components() -> list[Component]:
    """Everything Portfolio runs on, with versions and licences, Python first."""
    listed = [Component("Python", platform.python_version(), "PSF-2.0")]
    for dist in dependency_distributions():
        listed.append(Component(dist.metadata["Name"], dist.version, licence_of(dist)))
    listed.append(Component("DejaVu Sans (deck font)", "", "Bitstream Vera and Arev font licence"))
    return listed


def licence_folder() -> Path | None:
    """The bundle's folder of licence texts; None when running from a Python install."""
    if not getattr(sys, "frozen", False):
        return None
    folder = Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)) / "licenses"
    return folder if folder.is_dir() else None
