"""Build the bundled desktop app: ``python packaging/build.py [--smoke]``.

1. Installs the project (``pip install ".[bundle]"``, not editable) into a virtual
   environment of its own, ``build/bundle/venv``, so the bundle holds this checkout's
   code and the project's run-time dependencies, nothing else from the machine.
2. Renders the app icon to PNG and runs PyInstaller on ``packaging/portfolio.spec``:
   ``dist/Portfolio/`` (``Portfolio.app`` as well on macOS), started by ``Portfolio``.
3. Checks that every module and every package-data file of the source tree is inside.
4. On Linux adds the desktop entry, its icon and ``install-desktop-entry.sh``; writes
   the archive users download (``.tar.gz`` on Linux, ``.zip`` elsewhere).
5. Prints the bundle's and the archive's size, and times the start to the first
   painted rows, bundle against ``portfolio`` from the virtual environment, cold (the
   files of each evicted from the page cache first) and warm; fails when the bundle is
   slower than ``--max-start-ratio`` (1.5) times the virtual environment.
6. With ``--smoke``, runs ``packaging/smoke.py`` on the archive.

Uses the Python that runs it (3.11 or newer) for the virtual environment.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
BUILD = ROOT / "build" / "bundle"
DIST = ROOT / "dist"
NAME = "Portfolio"
WINDOWS = sys.platform == "win32"
MACOS = sys.platform == "darwin"


def say(message: str) -> None:
    print(f"build: {message}", flush=True)


def run(command: list, **options) -> None:
    say("$ " + " ".join(str(part) for part in command))
    subprocess.run([str(part) for part in command], check=True, **options)


def version() -> str:
    tree = ast.parse((ROOT / "portfolio" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "__version__":
            return ast.literal_eval(node.value)
    raise SystemExit("build: portfolio/__init__.py has no __version__")


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if WINDOWS else "bin/python")


def prepare_venv(venv: Path) -> Path:
    """The build's own environment, with this checkout installed (not editable)."""
    python = venv_python(venv)
    if not python.exists():
        run([sys.executable, "-m", "venv", venv])
    # setuptools builds in the checkout and would put modules deleted since the last
    # build (still in build/lib) into the wheel.
    for stale in (ROOT / "build").glob("lib*"):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in (ROOT / "build").glob("bdist.*"):
        shutil.rmtree(stale, ignore_errors=True)
    quiet = ["--quiet", "--disable-pip-version-check"]
    run([python, "-m", "pip", "install", *quiet, f"{ROOT}[bundle]"])
    # pip keeps an installed version it thinks is the same; the code may not be.
    run([python, "-m", "pip", "install", *quiet, "--no-deps", "--force-reinstall", ROOT])
    return python


ICON_SCRIPT = """
import sys
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer
app = QGuiApplication(["icon"])
image = QImage(512, 512, QImage.Format.Format_ARGB32)
image.fill(Qt.GlobalColor.transparent)
painter = QPainter(image)
painter.setRenderHint(QPainter.RenderHint.Antialiasing)
QSvgRenderer(sys.argv[1]).render(painter)
painter.end()
sys.exit(0 if image.save(sys.argv[2]) else 1)
"""


def render_icon(python: Path, folder: Path) -> Path:
    """The app icon as a 512 px PNG; PyInstaller turns it into .ico and .icns."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "portfolio.png"
    source = ROOT / "resources" / "icons" / "app.svg"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    run([python, "-c", ICON_SCRIPT, source, target], env=env)
    shutil.copyfile(source, folder / "portfolio.svg")
    return target


def pyinstaller(python: Path, icons: Path) -> Path:
    env = {**os.environ, "PORTFOLIO_ICON_DIR": str(icons), "PORTFOLIO_VERSION": version()}
    shutil.rmtree(DIST / NAME, ignore_errors=True)
    shutil.rmtree(DIST / f"{NAME}.app", ignore_errors=True)
    command = [python, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN"]
    command += ["--distpath", DIST, "--workpath", BUILD / "work", PACKAGING / "portfolio.spec"]
    run(command, env=env)
    return DIST / NAME


def executable(bundle: Path) -> Path:
    return bundle / (f"{NAME}.exe" if WINDOWS else NAME)


def contents_folder(bundle: Path) -> Path:
    return bundle / "_internal"


CONTENTS_SCRIPT = """
import json, sys
from PyInstaller.archive.readers import CArchiveReader
reader = CArchiveReader(sys.argv[1])
pyz = reader.open_embedded_archive("PYZ.pyz")
print(json.dumps(sorted(pyz.toc)))
"""


def source_modules() -> set[str]:
    """Every module of the source tree the project ships, by dotted name."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = pyproject["tool"]["setuptools"]
    names = set(setuptools.get("py-modules", []))
    packages = {p.rstrip("*").rstrip(".") for p in setuptools["packages"]["find"]["include"]}
    for package in packages:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.relative_to(ROOT).parts:
                continue  # read by Alembic from files, checked with the package data
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            names.add(".".join(parts))
    return names


