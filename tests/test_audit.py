"""The audit trail: every change appended, hash-chained, append-only; `audit verify` finds tampering."""

from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from review.audit import GENESIS, AuditRefused
from review.extensions import db
from review.models import AuditEntry, Cell, IndividualReview, Meeting, Member, Organization, Participant, Seal, User

from helpers import csrf_token, form_values, postgresql_only

SECRETARY = "bithu"


@pytest.fixture
def seeded(app, runner, seed_path, make_user, login):  # type: ignore[no-untyped-def]
    """Import the seed meeting from the command line and sign its secretary in."""
    result = runner.invoke(args=["meeting", "import", str(seed_path)])
    assert result.exit_code == 0, result.output
    make_user(SECRETARY, "secretary", cell_id=1, display_name="Nguyễn Thị Ngọc Hân")
    assert login(SECRETARY).status_code == 302
    return 1


def entries(app, **where: object) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    """Return the audit entries matching ``where``, in chain order."""
    with app.app_context():
        query = select(AuditEntry).order_by(AuditEntry.id)
        for key, value in where.items():
            query = query.where(getattr(AuditEntry, key) == value)
        found = list(db.session.scalars(query))
        db.session.expunge_all()
        return found


def participant_id(app, code: str) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(
            select(Participant.id).join(Participant.member).where(Participant.meeting_id == 1, Member.code == code)
        )


def save_review(client, pid: int, summary: str):  # type: ignore[no-untyped-def]
    url = f"/meetings/1/reviews/{pid}"
    data = {
        **form_values(client, url),
        "summary": summary,
        "self_level": "good",
        "feedback-0-speaker": "0",
        "feedback-0-text": "",
        "response": "",
        "conclusion": "Kết luận.",
    }
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)


@contextmanager
def triggers_off(app):  # type: ignore[no-untyped-def]
    """Take the database's append-only triggers away, as someone with direct access could."""
    with app.app_context():
        dialect = db.engine.dialect.name
        with db.engine.begin() as connection:
            if dialect == "postgresql":
                connection.execute(text("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only"))
            else:
                connection.execute(text("DROP TRIGGER audit_entry_no_update"))
                connection.execute(text("DROP TRIGGER audit_entry_no_delete"))
    try:
        yield
    finally:
        with app.app_context(), db.engine.begin() as connection:
            if dialect == "postgresql":
                connection.execute(text("ALTER TABLE audit_entry ENABLE TRIGGER audit_entry_append_only"))


def raw(app, statement: str, **params: object) -> None:  # type: ignore[no-untyped-def]
    """Run SQL straight on the database, outside the application's sessions."""
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text(statement), params)


def test_a_change_through_a_page_is_logged_with_before_after_and_the_user(app, client, seeded):
    pid = participant_id(app, "m02")
    with app.app_context():
        review = db.session.scalar(select(IndividualReview).where(IndividualReview.participant_id == pid))
        review_id, old_summary = review.id, review.summary
        user_id = db.session.scalar(select(User.id).where(User.username == SECRETARY))
    save_review(client, pid, "Bản tự kiểm điểm mới: <script>x</script>")

    logged = entries(app, table_name="individual_review", row_id=review_id, action="update")
    assert len(logged) == 1
    entry = logged[0]
    assert (entry.actor_id, entry.actor, entry.meeting_id) == (user_id, SECRETARY, 1)
    before, after = json.loads(entry.before), json.loads(entry.after)
    assert before["summary"] == old_summary
    assert after["summary"] == "Bản tự kiểm điểm mới: <script>x</script>"
    assert after["version"] == before["version"] + 1
    assert set(after) == set(before)  # only the changed columns
    assert "participant_id" not in after and "id" not in after
    # The import before it was made from the command line; every entry names its meeting.
    imported = entries(app, table_name="participant", action="insert")
    assert imported and all(e.actor == "cli" and e.actor_id is None and e.meeting_id == 1 for e in imported)


