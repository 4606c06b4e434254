"""Every failure a user can cause or meet is one line naming the file and the cause, exit
code 1, and the data as it was. Each test makes the real condition (``tests.conditions``):
a file the process may not write, a full or read-only file system, a drive that went
away, another process holding the write lock. (Issue 12.)"""

from __future__ import annotations

import csv
import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from portfolio.storage import migrate, open_database
from tests.conditions import (
    fill,
    owned_by_nobody,
    portfolio_cli,
    remount_read_only,
    small_disk,
    unmount,
    write_lock_held,
)
from tests.conftest import copy_demo


def state_of(path: Path) -> tuple:
    """What a person would call the data: counts and the sum of every forecast."""
    connection = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        return connection.execute(
            "SELECT (SELECT COUNT(*) FROM client), (SELECT COUNT(*) FROM budget_line),"
            " (SELECT SUM(spend_forecast) FROM budget_line), (SELECT COUNT(*) FROM journal_entry)"
        ).fetchone()
    finally:
        connection.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def forecasts_csv(db_path: Path, target: Path, value: int = 7, limit: int | None = None) -> Path:
    """An import changing the spend forecast of every budget line (or the first ``limit``)."""
    connection = sqlite3.connect(db_path)
    rows = connection.execute(
        "SELECT client.name, campaign.name, budget_line.month FROM budget_line"
        " JOIN campaign ON campaign.id = budget_line.campaign_id"
        " JOIN client ON client.id = campaign.client_id ORDER BY budget_line.id"
        + (f" LIMIT {limit}" if limit else "")
    ).fetchall()
    connection.close()
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Client", "Campaign", "Month", "Spend forecast"])
        for client, campaign, month in rows:
            writer.writerow([client, campaign, f"{month // 100}-{month % 100:02d}", value])
    return target


def one_line_error(result) -> str:
    """The last line of stderr, after checking it is the only error and no traceback."""
    lines = result.stderr.strip().splitlines()
    assert lines, result
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in lines if not line.startswith("portfolio: Waiting for")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def files_in(folder: Path) -> list[str]:
    """The folder's files, less SQLite's own companions (``-wal``, ``-shm``) of an open."""
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(("-wal", "-shm")))


def checkpointed(path: Path) -> Path:
    """The portfolio with its WAL folded in, so the file alone is the whole state."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


# -- a read-only file, a read-only folder ------------------------------------------------


def test_an_import_into_a_read_only_file_is_one_line_and_changes_nothing(demo_file, tmp_path):
    db = checkpointed(copy_demo(demo_file, tmp_path / "book.sqlite3"))
    changes = forecasts_csv(db, tmp_path / "changes.csv", limit=50)
    owned_by_nobody(db, 0o444)
    before, bytes_before = state_of(db), digest(db)

    result = portfolio_cli("import", "csv", str(changes), "--db", str(db), as_user=True)

    assert result.returncode == 1
    assert one_line_error(result) == f"portfolio: Cannot save to {db}: the file is read-only"
    assert state_of(db) == before and digest(db) == bytes_before
    # Reading it is still fine.
    assert portfolio_cli("at-risk", "--db", str(db), as_user=True).returncode == 0


def test_a_portfolio_in_a_read_only_folder_is_not_called_foreign(demo_file, tmp_path):
    """Regression (issue 12): a read-only folder was reported as "not a Portfolio
    database", which made people think their file was corrupt."""
    folder = tmp_path / "shared"
    folder.mkdir()
    db = checkpointed(copy_demo(demo_file, folder / "book.sqlite3"))
    owned_by_nobody(db, 0o444)
    owned_by_nobody(folder, 0o555)
    bytes_before = digest(db)

    result = portfolio_cli("at-risk", "--db", str(db), as_user=True)

    assert result.returncode == 1
    line = one_line_error(result)
    assert line == f"portfolio: Cannot open {db}: its folder {folder} is read-only"
    assert digest(db) == bytes_before and sorted(p.name for p in folder.iterdir()) == [
        "book.sqlite3"
    ]


