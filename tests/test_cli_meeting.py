"""The meeting file through the command line: import, export, list."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from review.extensions import db

DATA = Path(__file__).resolve().parent / "data"


def row_counts(app) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Return the number of rows of every table."""
    with app.app_context():
        return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def import_file(runner, path: Path):  # type: ignore[no-untyped-def]
    return runner.invoke(args=["meeting", "import", str(path)])


def test_seed_imports_and_prints_its_id_last(runner, seed_path):
    result = import_file(runner, seed_path)
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "1"


def test_export_gives_back_the_seed_with_its_expected_results(runner, seed_path, tmp_path):
    meeting_id = import_file(runner, seed_path).output.strip().splitlines()[-1]
    out = tmp_path / "export.json"
    result = runner.invoke(args=["meeting", "export", meeting_id, "-o", str(out)])
    assert result.exit_code == 0, result.output
    exported = json.loads(out.read_text(encoding="utf-8"))
    results = exported.pop("results")
    assert results == json.loads((DATA / "thuong-thanh-2020.results.json").read_text(encoding="utf-8"))
    # Byte for byte, apart from results.
    assert json.dumps(exported, ensure_ascii=False, indent=2).encode() == seed_path.read_bytes()


def test_export_to_standard_output(runner, seed_path):
    meeting_id = import_file(runner, seed_path).output.strip().splitlines()[-1]
    result = runner.invoke(args=["meeting", "export", meeting_id])
    assert result.exit_code == 0
    assert json.loads(result.output)["organization"]["cell"] == "Chi bộ Trường Mầm non Thượng Thanh"


def test_bad_file_is_refused_whole_with_every_problem_named(runner, seed_path, tmp_path, app):
    doc = json.loads(seed_path.read_text(encoding="utf-8"))
    doc["members"][4]["attendance"] = "có mặt"
    doc["members"][2]["review"]["feedback"][0]["by"] = "m99"
    doc["ballot"]["rows"]["m03"]["good"] = -2
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = import_file(runner, bad)
    assert result.exit_code != 0
    assert "members[4].attendance" in result.output
    assert "ballot.rows.m03.good" in result.output
    assert all(count == 0 for count in row_counts(app).values())


def test_inconsistent_ballot_is_refused_naming_the_row(runner, seed_path, tmp_path, app):
    doc = json.loads(seed_path.read_text(encoding="utf-8"))
    doc["ballot"]["rows"]["m03"]["good"] = 3  # 8 + 3 = 11 valid ballots? There are 10.
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = import_file(runner, bad)
    assert result.exit_code != 0
    assert "ballot.rows.m03: " in result.output and "11" in result.output and "10" in result.output
    assert all(count == 0 for count in row_counts(app).values())


def test_not_json_is_refused(runner, tmp_path, app):
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json", encoding="utf-8")
    result = import_file(runner, bad)
    assert result.exit_code != 0
    assert "JSON" in result.output
    assert all(count == 0 for count in row_counts(app).values())


def test_second_import_of_the_same_meeting_is_refused_and_changes_nothing(runner, seed_path, app):
    assert import_file(runner, seed_path).exit_code == 0
    before = row_counts(app)
    result = import_file(runner, seed_path)
    assert result.exit_code != 0
    assert "year: " in result.output and "đã có hội nghị năm 2020" in result.output
    assert row_counts(app) == before


def test_member_id_of_someone_else_is_refused(runner, seed_path, tmp_path, app):
    assert import_file(runner, seed_path).exit_code == 0
    before = row_counts(app)
    doc = json.loads(seed_path.read_text(encoding="utf-8"))
    doc["year"] = 2021
    doc["meeting"]["starts_at"] = "2021-12-10T14:00"
    doc["meeting"]["ends_at"] = "2021-12-10T17:00"
    doc["members"][0]["name"] = "Trần Văn Khác"
    other = tmp_path / "2021.json"
    other.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = import_file(runner, other)
    assert result.exit_code != 0
    assert "members[0].id" in result.output
    assert row_counts(app) == before


def test_next_year_reuses_the_cell_and_its_members(runner, seed_path, tmp_path, app):
    assert import_file(runner, seed_path).exit_code == 0
    doc = json.loads(seed_path.read_text(encoding="utf-8"))
    doc["year"] = 2021
    doc["meeting"]["starts_at"] = "2021-12-10T14:00"
    doc["meeting"]["ends_at"] = "2021-12-10T17:00"
    other = tmp_path / "2021.json"
    other.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = import_file(runner, other)
    assert result.exit_code == 0, result.output
    counts = row_counts(app)
    assert counts["cell"] == 1 and counts["member"] == 10 and counts["meeting"] == 2
    listing = runner.invoke(args=["meeting", "list"]).output.strip().splitlines()
    assert [line.split("\t")[:2] for line in listing] == [["1", "2020"], ["2", "2021"]]


def test_conflicting_rules_for_the_same_ward_and_year_are_refused(runner, seed_path, tmp_path, app):
    assert import_file(runner, seed_path).exit_code == 0
    doc = json.loads(seed_path.read_text(encoding="utf-8"))
    doc["organization"]["cell"] = "Chi bộ Khu dân cư số 1"
    doc["rules"]["excellent_threshold"] = "2/3"
    other = tmp_path / "other.json"
    other.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = import_file(runner, other)
    assert result.exit_code != 0
    assert "rules: " in result.output


def test_list_starts_each_line_with_the_id(runner, seed_path):
    import_file(runner, seed_path)
    result = runner.invoke(args=["meeting", "list"])
    assert result.exit_code == 0
    assert result.output.splitlines() == ["1\t2020\tChi bộ Trường Mầm non Thượng Thanh\tĐảng bộ phường Thượng Thanh"]


def test_export_of_an_unknown_meeting_fails(runner):
    result = runner.invoke(args=["meeting", "export", "42"])
    assert result.exit_code != 0
    assert "Không có hội nghị mã 42" in result.output


def test_import_normalises_text_to_nfc(runner, seed_path, tmp_path):
    import unicodedata

    nfd = unicodedata.normalize("NFD", seed_path.read_text(encoding="utf-8"))
    path = tmp_path / "nfd.json"
    path.write_text(nfd, encoding="utf-8")
    meeting_id = import_file(runner, path).output.strip().splitlines()[-1]
    exported = json.loads(runner.invoke(args=["meeting", "export", meeting_id]).output)
    exported.pop("results")
    assert json.dumps(exported, ensure_ascii=False, indent=2).encode() == seed_path.read_bytes()
