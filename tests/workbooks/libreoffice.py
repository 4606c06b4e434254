"""Driving LibreOffice headless: recalculating workbooks and re-saving them.

LibreOffice's default for .xlsx files is to trust the results stored with formulas. A
test that wants the formulas *computed* runs it with a scratch profile whose
"recalculate on load" setting is "always", so every formula is evaluated by its engine.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""
# Comma separated, UTF-8, raw values (not as shown), every sheet to its own file.
_CSV_ALL_SHEETS = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def require_soffice() -> str:
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs it")
    return SOFFICE


def _run(source: Path, target_format: str, outdir: Path) -> None:
    soffice = require_soffice()
    profile = outdir / "profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE)
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            target_format,
            "--outdir",
            str(outdir),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"soffice failed: {result.stderr}")


def recalculated_sheets(workbook: Path, outdir: Path) -> dict[str, list[list[str]]]:
    """Every sheet of ``workbook`` as LibreOffice computes it: sheet title -> CSV rows."""
    outdir.mkdir(parents=True, exist_ok=True)
    _run(workbook, _CSV_ALL_SHEETS, outdir)
    sheets = {}
    prefix = f"{workbook.stem}-"
    for path in outdir.glob(f"{workbook.stem}-*.csv"):
        with path.open(newline="", encoding="utf-8") as handle:
            sheets[path.stem[len(prefix) :]] = list(csv.reader(handle))
    if not sheets:
        raise AssertionError(f"LibreOffice wrote no CSV for {workbook}")
    return sheets


def resaved_xlsx(workbook: Path, outdir: Path) -> Path:
    """``workbook`` opened and saved again by LibreOffice (recalculated), as .xlsx."""
    outdir.mkdir(parents=True, exist_ok=True)
    _run(workbook, "xlsx:Calc MS Excel 2007 XML", outdir)
    return outdir / f"{workbook.stem}.xlsx"
