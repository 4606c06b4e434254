"""The command line: formats, exit codes and one-line errors, on the real demo file."""

import json
import subprocess
import sys
from decimal import Decimal

import pytest

from portfolio.cli import main
from tests.conftest import ROOT_DIR


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_variance_json_has_the_promised_keys_with_exact_amounts(capsys, demo_file):
    code, out, err = run(
        capsys, "variance", "--db", str(demo_file), "--as-of", "2026-10", "--format", "json"
    )
    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) == 40
    for row in rows:
        assert {
            "group",
            "budget",
            "forecast",
            "actual",
            "variance",
            "variance_pct",
            "currency",
        } <= set(row)
        for key in ("budget", "actual", "variance"):
            amount = Decimal(row[key])
            places = 0 if row["currency"] == "JPY" else 2
            assert -amount.as_tuple().exponent == places


def total(capsys, demo_file, by):
    code, out, err = run(
        capsys,
        "variance",
        "--db",
        str(demo_file),
        "--as-of",
        "2026-10",
        "--by",
        by,
        "--period",
        "2026",
        "--currency",
        "USD",
        "--format",
        "json",
    )
    assert code == 0, err
    rows = json.loads(out)
    assert {row["currency"] for row in rows} == {"USD"}
    return tuple(sum(Decimal(row[key]) for row in rows) for key in ("budget", "actual", "outlook"))


def test_roll_ups_by_client_director_and_vertical_add_up_to_the_same_totals(capsys, demo_file):
    assert total(capsys, demo_file, "client") == total(capsys, demo_file, "director")
    assert total(capsys, demo_file, "client") == total(capsys, demo_file, "vertical")


def test_table_output_marks_unfavourable_in_words_and_names_the_currency(capsys, demo_file):
    code, out, _ = run(
        capsys, "variance", "--db", str(demo_file), "--as-of", "2026-10", "--by", "director"
    )
    assert code == 0
    assert "UNFAVOURABLE" in out or "favourable" in out
    assert "Converted into USD" in out and out.count("Total") == 1


def test_the_table_says_which_closed_months_have_no_actuals_yet(capsys, demo_file):
    """Regression: with November closed (--as-of 2026-11) and none of its actuals in,
    the report counted them as 0 and did not say so."""
    code, out, _ = run(capsys, "variance", "--db", str(demo_file), "--as-of", "2026-11")
    assert code == 0
    assert "No spend actual entered yet for Nov 2026 on " in " ".join(out.split())
    code, out, _ = run(capsys, "variance", "--db", str(demo_file), "--as-of", "2026-10")
    assert code == 0 and "actual entered yet" not in out


def test_csv_output_parses(capsys, demo_file):
    code, out, _ = run(
        capsys, "variance", "--db", str(demo_file), "--by", "month", "--format", "csv"
    )
    assert code == 0
    header, *lines = out.strip().splitlines()
    assert header.startswith("group,measure,period,currency,budget")
    assert len(lines) >= 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["variance", "--period", "soon"], "Period: 'soon' is not a period"),
        (["variance", "--by", "planet"], "'planet' is not a level"),
        (["variance", "--currency", "XYZ"], "not an ISO 4217 currency code"),
        (["summary", "--client", "Nobody At All"], "No client named 'Nobody At All'"),
        (["variance", "--as-of", "2026-13"], "--as-of"),
    ],
)
def test_user_errors_are_one_line_with_exit_code_1(capsys, demo_file, argv, message):
    code, out, err = run(capsys, *argv, "--db", str(demo_file))
    assert code == 1
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_usage_errors_exit_with_2(capsys, demo_file):
    assert run(capsys, "variance", "--nonsense")[0] == 2
    assert run(capsys, "summary", "--db", str(demo_file))[0] == 2


