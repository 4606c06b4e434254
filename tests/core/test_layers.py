"""The core runs headless: nothing under portfolio/ imports Qt or the desktop app."""

import ast
import subprocess
import sys

from tests.conftest import ROOT_DIR

FORBIDDEN = ("PySide6", "shiboken6", "ui")


def test_no_core_module_imports_qt_or_ui():
    offenders = []
    for path in (ROOT_DIR / "portfolio").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
                names = [arg.value for arg in node.args if isinstance(arg, ast.Constant)]
            for name in names:
                if name.split(".")[0] in FORBIDDEN:
                    offenders.append(f"{path.relative_to(ROOT_DIR)}:{node.lineno} {name}")
    assert offenders == []


def test_importing_every_core_module_and_running_the_cli_loads_no_qt():
    code = (
        "import importlib, pkgutil, sys, portfolio\n"
        "for info in pkgutil.walk_packages(portfolio.__path__, 'portfolio.'):\n"
        "    if '.migrations' not in info.name and not info.name.endswith('__main__'):\n"
        "        importlib.import_module(info.name)\n"
        "from portfolio.cli import main\n"
        "main(['variance', '--help'])\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'ui')]\n"
        "print('LOADED', loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT_DIR, check=True
    )
    assert "LOADED []" in result.stdout
