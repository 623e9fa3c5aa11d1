"""The seals' summary rows: written with each seal, the same numbers as its payload, added up by the
province and the ward, recomputed by ``flask --app review summaries rebuild``."""

from __future__ import annotations

import json

from sqlalchemy import select

from review.extensions import db
from review.meeting_store import summary_values
from review.models import Meeting, Seal, SealSummary
from review.province.overview import build_province

from helpers import write_2021_copy


def test_a_seal_writes_its_summary_row_from_what_it_sealed(app, runner, seed_path):
    assert runner.invoke(args=["meeting", "import", str(seed_path)]).exit_code == 0
    with app.app_context():
        seal = db.session.scalar(select(Seal))
        results = json.loads(seal.payload)["results"]
        row = seal.summary
        assert row is not None
        assert {key: getattr(row, key) for key in results["summary"]} == results["summary"]
        assert (row.cell_vote_level, row.cell_proposed_level, json.loads(row.cell_flags)) == (
            results["cell"]["vote_level"],
            results["cell"]["proposed_level"],
            results["cell"]["flags"],
        )
        assert (row.quota_pool, row.quota_limit, row.quota_excellent) == (
            results["quota"]["pool"],
            results["quota"]["limit"],
            results["quota"]["excellent"],
        )


def test_the_province_adds_up_the_seals_in_force(app, runner, seed_path, tmp_path):
    seed = json.loads(seed_path.read_text(encoding="utf-8"))
    for number in (1, 2):
        seed["organization"]["cell"] = f"Chi bộ số {number}"
        path = tmp_path / f"{number}.json"
        path.write_text(json.dumps(seed, ensure_ascii=False), encoding="utf-8")
        assert runner.invoke(args=["meeting", "import", str(path)]).exit_code == 0
    assert runner.invoke(args=["meeting", "import", str(write_2021_copy(seed_path, tmp_path))]).exit_code == 0
    expected = json.loads(seed_path.read_text(encoding="utf-8"))
    with app.app_context():
        one = json.loads(db.session.scalar(select(Seal.payload)))["results"]["summary"]
        province = build_province(2020)
        (ward,) = province.wards
        assert ward.sealed == 2 and ward.totals == {key: 2 * count for key, count in one.items()}
        assert province.totals == ward.totals
        # The quota over the ward is the rules core's over the two cells (the same as twice one).
        assert ward.quota is not None and ward.quota.excellent == 2 * one["excellent"]
        # A reopened seal no longer counts.
        seal = db.session.scalars(select(Seal).order_by(Seal.id)).first()
        from review import clock

        seal.reopened_at, seal.reopen_reason = clock.now(), "Kiểm tra lại"
        db.session.commit()
        assert build_province(2020).wards[0].sealed == 1
        assert build_province(2021).wards[0].sealed == 0
    assert expected["year"] == 2020


def test_rebuild_reports_a_missing_or_wrong_row_and_repairs_it(app, runner, seed_path):
    assert runner.invoke(args=["meeting", "import", str(seed_path)]).exit_code == 0
    clean = runner.invoke(args=["summaries", "rebuild", "--dry-run"])
    assert clean.exit_code == 0 and "khớp" in clean.output
    with app.app_context():
        row = db.session.scalar(select(SealSummary))
        seal_id, wanted = row.seal_id, summary_values(row)
        row.excellent += 5
        db.session.commit()
    dry = runner.invoke(args=["summaries", "rebuild", "--dry-run"])
    assert dry.exit_code == 1 and f"seal {seal_id}" in dry.output
    with app.app_context():
        assert db.session.get(SealSummary, seal_id).excellent == wanted["excellent"] + 5  # nothing written
    fixed = runner.invoke(args=["summaries", "rebuild"])
    assert fixed.exit_code == 0 and f"seal {seal_id}" in fixed.output
    with app.app_context():
        assert summary_values(db.session.get(SealSummary, seal_id)) == wanted
        db.session.delete(db.session.get(SealSummary, seal_id))
        db.session.commit()
    assert "no summary row" in runner.invoke(args=["summaries", "rebuild"]).output
    with app.app_context():
        assert summary_values(db.session.get(SealSummary, seal_id)) == wanted
        assert db.session.scalar(select(Meeting)).current_seal.summary is not None