def test_entries_are_chained_by_sha256_of_the_previous_hash_and_the_canonical_entry(app, seeded):
    chain = entries(app)
    assert [e.id for e in chain] == list(range(1, len(chain) + 1))
    previous = GENESIS
    for e in chain:
        payload = json.dumps(
            {
                "id": e.id,
                "at": e.at.isoformat(),
                "actor_id": e.actor_id,
                "actor": e.actor,
                "table": e.table_name,
                "row_id": e.row_id,
                "action": e.action,
                "meeting_id": e.meeting_id,
                "before": e.before,
                "after": e.after,
            },
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
        )
        assert e.prev_hash == previous
        assert e.hash == hashlib.sha256((previous + payload).encode()).hexdigest()
        previous = e.hash


def test_verify_reports_ok_with_the_count(app, runner, client, seeded):
    save_review(client, participant_id(app, "m03"), "Một thay đổi.")
    count = len(entries(app))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert f"OK: {count} mục" in result.output
    assert entries(app)[-1].hash in result.output


def test_editing_an_entrys_payload_in_the_database_breaks_the_chain_there(app, runner, client, seeded):
    save_review(client, participant_id(app, "m02"), "Nội dung thật.")
    target = entries(app, table_name="individual_review", action="update")[0]
    forged = target.after.replace("Nội dung thật.", "Nội dung giả.")
    assert forged != target.after
    with triggers_off(app):
        raw(app, "UPDATE audit_entry SET after = :after WHERE id = :id", after=forged, id=target.id)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"Chuỗi nhật ký bị đứt ở mục {target.id}:" in result.output
    assert "nội dung đã bị sửa" in result.output


def test_rehashing_a_forged_entry_breaks_the_next_link(app, runner, client, seeded):
    from review.audit import stored_hash

    save_review(client, participant_id(app, "m02"), "Nội dung thật.")
    target = entries(app)[3]
    with app.app_context():
        row = db.session.get(AuditEntry, target.id)
        db.session.expunge(row)
    row.actor = "someone-else"
    with triggers_off(app):
        raw(
            app,
            "UPDATE audit_entry SET actor = :actor, hash = :hash WHERE id = :id",
            actor=row.actor,
            hash=stored_hash(row),
            id=target.id,
        )
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"Chuỗi nhật ký bị đứt ở mục {target.id + 1}:" in result.output
    assert "không nối với mục trước" in result.output


def test_deleting_an_entry_in_the_database_is_reported_by_its_id(app, runner, seeded):
    victim = entries(app)[5].id
    with triggers_off(app):
        raw(app, "DELETE FROM audit_entry WHERE id = :id", id=victim)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"Chuỗi nhật ký bị đứt ở mục {victim}:" in result.output
    assert "đã bị xóa" in result.output


def test_the_application_never_updates_or_deletes_entries(app, seeded):
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id).limit(1))
        entry.actor = "forged"
        with pytest.raises(AuditRefused):
            db.session.flush()
        db.session.rollback()
        entry = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id).limit(1))
        db.session.delete(entry)
        with pytest.raises(AuditRefused):
            db.session.flush()
        db.session.rollback()
        with pytest.raises(AuditRefused):
            db.session.execute(update(AuditEntry).values(actor="forged"))
        db.session.rollback()
        with pytest.raises(AuditRefused):
            db.session.execute(delete(AuditEntry))
        db.session.rollback()
        with pytest.raises(AuditRefused):  # a Core statement run by the session too
            db.session.execute(update(AuditEntry.__table__).values(actor="forged"))
        db.session.rollback()
        with pytest.raises(AuditRefused):  # nor writes one by hand
            db.session.add(
                AuditEntry(
                    id=10_000,
                    at=entry.at,
                    actor="x",
                    table_name="meeting",
                    action="insert",
                    prev_hash=GENESIS,
                    hash="f" * 64,
                )
            )
            db.session.flush()
        db.session.rollback()


def test_the_database_refuses_update_and_delete_of_entries(app, seeded):
    for statement in ("UPDATE audit_entry SET actor = 'forged'", "DELETE FROM audit_entry"):
        with pytest.raises(DBAPIError) as refused:
            raw(app, statement)
        assert "append-only" in str(refused.value)
    assert all(e.actor != "forged" for e in entries(app))


