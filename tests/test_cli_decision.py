"""The ward's summary and the committee's decision through the command line (SPEC 9, 11)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from review import decisions
from review.database import write_transaction
from review.extensions import db
from review.models import AuditEntry, Cell, Decision, DecisionSeal, Organization
from review.rules import Level

from helpers import SECOND_CELL_FILE

WARD = Path(__file__).resolve().parent / "data" / "ward-thuong-thanh-2020"
SEED_CELL = "Chi bộ Trường Mầm non Thượng Thanh"
CELL_REASON = "Tỉ lệ chi bộ xuất sắc đã đủ"


def import_both(runner, seed_path: Path) -> int:  # type: ignore[no-untyped-def]
    for path in (seed_path, SECOND_CELL_FILE):
        result = runner.invoke(args=["meeting", "import", str(path)])
        assert result.exit_code == 0, result.output
    organization_id = db.session.scalar(select(Organization.id))
    assert organization_id is not None
    return organization_id


def issue_args(organization_id: int, *extra: str) -> list[str]:
    return [
        "decision",
        "issue",
        str(organization_id),
        "2020",
        "--number",
        " 15 - qđ/đu ",
        "--date",
        "2021-01-15",
        "--signer",
        "Nguyễn Văn Bình",
        "--title",
        "Bí thư",
        *extra,
    ]


def seals(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(DecisionSeal)) or 0


def test_summary_of_the_two_example_cells(app, runner, seed_path):
    with app.app_context():
        organization_id = import_both(runner, seed_path)
    result = runner.invoke(args=["ward", "summary", str(organization_id), "2020"])
    assert result.exit_code == 0, result.output
    expected = json.loads((WARD / "summary.json").read_text(encoding="utf-8"))
    assert json.loads(result.output) == expected
    assert "Thượng Thanh" in result.output  # ensure_ascii=False
    assert result.output.startswith('{\n  "organization"')  # indent=2


def test_summary_of_an_unknown_organisation_or_a_year_without_rules(app, runner, seed_path):
    with app.app_context():
        organization_id = import_both(runner, seed_path)
    result = runner.invoke(args=["ward", "summary", "999", "2020"])
    assert result.exit_code == 1 and "Không có đảng bộ mã 999" in result.output
    result = runner.invoke(args=["ward", "summary", str(organization_id), "2018"])
    assert result.exit_code == 1 and "Năm 2018 không có quy định" in result.output


def test_summary_of_a_year_without_meetings_lists_the_cells(app, runner, seed_path):
    with app.app_context():
        organization_id = import_both(runner, seed_path)
    result = runner.invoke(args=["ward", "summary", str(organization_id), "2021"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert [row["state"] for row in document["cells"]] == ["no_meeting", "no_meeting"]
    assert document["quota"] == {"pool": 0, "limit": 0, "excellent": 0, "exceeded": False}


def test_issue_is_refused_naming_the_cells_quota(app, runner, seed_path):
    with app.app_context():
        organization_id = import_both(runner, seed_path)
    result = runner.invoke(args=issue_args(organization_id))
    assert result.exit_code == 1
    # The members are within the quota together (2 of 3); the cells are not: one excellent
    # cell, one good, limit floor(1/5 x 1) = 0.
    assert "Vượt tỉ lệ chi bộ Hoàn thành xuất sắc: 1 chi bộ, tối đa 0 (1/5 của 1)." in result.output
    assert "đảng viên Hoàn thành xuất sắc" not in result.output
    assert seals(app) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Decision)) == 0  # nothing stored


def test_bad_fields_are_each_named(app, runner, seed_path):
    with app.app_context():
        organization_id = import_both(runner, seed_path)
    args = [
        "decision",
        "issue",
        str(organization_id),
        "2020",
        "--number",
        "15/QĐ",
        "--date",
        "2020-11-01",
        "--signer",
        "Nguyễn\x07 Bình",
        "--title",
        "Chủ tịch",
    ]
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(line.startswith("--number: ") and "15-QĐ/ĐU" in line for line in lines)
    assert any(line.startswith("--date: ") and "02/12/2020" in line for line in lines)  # the last meeting
    assert any(line.startswith("--signer: ") and "ký tự điều khiển" in line for line in lines)
    assert any(line.startswith("--title: ") for line in lines)
    assert any(line.startswith("Vượt tỉ lệ chi bộ") for line in lines)  # the blockers too
    result = runner.invoke(args=[*args[:5], "15-QĐ/ĐU", "--date", "15/01/2021", *args[8:]])
    assert result.exit_code == 1 and "YYYY-MM-DD" in result.output
    assert seals(app) == 0


def test_issue_after_the_committee_lowers_the_cell_then_reopen(app, runner, seed_path):
    with app.app_context():
        organization_id = import_both(runner, seed_path)
        organization = db.session.get(Organization, organization_id)
        seed_cell = db.session.scalar(select(Cell).where(Cell.name == SEED_CELL))
        assert organization is not None and seed_cell is not None
        with write_transaction():
            decisions.choose_cell_level(
                organization, 2020, seed_cell.id, Level.GOOD, "Tỉ lệ chi bộ xuất sắc đã đủ", "0", None
            )
    result = runner.invoke(args=issue_args(organization_id, "--place", "Long Biên"))
    assert result.exit_code == 0, result.output
    assert "Số: 15-QĐ/ĐU" in result.output and "Phiên bản: 1" in result.output
    with app.app_context():
        seal = db.session.scalar(select(DecisionSeal))
        assert seal is not None and f"Dấu xác thực: {seal.fingerprint}" in result.output
        document = decisions.issued_payload(seal)
        assert document["issue"]["place"] == "Long Biên" and document["issue"]["title"] == "secretary"
        # Every proposal is the decided level, except the cell the committee lowered.
        for cell in document["cells"]:
            for member in cell["members"]:
                assert member["level"] == member["proposed_level"]
        assert {c["name"]: c["level"] for c in document["cells"]} == {
            SEED_CELL: "good",
            "Chi bộ Tổ dân phố số 3": "good",
        }
        actors = db.session.scalars(select(AuditEntry.actor).where(AuditEntry.table_name == "decision_seal"))
        assert set(actors) == {"cli"}
    summary = json.loads(runner.invoke(args=["ward", "summary", str(organization_id), "2020"]).output)
    assert summary["decided"] == {
        "excellent": 2,
        "good": 15,
        "completed": 1,
        "not_completed": 0,
        "not_rated": 0,
        "undecided": 0,
    }
    assert summary["decision"] == {"number": "15-QĐ/ĐU", "date": "2021-01-15", "version": 1}

    again = runner.invoke(args=issue_args(organization_id))
    assert again.exit_code == 1 and "đã ban hành" in again.output
    refused = runner.invoke(args=["decision", "reopen", str(organization_id), "2020", "--reason", "   "])
    assert refused.exit_code == 1 and "lý do" in refused.output
    reopened = runner.invoke(args=["decision", "reopen", str(organization_id), "2020", "--reason", "Sai tên người ký"])
    assert reopened.exit_code == 0, reopened.output
    result = runner.invoke(args=issue_args(organization_id, "--title", "Phó Bí thư"))
    assert result.exit_code == 0, result.output
    assert "Phiên bản: 2" in result.output
    assert seals(app) == 2
    summary = json.loads(runner.invoke(args=["ward", "summary", str(organization_id), "2020"]).output)
    assert summary["decision"]["version"] == 2


def test_issue_with_a_cell_recorded_as_not_reviewed(app, runner, seed_path):
    from review.meeting_edits import Refused
    from review.setup_store import create_cell

    with app.app_context():
        organization_id = import_both(runner, seed_path)
        organization = db.session.get(Organization, organization_id)
        seed_cell = db.session.scalar(select(Cell).where(Cell.name == SEED_CELL))
        assert organization is not None and seed_cell is not None
        with write_transaction():
            new_cell_id = create_cell(organization, "Chi bộ Khu dân cư số 1").id
        # A sealed cell is decided, never set aside.
        with pytest.raises(Refused, match="đã niêm phong"), write_transaction():
            decisions.record_not_reviewed(organization, 2020, seed_cell.id, "Chi bộ sáp nhập trong năm", "0", None)
        with write_transaction():
            decisions.choose_cell_level(organization, 2020, seed_cell.id, Level.GOOD, CELL_REASON, "0", None)
    # The new cell has no meeting: neither sealed nor recorded, the decision waits for it.
    refused = runner.invoke(args=issue_args(organization_id))
    assert refused.exit_code == 1 and "Chi bộ Khu dân cư số 1: chưa niêm phong" in refused.output
    with app.app_context():
        organization = db.session.get(Organization, organization_id)
        with write_transaction():
            decisions.record_not_reviewed(organization, 2020, new_cell_id, "Chi bộ mới thành lập tháng 11", "0", None)
    result = runner.invoke(args=issue_args(organization_id, "--title", "deputy_secretary"))
    assert result.exit_code == 0, result.output
    summary = json.loads(runner.invoke(args=["ward", "summary", str(organization_id), "2020"]).output)
    assert summary["decided"]["good"] == 15 and summary["decided"]["excellent"] == 2


def test_issue_and_reopen_of_an_unknown_organisation(runner, app):
    result = runner.invoke(args=issue_args(42))
    assert result.exit_code == 1 and "Không có đảng bộ mã 42" in result.output
    result = runner.invoke(args=["decision", "reopen", "42", "2020", "--reason", "Sai tên người ký"])
    assert result.exit_code == 1 and "Không có đảng bộ mã 42" in result.output


def test_many_choices_at_once_are_each_checked_and_stored_together(app, runner, seed_path):
    """decisions.choose_levels (the benchmarks' committee): the same checks as one choice, all or none."""
    with app.app_context():
        organization_id = import_both(runner, seed_path)
        organization = db.session.get(Organization, organization_id)
        cells = {c.name: c.id for c in db.session.scalars(select(Cell))}
        gathered = decisions.gather(organization, 2020)
        member = next(m for c in gathered.cells for m in c.members if m.rated and m.proposed_level is Level.GOOD)
        # A level other than the proposal needs a reason: nothing is stored, not even the good choice.
        with pytest.raises(decisions.Refused), write_transaction():
            decisions.choose_levels(
                organization, 2020, {int(member.key): Level.COMPLETED}, {cells[SEED_CELL]: Level.GOOD}, "", None
            )
        assert db.session.scalar(select(func.count()).select_from(Decision)) == 0
        with write_transaction():
            decisions.choose_levels(
                organization,
                2020,
                {int(member.key): Level.COMPLETED},
                {cells[SEED_CELL]: Level.GOOD},
                CELL_REASON,
                None,
            )
        after = decisions.gather(organization, 2020)
        found = after.member(int(member.key))
        assert found is not None and found[1].decided_level is Level.COMPLETED
        cell = after.cell(cells[SEED_CELL])
        assert cell is not None and cell.decided_level is Level.GOOD
        assert not after.assessment.blockers  # the cells' quota holds now
