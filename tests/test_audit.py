"""The audit trail: every change appended, hash-chained, append-only; `audit verify` finds tampering."""

from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from review.audit import GENESIS, AuditRefused
from review.extensions import db
from review.models import AuditEntry, Cell, IndividualReview, Member, Organization, Participant, User

from conftest import csrf_token, form_values

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
        **form_values(client, url), "summary": summary, "self_level": "good",
        "feedback-0-speaker": "0", "feedback-0-text": "", "response": "", "conclusion": "Kết luận.",
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
        with app.app_context():
            with db.engine.begin() as connection:
                if dialect == "postgresql":
                    connection.execute(text("ALTER TABLE audit_entry ENABLE TRIGGER audit_entry_append_only"))


def raw(app, statement: str, **params: object) -> None:  # type: ignore[no-untyped-def]
    """Run SQL straight on the database, outside the application's sessions."""
    with app.app_context():
        with db.engine.begin() as connection:
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
                "id": e.id, "at": e.at.isoformat(), "actor_id": e.actor_id, "actor": e.actor, "table": e.table_name,
                "row_id": e.row_id, "action": e.action, "meeting_id": e.meeting_id, "before": e.before, "after": e.after,
            },
            sort_keys=True, ensure_ascii=False, separators=(",", ":"),
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
        raw(app, "UPDATE audit_entry SET actor = :actor, hash = :hash WHERE id = :id",
            actor=row.actor, hash=stored_hash(row), id=target.id)
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
            db.session.add(AuditEntry(id=10_000, at=entry.at, actor="x", table_name="meeting", action="insert",
                                      prev_hash=GENESIS, hash="f" * 64))
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
        **form_values(client, url), "summary": "Có ký tự điều khiển \x07.", "self_level": "good",
        "feedback-0-speaker": "0", "feedback-0-text": "", "response": "", "conclusion": "",
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
    """integrity.last_change asks the log by (table, row): the index that answers it exists."""
    from sqlalchemy import inspect as schema

    with app.app_context():
        indexes = {tuple(i["column_names"]) for i in schema(db.engine).get_indexes("audit_entry")}
        assert ("table_name", "row_id") in indexes