def test_a_refused_save_leaves_no_entry(app, client, seeded):
    before = len(entries(app))
    pid = participant_id(app, "m02")
    url = f"/meetings/1/reviews/{pid}"
    data = {
        **form_values(client, url),
        "summary": "Có ký tự điều khiển \x07.",
        "self_level": "good",
        "feedback-0-speaker": "0",
        "feedback-0-text": "",
        "response": "",
        "conclusion": "",
    }
    assert client.post(url, data=data).status_code == 422
    assert len(entries(app)) == before


def test_deletes_by_cascade_are_logged_with_their_columns(app, client, seeded):
    pid = participant_id(app, "m02")
    with app.app_context():
        review = db.session.scalar(select(IndividualReview).where(IndividualReview.participant_id == pid))
        feedback_ids = [f.id for f in review.feedback]
        assert feedback_ids
    save_review(client, pid, "Bỏ hết ý kiến góp ý.")  # the form's only row is blank: the stored rows go
    deleted = entries(app, table_name="feedback", action="delete")
    assert sorted(e.row_id for e in deleted) == sorted(feedback_ids)
    assert all(e.meeting_id == 1 and json.loads(e.before)["text"] and e.after is None for e in deleted)


def test_the_history_page_shows_who_changed_what_escaped(app, client, seeded, make_user, login):
    pid = participant_id(app, "m02")
    save_review(client, pid, "Nội dung <b>mới</b> của bản tự kiểm điểm.")
    page = client.get("/meetings/1/history")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Nhật ký thay đổi" in body and "Nguyễn Thị Ngọc Hân" in body and "Tự kiểm điểm" in body
    assert "Nội dung &lt;b&gt;mới&lt;/b&gt; của bản tự kiểm điểm." in body
    assert "Dòng lệnh" in body  # the import
    assert client.get("/meetings/1").status_code == 302  # the steps link to it
    assert "/meetings/1/history" in client.get("/meetings/1/opening").get_data(as_text=True)

    with app.app_context():
        organization_id = db.session.scalar(select(Cell.organization_id).where(Cell.id == 1))
        other = Organization(name="Đảng bộ phường khác", place="Hà Nội")
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    make_user("danguy", "ward", organization_id=organization_id)
    assert login("danguy").status_code == 302
    assert "Nguyễn Thị Ngọc Hân" in client.get("/meetings/1/history").get_data(as_text=True)
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    make_user("danguy-khac", "ward", organization_id=other_id)
    assert login("danguy-khac").status_code == 302
    assert client.get("/meetings/1/history").status_code == 404  # another ward sees nothing
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    make_user("kiemphieu", "counter", cell_id=1)
    assert login("kiemphieu").status_code == 302
    assert client.get("/meetings/1/history").status_code == 403
    assert client.get("/meetings/999/history").status_code == 403


def test_the_latest_change_of_a_row_is_found_through_the_lookup_index(app, client, seeded):
    """versioning.last_change asks the log by (table, row): the index that answers it exists."""
    from sqlalchemy import inspect as schema

    with app.app_context():
        indexes = {tuple(i["column_names"]) for i in schema(db.engine).get_indexes("audit_entry")}
        assert ("table_name", "row_id") in indexes


# ---------------------------------------------------------------------------
# TRUNCATE, an emptied log, and the seals' anchors


def is_sqlite(app) -> bool:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.engine.dialect.name == "sqlite"


@pytest.fixture
def imported(app, runner, seed_path, make_user):  # type: ignore[no-untyped-def]
    """Import the seed meeting (it arrives sealed) and make its secretary, without signing in."""
    result = runner.invoke(args=["meeting", "import", str(seed_path)])
    assert result.exit_code == 0, result.output
    return make_user(SECRETARY, "secretary", cell_id=1, display_name="Nguyễn Thị Ngọc Hân")


def change_a_review(app, summary: str) -> None:  # type: ignore[no-untyped-def]
    """Change one review text through the ORM: the flush appends its entries."""
    with app.app_context():
        review = db.session.scalar(select(IndividualReview).order_by(IndividualReview.id).limit(1))
        review.summary = summary
        db.session.commit()


