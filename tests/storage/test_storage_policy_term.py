"""The policy term (保险期间): read from the import file in its usual spellings, and the
callback scope it sets (应回访: a term over one year)."""

from __future__ import annotations

from pathlib import Path

import pytest
from storage_testkit import sqlite_db

from storage.policy_import import describe_row, import_policy_file
from storage.policy_term import callback_required, parse_term
from storage.repository import Repository

GOOD_CSV = Path(__file__).parent / "data" / "policies_good.csv"


@pytest.mark.parametrize(("text", "stored", "months"), [
    ("终身", "终身", None), ("20年", "20年", 240), ("二十年", "20年", 240), ("1年", "1年", 12),
    ("一年", "1年", 12), ("6个月", "6个月", 6), ("六个月", "6个月", 6),
    ("至七十岁", "至70岁", None), ("至105周岁", "至105岁", None), ("１０年", "10年", 120),
    ("", "", None),
])  # fmt: skip
def test_terms_in_their_usual_spellings(text: str, stored: str, months: int | None) -> None:
    assert parse_term(text) == (stored, months)


def test_only_terms_over_one_year_need_a_callback() -> None:
    assert [callback_required(m) for m in (None, 6, 12, 13, 240)] == [
        True, False, False, True, True]  # fmt: skip


def test_the_import_reads_the_term_column_and_names_a_bad_one(tmp_path: Path) -> None:
    lines = GOOD_CSV.read_text(encoding="utf-8").splitlines()
    terms = ["保险期间", "终身", "1年", "很久"]
    rows = [f"{line},{term}" for line, term in zip(lines[:4], terms, strict=True)]
    path = tmp_path / "terms.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    db = sqlite_db(tmp_path)
    report = import_policy_file(db, path)
    assert report.imported == 2
    (problem,) = report.problems
    assert describe_row(problem).startswith("line 4: column 保险期间: ")
    with db.session() as session:
        repo = Repository(session)
        whole_life, one_year = repo.policy("8644012024110001"), repo.policy("8644012024110002")
        assert whole_life is not None and one_year is not None
        assert (whole_life.coverage_term, whole_life.coverage_months) == ("终身", None)
        assert (one_year.coverage_term, one_year.coverage_months) == ("1年", 12)
