"""Smoke-test the bundled app as a user gets it: ``python packaging/smoke.py --archive FILE``.

Unpacks the archive into a scratch folder and runs the ``Portfolio`` inside it, with a
fresh home folder and a cleared environment whose ``PATH`` holds no Python. Where it can
(root on Linux, as in CI), every command also runs in a private mount namespace in which
each Python install on the machine, the build's virtual environment and the source
checkout are hidden behind empty folders, so the bundle cannot lean on any of them; a
check confirms no Python starts there. Then, all from the bundle:

* ``--version``, ``demo``, ``backup``;
* ``snapshot`` of every page of the demo, each PNG checked against the same page of an
  empty portfolio (so a page that rendered without its data fails, not just a blank one);
* ``export xlsx`` (read back with openpyxl), ``import xlsx`` of that workbook (nothing
  to change), ``import csv`` of one changed figure, and ``import undo``;
* ``deck`` of a client as PDF (pages, the client's name in the text, page 1 not blank)
  and a director's decks, which run in spawned worker processes;
* on Linux with Xvfb, the real window on the X11 platform until its rows are painted
  (the xcb libraries come from the bundle; no system fonts, so it must draw with the
  bundled DejaVu Sans), and the licences Help > About lists;
* on Linux, ``install-desktop-entry.sh`` into the fresh home, the entry checked with
  ``desktop-file-validate`` where installed.

The checker itself needs openpyxl, pypdfium2 and PySide6 (the build's environment has
them: ``build/bundle/venv/bin/python packaging/smoke.py``); the bundle needs none.
Exits 1 on the first failure, with the command's output.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "Portfolio"
WINDOWS = sys.platform == "win32"
TIMEOUT_S = 600


class SmokeFailure(Exception):
    pass


def say(message: str) -> None:
    print(f"smoke: {message}", flush=True)


# -- where the bundle runs ------------------------------------------------------------


def python_installs() -> tuple[list[Path], list[Path]]:
    """Folders and files that hold a Python on this machine (to hide), and this checkout."""
    folders = {Path(sys.prefix), Path(sys.base_prefix), ROOT}
    pyenv = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    folders.add(Path(pyenv))
    for pattern in ("/usr/lib/python3*", "/usr/local/lib/python3*", "/opt/python*"):
        folders.update(Path(p) for p in _glob(pattern))
    files = set()
    for pattern in ("/usr/bin/python*", "/usr/local/bin/python*", "/bin/python*"):
        files.update(Path(p) for p in _glob(pattern) if not Path(p).is_dir())
    real = sorted({p.resolve() for p in folders if p.is_dir() and p != Path("/")})
    # Hiding a folder hides what is inside it (and mounting inside it would then fail).
    outermost = [p for p in real if not any(p != q and p.is_relative_to(q) for q in real)]
    return outermost, sorted(files)


def _glob(pattern: str) -> list[str]:
    import glob

    return glob.glob(pattern)


class Sandbox:
    """Runs the bundle with a fresh home, a cleared environment and (if it can) no Python."""

    def __init__(self, scratch: Path) -> None:
        self.home = scratch / "home"
        self.home.mkdir()
        self.bin = scratch / "bin"  # PATH: an empty folder, so no `python` resolves
        self.bin.mkdir()
        runtime = scratch / "runtime"
        runtime.mkdir(mode=0o700)
        self.env = {
            "HOME": str(self.home),
            "PATH": str(self.bin),
            "LANG": "C.UTF-8",
            "XDG_RUNTIME_DIR": str(runtime),
            "QT_QPA_PLATFORM": "offscreen",
        }
        if WINDOWS:  # Windows needs these to start any program
            for key in ("SYSTEMROOT", "SYSTEMDRIVE", "TEMP", "TMP", "WINDIR"):
                if key in os.environ:
                    self.env[key] = os.environ[key]
            self.env["USERPROFILE"] = str(self.home)
            self.env["LOCALAPPDATA"] = str(self.home / "AppData" / "Local")
        self.wrapper: list[str] = []
        self.isolated = self._isolate(scratch)

    def _isolate(self, scratch: Path) -> bool:
        """A mount namespace in which every Python install is an empty folder."""
        if not sys.platform.startswith("linux") or shutil.which("unshare") is None:
            return False
        if os.geteuid() != 0:
            say("not root: no mount namespace; PATH alone holds no Python")
            return False
        folders, files = python_installs()
        folders = [f for f in folders if not scratch.is_relative_to(f)]
        lines = ["#!/bin/sh", "set -e"]
        lines += [f"mount -t tmpfs -o size=1m,mode=755 none '{folder}'" for folder in folders]
        lines += [f"mount --bind /dev/null '{path}'" for path in files]
        lines.append('exec "$@"')
        script = scratch / "isolate.sh"
        script.write_text("\n".join(lines) + "\n", encoding="utf-8")
        unshare = shutil.which("unshare")
        wrapper = [unshare, "--mount", "--propagation", "private", "/bin/sh", str(script)]
        probe = subprocess.run([*wrapper, "true"], capture_output=True, text=True)
        if probe.returncode != 0:
            say(f"no mount namespace here ({probe.stderr.strip()}); PATH alone holds no Python")
            return False
        self.wrapper = wrapper
        # Prove it: with the system's usual PATH, no Python starts in there.
        check = (
            "for p in python3 python; do "
            '  if command -v "$p" >/dev/null && "$p" -c 1 2>/dev/null; then exit 1; fi; '
            "done"
        )
        env = ["/usr/bin/env", "-i", "PATH=/usr/local/bin:/usr/bin:/bin", "sh", "-c", check]
        if subprocess.run([*wrapper, *env]).returncode != 0:
            raise SmokeFailure("a Python still starts inside the sandbox")
        hidden = ", ".join(str(f) for f in folders + files)
        say(f"sandbox: no Python starts in it; hidden: {hidden}")
        return True

    def run(self, *args: str, env: dict | None = None, expect: int = 0) -> str:
        """Run ``args`` (the bundle's executable first) in the sandbox; its output."""
        environment = {**self.env, **(env or {})}
        if self.wrapper:
            command = [*self.wrapper, "/usr/bin/env", "-i"]
            command += [f"{k}={v}" for k, v in environment.items()] + list(args)
            result = subprocess.run(
                command, capture_output=True, text=True, timeout=TIMEOUT_S, env={}
            )
        else:
            result = subprocess.run(
                list(args), capture_output=True, text=True, timeout=TIMEOUT_S, env=environment
            )
        if result.returncode != expect:
            raise SmokeFailure(
                f"{' '.join(args)} exited {result.returncode} (expected {expect})\n"
                f"--- stdout\n{result.stdout[-4000:]}\n--- stderr\n{result.stderr[-4000:]}"
            )
        return result.stdout + result.stderr


# -- checks on what the bundle wrote ---------------------------------------------------


def ink(path: Path) -> tuple[float, float]:
    """(standard deviation of the grey levels, share of pixels far from the background).

    Measured inside the content area (right of the sidebar, between the menu and the
    status bar), on every second pixel.
    """
    from PySide6.QtGui import QImage

    image = QImage(str(path))
    if image.isNull():
        raise SmokeFailure(f"{path.name} is not a readable image")
    grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
    width, height, stride = grey.width(), grey.height(), grey.bytesPerLine()
    data = bytes(grey.constBits())
    pixels = [
        data[y * stride + x]
        for y in range(int(height * 0.06), int(height * 0.92), 2)
        for x in range(int(width * 0.15), int(width * 0.98), 2)
    ]
    background = Counter(pixels).most_common(1)[0][0]
    far = sum(1 for value in pixels if abs(value - background) > 60)
    return statistics.pstdev(pixels), far / len(pixels)


def check_snapshots(demo: dict[str, Path], empty: dict[str, Path]) -> str:
    """Every page of the demo has content, and more of it than the same page when empty."""
    if len(demo) < 9:
        raise SmokeFailure(f"snapshot wrote {len(demo)} pages, expected at least 9")
    lowest = None
    for name, path in sorted(demo.items()):
        spread, share = ink(path)
        if spread < 10:
            raise SmokeFailure(f"{name} is blank (grey levels vary by {spread:.1f})")
        # Twice what the same page shows for an empty portfolio (its headers, filter
        # box and buttons); pages only a client has are held to a fixed share.
        floor = 2 * ink(empty[name])[1] if name in empty else 0.015
        if share < floor:
            raise SmokeFailure(
                f"{name} looks empty: {share:.1%} of its content area is drawn, "
                f"{floor:.1%} expected"
                + (f" (twice the {floor / 2:.1%} of an empty portfolio)" if name in empty else "")
            )
        ratio = share / floor
        if lowest is None or ratio < lowest[1]:
            lowest = (name, ratio)
    return f"{len(demo)} pages have content; the closest call {lowest[0]} at {lowest[1]:.1f}x"


def written_pngs(output: str) -> dict[str, Path]:
    paths = [Path(line.strip()) for line in output.splitlines() if line.strip().endswith(".png")]
    return {path.name: path for path in paths}


def read_book(path: Path) -> dict:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        names = book.sheetnames
        clients = list(book["Clients"].iter_rows(values_only=True))
        lines = book["Budget lines"].iter_rows(values_only=True)
        header = next(lines)
        first_line = dict(zip(header, next(lines), strict=False))
    finally:
        book.close()
    heading = clients[0]
    rows = [dict(zip(heading, row, strict=False)) for row in clients[1:] if row[0]]
    return {"sheets": names, "clients": rows, "first_line": first_line}


def check_pdf(path: Path, client: str, pages: int) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        if len(document) < pages:
            raise SmokeFailure(f"{path.name} has {len(document)} pages, expected {pages}+")
        text = document[0].get_textpage().get_text_range()
        if client not in text:
            raise SmokeFailure(f"{path.name}: page 1 does not name {client!r}")
        image = document[0].render(scale=0.5).to_pil().convert("L")
        spread = statistics.pstdev(image.tobytes())
        if spread < 10:
            raise SmokeFailure(f"{path.name}: page 1 is blank")
        return len(document)
    finally:
        document.close()


# -- the run ---------------------------------------------------------------------------


def version() -> str:
    import ast

    tree = ast.parse((ROOT / "portfolio" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "__version__":
            return ast.literal_eval(node.value)
    raise SmokeFailure("portfolio/__init__.py has no __version__")


def unpack(archive: Path, into: Path) -> Path:
    if archive.suffix == ".zip" and sys.platform == "darwin":
        # ditto made it; Python's zipfile would drop the .app's symlinks and modes.
        into.mkdir(parents=True)
        subprocess.run(["ditto", "-x", "-k", str(archive), str(into)], check=True)
    elif archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as source:
            source.extractall(into)
    else:
        with tarfile.open(archive) as source:
            # The "tar" filter (Python 3.11.4+) keeps modes and refuses paths outside.
            options = {"filter": "tar"} if hasattr(tarfile, "tar_filter") else {}
            source.extractall(into, **options)
    found = [p for p in into.iterdir() if p.name in (NAME, f"{NAME}.app")]
    if not found:
        raise SmokeFailure(f"{archive.name} holds no {NAME} folder")
    return found[0]


def executable(bundle: Path) -> Path:
    if bundle.suffix == ".app":
        return bundle / "Contents" / "MacOS" / NAME
    return bundle / ("portfolio-cli.exe" if WINDOWS else NAME)


def start_xvfb(scratch: Path) -> tuple[subprocess.Popen, str] | None:
    if shutil.which("Xvfb") is None:
        return None
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1440x900x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stderr=subprocess.DEVNULL,
        cwd=scratch,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        display = pipe.readline().strip()
    if not display:
        server.kill()
        return None
    return server, f":{display}"


def smoke(bundle: Path, scratch: Path) -> int:
    sandbox = Sandbox(scratch)
    program = str(executable(bundle))
    home = sandbox.home
    demo = home / "demo.sqlite3"
    passed = 0

    def step(title: str, check) -> None:
        nonlocal passed
        began = time.monotonic()
        detail = check()
        passed += 1
        say(f"ok  {title} ({time.monotonic() - began:.1f} s){': ' + detail if detail else ''}")

    step("--version", lambda: _expect(sandbox.run(program, "--version"), f"portfolio {version()}"))
    step("demo", lambda: _expect(sandbox.run(program, "demo", str(demo)), "40 clients"))
    step("backup", lambda: _expect(sandbox.run(program, "backup", "--db", str(demo)), "backup"))

    def snapshots() -> str:
        shots = written_pngs(
            sandbox.run(program, "snapshot", "--db", str(demo), "--out", str(home / "shots"))
        )
        empty = home / "empty.sqlite3"
        sandbox.run(program, "new", str(empty))
        blank = written_pngs(
            sandbox.run(program, "snapshot", "--db", str(empty), "--out", str(home / "empty-shots"))
        )
        return check_snapshots(shots, blank)

    step("snapshot of every page", snapshots)

    book_path = home / "book.xlsx"
    book: dict = {}

    def export() -> str:
        sandbox.run(program, "export", "xlsx", "--db", str(demo), "-o", str(book_path))
        book.update(read_book(book_path))
        for sheet in ("Summary", "Variance", "Budget lines", "Clients"):
            if sheet not in book["sheets"]:
                raise SmokeFailure(f"the workbook has no {sheet} sheet: {book['sheets']}")
        if len(book["clients"]) != 40:
            raise SmokeFailure(f"the workbook lists {len(book['clients'])} clients, not 40")
        return f"{len(book['sheets'])} sheets, 40 clients"

    step("export xlsx", export)
    step(
        "import xlsx (the export, back)",
        lambda: _expect(
            sandbox.run(program, "import", "xlsx", str(book_path), "--db", str(demo)),
            "Nothing to change",
        ),
    )

    def import_csv() -> str:
        line = book["first_line"]
        month = line["Month"]
        changed = home / "changed.csv"
        with changed.open("w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(["Client", "Campaign", "Month", "Spend forecast"])
            writer.writerow([line["Client"], line["Campaign"], f"{month:%Y-%m}", "12345.67"])
        out = sandbox.run(program, "import", "csv", str(changed), "--db", str(demo))
        _expect(out, "1 changed")
        return _expect(sandbox.run(program, "import", "undo", "--db", str(demo)), "restored")

    step("import csv, then import undo", import_csv)

    client = book["clients"][0]
    deck = home / "deck.pdf"

    def client_deck() -> str:
        sandbox.run(
            program, "deck", "--db", str(demo), "--client", client["Client"], "-o", str(deck)
        )
        return f"{check_pdf(deck, client['Client'], 5)} pages"

    step("deck --client (PDF)", client_deck)

    def director_decks() -> str:
        director = client["Account director"]
        folder = home / "decks"
        folder.mkdir()
        sandbox.run(
            program, "deck", "--db", str(demo), "--director", director, "--out-dir", str(folder)
        )
        expected = sum(1 for row in book["clients"] if row["Account director"] == director)
        written = sorted(folder.glob("*.pdf"))
        if len(written) != expected:
            raise SmokeFailure(f"{len(written)} decks written for {director}, {expected} expected")
        for path in written:
            if not path.read_bytes().startswith(b"%PDF"):
                raise SmokeFailure(f"{path.name} is not a PDF")
        return f"{len(written)} decks for {director}, in worker processes"

    step("deck --director (worker processes)", director_decks)

    if sys.platform.startswith("linux"):
        xvfb = start_xvfb(scratch)
        if xvfb is None:
            say("skipped the window: no Xvfb here")
        else:
            server, display = xvfb
            try:
                step("the window on X11, licences", lambda: window(sandbox, program, demo, display))
            finally:
                server.terminate()
                server.wait()
        step("install-desktop-entry.sh", lambda: desktop_entry(sandbox, bundle))
    say(f"{passed} checks passed: {bundle.name} from {bundle.parent}")
    return 0


def window(sandbox: Sandbox, program: str, demo: Path, display: str) -> str:
    """The real window on Xvfb (xcb platform), until its first rows are painted.

    It runs as on a system without fonts (fontconfig finds none): the window must then
    draw with the DejaVu Sans the bundle carries, not with empty boxes.
    """
    config = sandbox.home / ".config" / NAME
    config.mkdir(parents=True, exist_ok=True)
    (config / f"{NAME}.ini").write_text("[v1]\nlast_view=budgets\n", encoding="utf-8")
    no_fonts = sandbox.home / "no-fonts.conf"
    no_fonts.write_text("<?xml version='1.0'?>\n<fontconfig></fontconfig>\n", encoding="utf-8")
    report = sandbox.home / "painted.json"
    env = {
        "QT_QPA_PLATFORM": "xcb",
        "DISPLAY": display,
        "PORTFOLIO_STARTUP_PROBE": str(report),
        "FONTCONFIG_FILE": str(no_fonts),
    }
    sandbox.run(program, "--db", str(demo), env=env)
    found = json.loads(report.read_text(encoding="utf-8"))
    if not found.get("frozen") or found.get("rows", 0) < 1:
        raise SmokeFailure(f"the window did not paint rows from the bundle: {found}")
    if found.get("font") != "DejaVu Sans":
        raise SmokeFailure(f"with no system fonts the window draws with {found.get('font')!r}")
    licences = found.get("licences", {})
    for name in ("Python", "PySide6_Essentials", "SQLAlchemy", "reportlab"):
        if not licences.get(name):
            raise SmokeFailure(f"Help > About lists no licence for {name}: {licences}")
    folder = Path(program).parent / "_internal" / "licenses"
    for text in ("LGPL-3.0.txt", "GPL-3.0.txt", "Python-LICENSE.txt", "README.txt"):
        if not (folder / text).is_file():
            raise SmokeFailure(f"the bundle has no licenses/{text}")
    return (
        f"{found['rows']:,} rows painted in DejaVu Sans with no system fonts; About lists "
        f"{len(licences)} parts with licences"
    )


def desktop_entry(sandbox: Sandbox, bundle: Path) -> str:
    script = bundle / "install-desktop-entry.sh"
    sandbox.run("/bin/sh", str(script), env={"PATH": "/usr/bin:/bin"})
    entry = sandbox.home / ".local" / "share" / "applications" / "portfolio.desktop"
    icon = sandbox.home / ".local/share/icons/hicolor/scalable/apps/portfolio.svg"
    if not entry.is_file() or not icon.is_file():
        raise SmokeFailure("install-desktop-entry.sh wrote no entry or no icon")
    text = entry.read_text(encoding="utf-8")
    if f'Exec="{bundle / NAME}" %f' not in text:
        raise SmokeFailure(f"the desktop entry does not start the bundle:\n{text}")
    validator = shutil.which("desktop-file-validate")
    if validator:
        result = subprocess.run([validator, str(entry)], capture_output=True, text=True)
        if result.returncode != 0 or result.stdout.strip():
            raise SmokeFailure(f"desktop-file-validate: {result.stdout}{result.stderr}")
        return "the entry is valid (desktop-file-validate)"
    return "entry written (desktop-file-validate is not installed)"


def _expect(output: str, text: str) -> str:
    if text not in output:
        raise SmokeFailure(f"expected {text!r} in:\n{output[-4000:]}")
    return next((line for line in output.splitlines() if text in line), "").strip()[:120]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--archive", type=Path, help="the archive users download")
    where.add_argument("--bundle", type=Path, help="an unpacked bundle folder")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="portfolio-smoke-"))
    try:
        if args.archive:
            began = time.monotonic()
            bundle = unpack(args.archive.resolve(), scratch / "unpacked")
            say(f"unpacked {args.archive.name} in {time.monotonic() - began:.1f} s")
        else:  # a copy: the checkout it may sit in is hidden from the bundle
            bundle = scratch / "unpacked" / args.bundle.name
            shutil.copytree(args.bundle, bundle, symlinks=True)
        return smoke(bundle, scratch)
    except (SmokeFailure, subprocess.TimeoutExpired) as failure:
        say(f"FAILED: {failure}")
        return 1
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