def test_the_database_refuses_truncate_of_the_log(app, imported):
    if is_sqlite(app):
        pytest.skip("SQLite has no TRUNCATE; its DELETE trigger refuses emptying the log")
    before = len(entries(app))
    for statement in ("TRUNCATE audit_entry", "TRUNCATE audit_entry RESTART IDENTITY CASCADE"):
        with pytest.raises(DBAPIError) as refused:
            raw(app, statement)
        assert "append-only" in str(refused.value)
    assert len(entries(app)) == before


@postgresql_only
def test_a_migrated_postgresql_database_refuses_truncate_of_the_log():
    """Migration 0011 adds the trigger to databases built by migrations; its downgrade takes it away."""
    from review import create_app

    from helpers import create_postgres_database, drop_postgres_database

    url = create_postgres_database("review_truncate")
    try:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
        runner = app.test_cli_runner()
        upgraded = runner.invoke(args=["db", "upgrade"])
        assert upgraded.exit_code == 0, upgraded.output
        with pytest.raises(DBAPIError) as refused:
            raw(app, "TRUNCATE audit_entry")
        assert "append-only" in str(refused.value)
        assert runner.invoke(args=["db", "downgrade", "0010"]).exit_code == 0
        raw(app, "TRUNCATE audit_entry")  # 0010's schema had no TRUNCATE trigger
        with app.app_context():
            db.engine.dispose()
    finally:
        drop_postgres_database(url)


def test_verify_fails_on_an_empty_log_while_records_exist(app, runner, imported):
    with triggers_off(app):
        raw(app, "DELETE FROM audit_entry")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "nhật ký thay đổi trống trong khi cơ sở dữ liệu có" in result.output
    assert "1 hội nghị" in result.output and "10 đảng viên" in result.output and "1 tài khoản" in result.output
    assert "OK" not in result.output


def test_verify_passes_an_empty_log_of_an_empty_database(app, runner):
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "OK: 0 mục nhật ký" in result.output and GENESIS in result.output


def reseal(app) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    """Reopen meeting 1 and seal it again; return the chain's head just before the sealing and the seal's id."""
    from review.counting import reopen
    from review.meeting_store import meeting_file, seal_meeting

    with app.app_context():
        meeting = db.session.get(Meeting, 1)
        user = db.session.scalar(select(User).where(User.username == SECRETARY))
        reopen(meeting, user, "Nhập nhầm số phiếu của một đồng chí.")
        db.session.commit()
        head = db.session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
        meeting = db.session.get(Meeting, 1)
        seal = seal_meeting(meeting, meeting_file(meeting), chief_id=None, secretary_id=user.id)
        seal.audit_anchor = "f" * 64  # whatever a sealing path gives, the chain's head is recorded
        db.session.commit()
        return head, seal.id


def test_each_seal_anchors_on_the_chain_head_before_its_own_entries(app, imported):
    from review.seal_guard import SealedError

    # The import is one flush into an empty log: its seal anchors on the chain's genesis.
    first_entry = entries(app, table_name="seal", action="insert")[0]
    assert json.loads(first_entry.after)["audit_anchor"] == GENESIS
    assert all(e.at == first_entry.at for e in entries(app)[: first_entry.id])  # all of the importing flush
    with app.app_context():
        assert db.session.scalar(select(Seal.audit_anchor).where(Seal.version == 1)) == GENESIS

    head, seal_id = reseal(app)
    assert head != GENESIS
    own = entries(app, table_name="seal", row_id=seal_id, action="insert")[0]
    assert json.loads(own.after)["audit_anchor"] == head
    anchor_entry = entries(app, hash=head)[0]
    assert anchor_entry.id < own.id and anchor_entry.at != own.at
    with app.app_context():
        seal = db.session.get(Seal, seal_id)
        assert seal.version == 2 and seal.audit_anchor == head
        seal.audit_anchor = GENESIS  # set at insert, never changed
        with pytest.raises(SealedError):
            db.session.flush()
        db.session.rollback()
        assert db.session.get(Seal, seal_id).audit_anchor == head


