"""Issue 10, step 9: an actual for an open month was taken silently and ignored by the
outlook. The import preview now says so, with the rule for how such actuals count."""

from __future__ import annotations

from portfolio.imports.importer import preview_import
from portfolio.imports.plan import ImportOptions


def test_the_import_preview_warns_of_actuals_for_open_months(demo_sqlite, tmp_path):
    path = tmp_path / "actuals.csv"
    path.write_text(
        "Client,Campaign,Month,Spend budget,Spend actual\n"
        "Blue Ridge Life & Annuity,Medicare Supplement Telemarketing,2030-01,100,90\n"
        "Blue Ridge Life & Annuity,Medicare Supplement Telemarketing,2030-02,100,\n",
        encoding="utf-8",
    )
    plan = preview_import(demo_sqlite, path, ImportOptions(), kind="csv")
    assert not plan.problems
    (note,) = [note for note in plan.notes if "still open" in note]
    assert "1 budget line(s) bring actuals for months still open (Jan 2030)" in note
    assert "do not count until the month closes" in note
    assert note in plan.describe()