def issue_the_example_ward(app, runner, seed_path) -> int:  # type: ignore[no-untyped-def]
    """Import the ward's two example cells, lower the seed cell (the cells' quota), issue; return the ward's id."""
    from review import decisions
    from review.database import write_transaction
    from review.models import Cell, Organization
    from review.rules import Level

    from helpers import SECOND_CELL_FILE

    for path in (seed_path, SECOND_CELL_FILE):
        assert runner.invoke(args=["meeting", "import", str(path)]).exit_code == 0
    with app.app_context():
        organization = db.session.scalar(select(Organization))
        seed_cell = db.session.scalar(select(Cell).where(Cell.name == "Chi bộ Trường Mầm non Thượng Thanh"))
        with write_transaction():
            decisions.choose_cell_level(
                organization, 2020, seed_cell.id, Level.GOOD, "Tỉ lệ chi bộ xuất sắc đã đủ", "0", None
            )
        organization_id = organization.id
    issued = runner.invoke(
        args=["decision", "issue", str(organization_id), "2020", "--number", "15-QĐ/ĐU", "--date", "2021-01-15",
              "--signer", "Nguyễn Văn Bình", "--title", "Bí thư"]
    )  # fmt: skip
    assert issued.exit_code == 0, issued.output
    return organization_id


def test_an_issued_decision_writes_its_summary_row_and_the_province_shows_it(
    app, runner, seed_path, make_user, login, client
):
    from review.decisions import decision_summary_values
    from review.models import DecisionSeal

    organization_id = issue_the_example_ward(app, runner, seed_path)
    with app.app_context():
        seal = db.session.scalar(select(DecisionSeal))
        document = json.loads(seal.payload)
        values = decision_summary_values(seal.summary)
        assert values == {
            **{
                f"member_{level}": document["members"][level]
                for level in ("excellent", "good", "completed", "not_completed")
            },
            "member_not_rated": document["members"]["not_rated"],
            **{
                f"cell_{level}": document["cell_levels"][level]
                for level in ("excellent", "good", "completed", "not_completed")
            },
        }
        assert values["cell_good"] == 2 and values["cell_excellent"] == 0  # the committee lowered the seed cell
        province = build_province(2020)
        (ward,) = province.wards
        assert (ward.decision_number, ward.decided_excellent) == ("15-QĐ/ĐU", document["members"]["excellent"])
        assert (province.issued, province.decided_excellent) == (1, document["members"]["excellent"])
    make_user("quantri", "admin")
    login("quantri")
    page = client.get("/province?year=2020").get_data(as_text=True)
    assert f'href="/organizations/{organization_id}/decision/2020">Số 15-QĐ/ĐU</a>' in page
    assert f'data-decided-excellent="{document["members"]["excellent"]}"' in page
    # Reopened, the decision is no longer in force: the province says so.
    assert (
        runner.invoke(
            args=["decision", "reopen", str(organization_id), "2020", "--reason", "Kiểm tra lại danh sách"]
        ).exit_code
        == 0
    )
    with app.app_context():
        assert build_province(2020).wards[0].decision_number is None


def test_rebuild_repairs_a_decision_summary_too(app, runner, seed_path):
    from review.decisions import decision_summary_values
    from review.models import DecisionSummary

    issue_the_example_ward(app, runner, seed_path)
    with app.app_context():
        row = db.session.scalar(select(DecisionSummary))
        seal_id, wanted = row.decision_seal_id, decision_summary_values(row)
        row.member_good += 3
        db.session.commit()
    dry = runner.invoke(args=["summaries", "rebuild", "--dry-run"])
    assert dry.exit_code == 1 and f"decision seal {seal_id}" in dry.output
    fixed = runner.invoke(args=["summaries", "rebuild"])
    assert fixed.exit_code == 0 and f"decision seal {seal_id}" in fixed.output
    with app.app_context():
        assert decision_summary_values(db.session.get(DecisionSummary, seal_id)) == wanted