def test_verify_lists_what_the_ward_keeps_of_each_seal_in_force(app, runner, imported):
    head, seal_id = reseal(app)
    with app.app_context():
        seal = db.session.get(Seal, seal_id)
        cell = db.session.get(Cell, 1).name
        fingerprint = seal.fingerprint
    result = runner.invoke(args=["audit", "verify", "--anchors"])
    assert result.exit_code == 0, result.output
    assert "Niêm phong đang có hiệu lực (1)" in result.output
    assert (
        f"hội nghị 1 · {cell} · năm 2020 · phiên bản 2 · SHA-256: {fingerprint} · mốc nhật ký: {head}" in result.output
    )
    assert "phiên bản 1 ·" not in result.output  # reopened: no longer in force
    assert "Mốc của 2 bản niêm phong có trong chuỗi" in result.output


def rewrite_chain_without(app, victim: int) -> None:  # type: ignore[no-untyped-def]
    """Delete one entry and re-link every later one, as someone with direct access could: the chain holds again."""
    from review.audit import stored_hash

    chain = entries(app)
    previous = chain[victim - 2].hash if victim > 1 else GENESIS
    with triggers_off(app):
        raw(app, "DELETE FROM audit_entry WHERE id = :id", id=victim)
        for row in chain[victim:]:
            old_id = row.id
            row.id, row.prev_hash = old_id - 1, previous
            row.hash = previous = stored_hash(row)
            raw(
                app,
                "UPDATE audit_entry SET id = :id, prev_hash = :prev, hash = :hash WHERE id = :old",
                id=row.id,
                prev=row.prev_hash,
                hash=row.hash,
                old=old_id,
            )


def test_verify_fails_when_a_seal_anchor_is_not_in_the_chain(app, runner, imported):
    change_a_review(app, "Nội dung trước lúc niêm phong lại.")
    head, _ = reseal(app)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    rewrite_chain_without(app, entries(app, hash=head)[0].id - 1)  # an entry before the anchor goes
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"Niêm phong phiên bản 2 của hội nghị 1: mốc {head} không có trong chuỗi nhật ký" in result.output
    assert "chuỗi mã băm khớp, nhưng có 1 vấn đề" in result.output  # the links alone would pass
    assert "OK" not in result.output


def test_verify_fails_when_a_seal_lost_its_entry_or_its_anchor(app, runner, imported):
    head, seal_id = reseal(app)
    # The seal's anchor changed in the database, beside the application: its own entry disagrees.
    raw(app, "UPDATE seal SET audit_anchor = NULL WHERE id = :id", id=seal_id)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "mốc trên bản niêm phong khác mốc ghi trong nhật ký" in result.output
    # The tail cut from the seal's own entry on: the seal has no entry left.
    raw(app, "UPDATE seal SET audit_anchor = :head WHERE id = :id", head=head, id=seal_id)
    own = entries(app, table_name="seal", row_id=seal_id, action="insert")[0]
    with triggers_off(app):
        raw(app, "DELETE FROM audit_entry WHERE id >= :id", id=own.id)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "nhật ký không có mục ghi việc niêm phong" in result.output


def test_verify_expect_detects_a_cut_off_tail(app, runner, imported):
    change_a_review(app, "Lần sửa thứ nhất.")
    kept_earlier = entries(app)[-1]
    change_a_review(app, "Lần sửa thứ hai.")
    kept_last = entries(app)[-1].hash
    result = runner.invoke(args=["audit", "verify", "--expect", kept_earlier.hash, "--expect", kept_last.upper()])
    assert result.exit_code == 0, result.output
    assert f"Mã băm đã giữ {kept_earlier.hash} có trong chuỗi (mục {kept_earlier.id})." in result.output

    with triggers_off(app):
        raw(app, "DELETE FROM audit_entry WHERE id > :id", id=kept_earlier.id)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0  # a cut tail leaves an unbroken chain
    result = runner.invoke(args=["audit", "verify", "--expect", kept_last])
    assert result.exit_code == 1
    assert (
        f"Mã băm đã giữ {kept_last} không có trong chuỗi nhật ký: phần cuối của nhật ký đã bị cắt đi" in result.output
    )

    result = runner.invoke(args=["audit", "verify", "--expect", "không-phải-mã-băm"])
    assert result.exit_code == 2 and "không phải mã băm SHA-256" in result.output