def test_a_text_file_as_db_is_refused_and_left_alone(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database")
    result = subprocess.run(
        [sys.executable, "-m", "portfolio", "at-risk", "--db", str(notes)],
        capture_output=True,
        text=True,
        cwd=ROOT_DIR,
        check=False,
    )
    assert result.returncode == 1
    assert (
        result.stderr.strip() == f"portfolio: {notes} is not a Portfolio database "
        "(it is not an SQLite file)"
    )
    assert notes.read_text() == "not a database"


def test_a_report_never_creates_a_database_by_accident(capsys, tmp_path):
    code, _, err = run(capsys, "variance", "--db", str(tmp_path / "typo.sqlite3"))
    assert code == 1 and "does not exist" in err
    assert not (tmp_path / "typo.sqlite3").exists()


def test_at_risk_and_summary_speak_about_real_clients(capsys, demo_file):
    code, out, _ = run(
        capsys, "at-risk", "--db", str(demo_file), "--as-of", "2026-10", "--format", "json"
    )
    assert code == 0
    found = json.loads(out)
    assert found and all(entry["reasons"] for entry in found)
    name = found[0]["client"]
    code, out, _ = run(
        capsys, "summary", "--db", str(demo_file), "--client", name.upper(), "--as-of", "2026-10"
    )
    assert code == 0
    assert out.startswith(name) and "Year to date" in out and "Service" in out
    code, out, _ = run(
        capsys,
        "summary",
        "--db",
        str(demo_file),
        "--client",
        name,
        "--format",
        "json",
        "--as-of",
        "2026-10",
    )
    assert json.loads(out)["client"] == name


def test_recovery_and_team_reports(capsys, demo_file):
    code, out, _ = run(
        capsys, "recovery", "--db", str(demo_file), "--as-of", "2026-10", "--format", "json"
    )
    assert code == 0
    items = json.loads(out)
    assert items
    for item in items:
        assert Decimal(item["shortfall"]) > 0
        # Calendar-year clients have Nov and Dec left; fiscal-year clients more.
        assert 2 <= item["months_left"] == len(item["per_month"]) <= 11
    code, out, _ = run(capsys, "team", "--db", str(demo_file), "--as-of", "2026-10")
    assert code == 0 and "Attainment" in out


def test_demo_command_writes_a_portfolio(capsys, tmp_path):
    target = tmp_path / "new.sqlite3"
    code, out, _ = run(capsys, "demo", str(target), "--clients", "5", "--today", "2026-11-23")
    assert code == 0 and "5 clients" in out and target.exists()
    code, _, err = run(capsys, "demo", str(target), "--clients", "5")
    assert code == 1 and "already exists" in err


@pytest.mark.parametrize(
    ("argv", "header"),
    [
        (["campaigns", "--period", "2026"], "Resp %"),
        (["sla", "--by", "category"], "Compliance %"),
        (["pipeline", "--by", "stage"], "Weighted"),
    ],
)
def test_result_and_service_reports(capsys, demo_file, argv, header):
    code, out, err = run(capsys, *argv, "--db", str(demo_file))
    assert code == 0, err
    assert header in out.splitlines()[0]
    code, out, err = run(capsys, *argv, "--db", str(demo_file), "--format", "json")
    assert code == 0 and json.loads(out)


@pytest.mark.parametrize(
    ("argv", "opened"),
    [
        ([], {"db": None, "demo": False, "fresh": False}),
        (["--db", "book.sqlite3"], {"db": "book.sqlite3", "demo": False, "fresh": False}),
        (["--demo", "--fresh"], {"db": None, "demo": True, "fresh": True}),
        (["--dem"], {"db": None, "demo": True, "fresh": False}),  # abbreviated
    ],
)
def test_a_desktop_start_hands_the_launcher_its_options(argv, opened):
    """A plain start is parsed without the commands' parsers (issue 15: 15-20 ms of the
    start); the launcher gets the same options as from the whole parser."""
    seen = []
    assert main(argv, launcher=lambda args: seen.append(args) or 0) == 0
    assert {key: getattr(seen[0], key) for key in opened} == opened
    assert getattr(seen[0], "command", None) is None


@pytest.mark.parametrize("argv", [["--d", "x"], ["--db"], ["--bogus"], ["--db", "x", "--bogus"]])
def test_a_mistaken_start_is_refused_with_the_whole_usage(capsys, argv):
    """Mistakes go to the whole parser: its usage (with COMMAND) and exit code 2."""
    assert main(argv, launcher=lambda args: pytest.fail("started")) == 2
    err = capsys.readouterr().err
    assert "COMMAND" in err and "error:" in err