def test_an_export_into_a_read_only_folder_is_one_line(demo_file, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    owned_by_nobody(folder, 0o555)
    target = folder / "book.xlsx"
    result = portfolio_cli(
        "export", "xlsx", "-o", str(target), "--db", str(demo_file), as_user=True
    )
    assert result.returncode == 1
    assert one_line_error(result) == f"portfolio: Cannot write {target}: the folder is read-only"
    assert list(folder.iterdir()) == []


# -- a full disk ---------------------------------------------------------------------------


def test_an_import_onto_a_full_disk_is_one_line_and_changes_nothing(demo_file, tmp_path):
    size = demo_file.stat().st_size
    with small_disk(tmp_path / "disk", size + (4 << 20)) as disk:
        db = checkpointed(copy_demo(demo_file, disk / "book.sqlite3"))
        changes = forecasts_csv(db, tmp_path / "changes.csv")
        open_database(db).close()  # the journal files exist, as they would in use
        fill(disk, leave=16 << 10)
        before = state_of(db)

        result = portfolio_cli("import", "csv", str(changes), "--db", str(db))

        assert result.returncode == 1
        assert one_line_error(result) == (
            f"portfolio: Cannot save to {db}: the disk is full; nothing was changed"
        )
        assert state_of(db) == before


def test_an_export_onto_a_full_disk_keeps_the_old_file_and_leaves_nothing(demo_file, tmp_path):
    with small_disk(tmp_path / "disk", 1 << 20) as disk:
        target = disk / "book.xlsx"
        target.write_bytes(b"last week's workbook")
        fill(disk, leave=64 << 10)

        result = portfolio_cli("export", "xlsx", "-o", str(target), "--db", str(demo_file))

        assert result.returncode == 1
        assert one_line_error(result) == f"portfolio: Cannot write {target}: the disk is full"
        assert target.read_bytes() == b"last week's workbook"
        assert sorted(p.name for p in disk.iterdir()) == ["book.xlsx", "filler.bin"]


def test_a_demo_onto_a_full_disk_is_one_line_and_leaves_nothing(tmp_path):
    with small_disk(tmp_path / "disk", 1 << 20) as disk:
        target = disk / "demo.sqlite3"
        result = portfolio_cli("demo", str(target), "--clients", "60")
        assert result.returncode == 1
        assert one_line_error(result) == (
            f"portfolio: Cannot write {target}: the disk is full; nothing was changed"
        )
        assert list(disk.iterdir()) == []


# -- a drive that refuses writes, a drive that went away ------------------------------------


def test_an_import_onto_a_read_only_drive_is_one_line(demo_file, tmp_path):
    with small_disk(tmp_path / "disk", 32 << 20) as disk:
        db = checkpointed(copy_demo(demo_file, disk / "book.sqlite3"))
        changes = forecasts_csv(db, tmp_path / "changes.csv", limit=10)
        before = state_of(db)
        remount_read_only(disk)

        result = portfolio_cli("import", "csv", str(changes), "--db", str(db))

        assert result.returncode == 1
        line = one_line_error(result)
        assert line.startswith("portfolio: Cannot ") and str(db) in line
        assert line.endswith("the drive is read-only"), line
        assert state_of(db) == before


def test_a_network_drive_that_went_away_is_named_as_such(demo_file, tmp_path):
    share = tmp_path / "share"
    with small_disk(share, 32 << 20):
        books = share / "books"
        books.mkdir()
        db = copy_demo(demo_file, books / "book.sqlite3")
        unmount(share)  # the server went away: the share's folders are gone

        report = portfolio_cli("at-risk", "--db", str(db))
        export = portfolio_cli("export", "xlsx", "-o", str(books / "out.xlsx"), "--db", str(db))

    assert report.returncode == 1 and export.returncode == 1
    assert one_line_error(report) == (
        f"portfolio: Cannot open {db}: folder {books} does not exist "
        "(is the network drive or disk connected?)"
    )
    assert one_line_error(export) == (
        f"portfolio: Cannot open {db}: folder {books} does not exist "
        "(is the network drive or disk connected?)"
    )


# -- another program holds the portfolio ---------------------------------------------------


def test_an_import_waits_for_another_program_and_then_goes_through(demo_file, tmp_path):
    """Busy is not an error: the import waits for the lock and completes once it is free."""
    import subprocess
    import sys

    db = copy_demo(demo_file, tmp_path / "book.sqlite3")
    changes = forecasts_csv(db, tmp_path / "changes.csv", limit=20)
    with write_lock_held(db) as holder:
        from tests.conditions import release

        # Release the lock only once the import says it is waiting (a fixed delay
        # raced the import's own start on a loaded machine).
        process = subprocess.Popen(
            [sys.executable, "-m", "portfolio", "import", "csv", str(changes), "--db", str(db)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        first_line = process.stderr.readline()
        release(holder)
        stdout, rest = process.communicate(timeout=120)
    assert process.returncode == 0, first_line + rest
    assert "Waiting for another program using this portfolio" in first_line
    assert "20 changed" in stdout


def test_an_import_refused_after_the_wait_is_one_line_and_changes_nothing(demo_file, tmp_path):
    db = copy_demo(demo_file, tmp_path / "book.sqlite3")
    changes = forecasts_csv(db, tmp_path / "changes.csv", limit=20)
    before = state_of(db)
    with write_lock_held(db):
        result = portfolio_cli(
            "import", "csv", str(changes), "--db", str(db), env={"PORTFOLIO_BUSY_WAIT": "2"}
        )
    assert result.returncode == 1
    assert one_line_error(result) == (
        f"portfolio: {db} is locked by another program that has been writing to it for "
        "over 2 s; nothing was changed, try again when it is done"
    )
    assert state_of(db) == before


# -- upgrades ------------------------------------------------------------------------------


def _previous_revision() -> str:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    return scripts.get_revision(migrate.SCHEMA_HEAD).down_revision


def old_schema_copy(demo_file: Path, target: Path) -> Path:
    copy_demo(demo_file, target)
    database = open_database(target)
    with database.engine.begin() as connection:
        migrate.downgrade(connection, _previous_revision())
    database.close()
    return checkpointed(target)


def backups_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if "backup" in p.name)


def test_an_upgrade_of_a_read_only_file_takes_no_backup_and_says_why(demo_file, tmp_path):
    """Regression (issue 12): every attempt wrote a fresh 7 MB backup beside the file."""
    db = old_schema_copy(demo_file, tmp_path / "old.sqlite3")
    owned_by_nobody(db, 0o444)
    bytes_before = digest(db)
    for _attempt in range(2):
        result = portfolio_cli("at-risk", "--db", str(db), as_user=True)
        assert result.returncode == 1
        assert one_line_error(result) == (
            f"portfolio: Cannot upgrade {db} to this version of Portfolio (schema "
            f"{_previous_revision()} -> {migrate.SCHEMA_HEAD}): the file is read-only; "
            "nothing was changed and no backup was taken"
        )
    assert backups_in(tmp_path) == [] and digest(db) == bytes_before


def test_an_upgrade_whose_backup_fills_the_disk_leaves_no_backup(demo_file, tmp_path):
    """Regression (issue 12): a backup that failed half-way stayed, named like a good one."""
    with small_disk(tmp_path / "disk", demo_file.stat().st_size + (3 << 20)) as disk:
        db = old_schema_copy(demo_file, disk / "old.sqlite3")
        fill(disk, leave=(demo_file.stat().st_size // 2))
        bytes_before = digest(db)
        result = portfolio_cli("at-risk", "--db", str(db))
        assert result.returncode == 1
        line = one_line_error(result)
        assert line.startswith(f"portfolio: Not upgrading {db} (schema ") and (
            "the disk is full" in line and line.endswith("nothing was changed")
        ), line
        assert files_in(disk) == ["filler.bin", "old.sqlite3"]
        assert digest(db) == bytes_before


def test_an_upgrade_says_where_its_one_backup_is(demo_file, tmp_path):
    db = old_schema_copy(demo_file, tmp_path / "old.sqlite3")
    result = portfolio_cli("at-risk", "--db", str(db))
    assert result.returncode == 0, result.stderr
    [backup] = backups_in(tmp_path)
    assert result.stderr.strip() == (
        f"portfolio: upgraded {db} to schema {migrate.SCHEMA_HEAD}; the file as it was is "
        f"backed up at {tmp_path / backup}"
    )
    # The same step again (the file went back to the old schema): still one backup.
    shutil.copyfile(tmp_path / backup, db)
    assert portfolio_cli("at-risk", "--db", str(db)).returncode == 0
    assert backups_in(tmp_path) == [backup]
    with sqlite3.connect(tmp_path / backup) as copy:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone()[0] == (
            _previous_revision()
        )


# -- no silent new portfolios --------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["at-risk"],
        ["import", "csv", "CHANGES"],
        ["export", "xlsx", "-o", "OUT"],
        ["backup"],
    ],
)
def test_a_zero_byte_or_missing_file_is_never_made_a_portfolio(tmp_path, argv):
    """Regression (issue 12): a zero-byte file passed as --db became an empty portfolio."""
    changes = tmp_path / "changes.csv"
    changes.write_text("Client\nAcme\n")
    argv = [
        str(changes) if a == "CHANGES" else str(tmp_path / "out.xlsx") if a == "OUT" else a
        for a in argv
    ]
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    result = portfolio_cli(*argv, "--db", str(empty))
    assert result.returncode == 1
    assert one_line_error(result) == (
        f"portfolio: {empty} is empty (0 bytes), so it is not a Portfolio database; nothing "
        "was changed (make a new portfolio with 'portfolio new' or File > New portfolio)"
    )
    assert empty.stat().st_size == 0

    missing = tmp_path / "typo.sqlite3"
    result = portfolio_cli(*argv, "--db", str(missing))
    assert result.returncode == 1
    assert "does not exist" in one_line_error(result) and not missing.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["changes.csv", "empty.sqlite3"]


def test_portfolio_new_makes_one_and_only_where_there_is_none(tmp_path):
    target = tmp_path / "book.sqlite3"
    made = portfolio_cli("new", str(target))
    assert made.returncode == 0 and made.stdout.strip() == (
        f"Made a new, empty portfolio: {target}"
    )
    assert portfolio_cli("at-risk", "--db", str(target)).returncode == 0
    again = portfolio_cli("new", str(target))
    assert again.returncode == 1
    assert one_line_error(again) == f"portfolio: {target} already exists; choose a new file name"
    assert not [p for p in tmp_path.iterdir() if "incomplete" in p.name]


def test_portfolio_backup_writes_a_whole_copy_and_says_where(demo_file, tmp_path):
    db = copy_demo(demo_file, tmp_path / "book.sqlite3")
    result = portfolio_cli("backup", "--db", str(db))
    assert result.returncode == 0, result.stderr
    [backup] = backups_in(tmp_path)
    assert result.stdout.strip() == f"Backed up {db} to {tmp_path / backup}"
    assert state_of(tmp_path / backup) == state_of(db)


def test_portfolio_new_sets_up_an_empty_postgresql_database_once(pg_server):
    if pg_server is None:
        pytest.skip("PORTFOLIO_TEST_PG_URL is not set")
    url = pg_server.create()
    report = portfolio_cli("at-risk", "--db", url)
    assert report.returncode == 1
    assert one_line_error(report).endswith(
        "holds no portfolio yet; set it up with: portfolio new URL"
    )
    assert portfolio_cli("new", url).returncode == 0
    assert portfolio_cli("at-risk", "--db", url).returncode == 0
    again = portfolio_cli("new", url)
    assert again.returncode == 1 and one_line_error(again).endswith("already holds a portfolio")