# Seals older than the log (databases sealed before migration 0006 created it)

SEALED_BEFORE_THE_LOG = datetime(2021, 1, 10, 8, 0)  # naive UTC, as the seal column stores it (15:00 in Hà Nội)


def seal_before_the_log(app) -> None:  # type: ignore[no-untyped-def]
    """Make the imported seal one from before the log: no anchor, no entry, the log begun after it."""
    with triggers_off(app):
        raw(app, "DELETE FROM audit_entry")
    raw(app, "UPDATE seal SET audit_anchor = NULL, sealed_at = :at WHERE id = 1", at=SEALED_BEFORE_THE_LOG)
    change_a_review(app, "Sửa đầu tiên sau khi có nhật ký.")  # the log's first entries


def test_a_seal_older_than_the_log_passes_and_is_listed_as_such(app, runner, imported):
    seal_before_the_log(app)
    result = runner.invoke(args=["audit", "verify", "--anchors"])
    assert result.exit_code == 0, result.output
    assert "mốc nhật ký: không có (niêm phong trước khi có nhật ký)" in result.output
    assert "1 bản niêm phong trước khi có nhật ký" in result.output
    assert "Mốc của 0 bản niêm phong" in result.output and "trước khi có mốc" not in result.output
    # Reopened and sealed again after the log began: the old seal still passes, the new one is anchored.
    reseal(app)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "Mốc của 1 bản niêm phong" in result.output and "1 bản niêm phong trước khi có nhật ký" in result.output


def test_a_seal_without_an_entry_after_the_log_began_or_with_an_anchor_still_fails(app, runner, imported):
    seal_before_the_log(app)
    missing = "Niêm phong phiên bản 1 của hội nghị 1: nhật ký không có mục ghi việc niêm phong"
    # With an anchor, a seal must have its entry, whenever it was made.
    raw(app, "UPDATE seal SET audit_anchor = :anchor WHERE id = 1", anchor=GENESIS)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and missing in result.output and "OK" not in result.output
    # Without one, sealed after the log's first entry (both stored as naive UTC).
    log_began = entries(app)[0].at
    raw(app, "UPDATE seal SET audit_anchor = NULL, sealed_at = :at WHERE id = 1", at=log_began + timedelta(days=1))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and missing in result.output
    raw(app, "UPDATE seal SET sealed_at = :at WHERE id = 1", at=SEALED_BEFORE_THE_LOG)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    # A seal written straight into the database after a logged seal, back-dated and without an
    # anchor: its id betrays it (ids only grow), whatever time it claims.
    _, seal_id = reseal(app)
    raw(
        app,
        "INSERT INTO seal (meeting_id, version, payload, fingerprint, audit_anchor, sealed_at, reopened_at, reopen_reason) "
        "SELECT meeting_id, 3, payload, fingerprint, NULL, :at, :at, 'Giả.' FROM seal WHERE id = :id",
        at=SEALED_BEFORE_THE_LOG,
        id=seal_id,
    )
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "Niêm phong phiên bản 3 của hội nghị 1: nhật ký không có mục ghi việc niêm phong" in result.output
    assert "phiên bản 1 của hội nghị 1" not in result.output  # the seal older than the log still passes


def test_a_seal_is_older_than_the_log_only_by_time_and_by_id() -> None:
    from review.audit import sealed_before_log

    began = datetime(2021, 6, 1, 8, 0)
    assert sealed_before_log(datetime(2021, 5, 31, 8, 0), 4, began, 5)
    assert sealed_before_log(datetime(2021, 5, 31, 8, 0), 4, began, None)  # no seal logged yet
    assert not sealed_before_log(datetime(2021, 5, 31, 8, 0), 6, began, 5)  # a later id
    assert not sealed_before_log(began, 4, began, 5)  # not before the first entry
    assert not sealed_before_log(datetime(2021, 5, 31, 8, 0), 4, None, None)  # an empty log has not begun