def check_contents(python: Path, bundle: Path) -> None:
    """Fail when a module or a package-data file of the source tree is not in the bundle."""
    output = subprocess.run(
        [str(python), "-c", CONTENTS_SCRIPT, str(executable(bundle))],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    frozen = set(json.loads(output))
    missing = sorted(source_modules() - frozen)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contents = contents_folder(bundle)
    files = 0
    for package, patterns in pyproject["tool"]["setuptools"]["package-data"].items():
        for pattern in patterns:
            for path in (ROOT / package).glob(pattern):
                files += 1
                relative = path.relative_to(ROOT)
                if not (contents / relative).is_file():
                    missing.append(str(relative))
    if missing:
        raise SystemExit(f"build: not in the bundle: {', '.join(missing)}")
    say(f"the bundle holds all {len(source_modules())} modules and {files} data files")


def add_linux_files(bundle: Path, icons: Path) -> None:
    """The desktop entry, its icon and the script that installs them for a user."""
    shutil.copyfile(icons / "portfolio.svg", bundle / "portfolio.svg")
    shutil.copyfile(PACKAGING / "linux" / "portfolio.desktop", bundle / "portfolio.desktop")
    script = bundle / "install-desktop-entry.sh"
    shutil.copyfile(PACKAGING / "linux" / "install-desktop-entry.sh", script)
    script.chmod(0o755)


def platform_tag() -> str:
    system = {"win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform)
    machine = platform.machine().lower().replace("amd64", "x86_64")
    return f"{system}-{machine}"


def archive_path() -> Path:
    extension = ".zip" if WINDOWS or MACOS else ".tar.gz"
    return DIST / f"{NAME}-{version()}-{platform_tag()}{extension}"


def make_archive(bundle: Path) -> Path:
    """What users download: the folder (the .app on macOS), unpacked as ``Portfolio...``."""
    target = archive_path()
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    if MACOS:
        # ditto keeps the symlinks and extended attributes a signed .app relies on.
        run(["ditto", "-c", "-k", "--keepParent", DIST / f"{NAME}.app", partial])
    elif WINDOWS:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            for path in sorted(bundle.rglob("*")):
                archive.write(path, path.relative_to(bundle.parent))
    else:
        with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
            archive.add(bundle, arcname=bundle.name)
    partial.replace(target)
    return target


def folder_size(folder: Path) -> tuple[int, int]:
    total = count = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            total += path.stat().st_size
            count += 1
    return total, count


def megabytes(size: int) -> str:
    return f"{size / 1e6:,.1f} MB"


# -- start-up -------------------------------------------------------------------------


def evict(folders: list[Path]) -> None:
    """Drop the files under ``folders`` from the page cache: the next start reads the disk.

    ``posix_fadvise(DONTNEED)`` needs no privileges; it leaves pages a running process
    has mapped, which is none of these between two starts.
    """
    if not hasattr(os, "posix_fadvise"):
        return
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and not path.is_symlink():
                try:
                    descriptor = os.open(path, os.O_RDONLY)
                except OSError:
                    continue
                try:
                    os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
                finally:
                    os.close(descriptor)


def timed_start(command: list, scratch: Path) -> float:
    """Seconds from starting ``command`` to its first budget rows painted (fresh settings)."""
    config = Path(tempfile.mkdtemp(dir=scratch))
    (config / NAME).mkdir()
    (config / NAME / f"{NAME}.ini").write_text("[v1]\nlast_view=budgets\n", encoding="utf-8")
    report = config / "painted.json"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(config),
        "XDG_DATA_HOME": str(config / "data"),
        "PORTFOLIO_STARTUP_PROBE": str(report),
    }
    begun = time.time()
    result = subprocess.run(
        [str(part) for part in command], env=env, capture_output=True, text=True, timeout=300
    )
    if result.returncode != 0 or not report.exists():
        raise SystemExit(f"build: {command[0]} did not start:\n{result.stderr[-3000:]}")
    return json.loads(report.read_text(encoding="utf-8"))["painted_at"] - begun


def start_times(python: Path, bundle: Path, runs: int, limit: float) -> bool:
    """Print the start to the first painted rows, bundle against the virtual environment."""
    scratch = Path(tempfile.mkdtemp(prefix="portfolio-start-"))
    try:
        demo = scratch / "demo.sqlite3"
        subprocess.run(
            [str(executable(bundle)), "demo", str(demo)],
            check=True,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )
        base = subprocess.run(
            [str(python), "-c", "import sys, sysconfig; print(sysconfig.get_paths()['stdlib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        venv = python.parent.parent
        commands = {
            "bundle": ([executable(bundle), "--db", demo], [bundle]),
            # ``portfolio`` itself, plus the probe (entry.py is main.main and the probe).
            "venv": ([python, PACKAGING / "entry.py", "--db", demo], [venv, Path(base)]),
        }
        times: dict[tuple[str, str], list[float]] = {}
        for temperature in ("cold", "warm"):
            for command, _ in commands.values():
                timed_start(command, scratch)  # the first start writes caches (fontconfig)
            for index in range(runs):
                order = list(commands) if index % 2 == 0 else list(reversed(commands))
                for kind in order:
                    command, files = commands[kind]
                    if temperature == "cold":
                        evict(files)
                    seconds = timed_start(command, scratch)
                    times.setdefault((kind, temperature), []).append(seconds)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    ok = True
    for temperature in ("cold", "warm"):
        ours = statistics.median(times[("bundle", temperature)])
        venv = statistics.median(times[("venv", temperature)])
        ratio = ours / venv
        ok = ok and ratio <= limit
        say(
            f"start to first painted rows, {temperature}, median of {runs}: bundle "
            f"{ours:.2f} s, venv portfolio {venv:.2f} s: {ratio:.2f}x (limit {limit}x)"
        )
        for kind in commands:
            each = ", ".join(f"{seconds:.2f}" for seconds in times[(kind, temperature)])
            say(f"  {kind} {temperature}: {each}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, default=BUILD / "venv")
    parser.add_argument("--runs", type=int, default=5, help="starts timed of each (default 5)")
    parser.add_argument("--max-start-ratio", type=float, default=1.5)
    parser.add_argument("--no-start", action="store_true", help="skip the start timing")
    parser.add_argument("--smoke", action="store_true", help="then run packaging/smoke.py")
    parser.add_argument(
        "--no-build", action="store_true", help="measure and test the bundle built last"
    )
    args = parser.parse_args()

    began = time.monotonic()
    python = venv_python(args.venv.resolve())
    bundle = DIST / NAME
    archive = archive_path()
    if not args.no_build:
        python = prepare_venv(args.venv.resolve())
        installed = time.monotonic()
        icons = render_icon(python, BUILD / "icons")
        bundle = pyinstaller(python, icons.parent)
        frozen = time.monotonic()
        check_contents(python, bundle)
        if sys.platform.startswith("linux"):
            add_linux_files(bundle, icons.parent)
        archive = make_archive(bundle)
        archived = time.monotonic()
        say(
            f"built in {archived - began:.0f} s (environment {installed - began:.0f} s, "
            f"PyInstaller {frozen - installed:.0f} s, checks and archive "
            f"{archived - frozen:.0f} s)"
        )

    size, count = folder_size(DIST / f"{NAME}.app" if MACOS else bundle)
    say(f"bundle {bundle}: {megabytes(size)} in {count:,} files")
    say(f"archive {archive}: {megabytes(archive.stat().st_size)}")
    ok = True
    if not args.no_start:
        timed = time.monotonic()
        ok = start_times(python, bundle, args.runs, args.max_start_ratio)
        say(f"start timed in {time.monotonic() - timed:.0f} s")
        if not ok:
            say("the bundle starts too slowly against the virtual environment")
    if args.smoke:
        tested = time.monotonic()
        smoked = subprocess.run(
            [str(python), str(PACKAGING / "smoke.py"), "--archive", str(archive)]
        )
        say(f"smoke test took {time.monotonic() - tested:.0f} s")
        ok = ok and smoked.returncode == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
