"""A meeting's history: the sealing's rows carry the audit context "seal"."""

from __future__ import annotations

import json

from sqlalchemy import select

from review.audit import SEAL_CONTEXT, audit_context
from review.extensions import db
from review.models import AuditEntry, User

from test_results_pages import agreed, people, seal_by_both, unsealed  # noqa: F401  (fixtures)


def test_the_final_tally_and_the_seal_are_written_under_the_seal_context(app, runner, unsealed):
    meeting_id = unsealed["meeting_id"]
    agreed(app, unsealed)
    seal_by_both(app, meeting_id)
    with app.app_context():
        entries = list(db.session.scalars(select(AuditEntry).where(AuditEntry.meeting_id == meeting_id)))
        sealing = [e for e in entries if e.context == SEAL_CONTEXT]
        tables = {e.table_name for e in sealing}
        assert {"tally", "tally_row", "seal"} <= tables
        final = [e for e in sealing if e.table_name == "tally" and e.action == "insert"]
        assert len(final) == 1 and json.loads(final[0].after)["entry"] == "final"
        # The approval itself is the clicking person's own act, written without the context.
        approvals = [e for e in entries if e.table_name == "seal_approval" and e.action == "insert"]
        assert approvals and all(e.context is None for e in approvals)
        # Nothing else of the meeting carries it: the entries typed before are the typists'.
        assert all(e.context is None for e in entries if e.table_name == "tally_row" and e not in sealing)
        bithu = db.session.scalar(select(User).where(User.username == "bithu"))
        assert all(e.actor_id == bithu.id for e in sealing)  # the last to approve triggered it
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0  # the context is hashed, the chain holds


def test_audit_context_is_restored_after_the_block_and_on_failure(app):
    with app.app_context():
        session = db.session
        with audit_context(session, "outer"):
            with audit_context(session, "inner"):
                assert session.info["audit_context"] == "inner"
            assert session.info["audit_context"] == "outer"
        assert "audit_context" not in session.info
        try:
            with audit_context(session, SEAL_CONTEXT):
                raise RuntimeError
        except RuntimeError:
            pass
        assert "audit_context" not in session.info
