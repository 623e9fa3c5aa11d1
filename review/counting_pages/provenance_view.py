"""The provenance section of the results page: where the entries and approvals came from, and
the warnings a seal recorded (``review.trust``), arranged as plain data for the template
``counting/_provenance.html``. Shown alike to the secretary, the counters and the ward.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from ..counting import DELETED_ACCOUNT, meeting_provenance, seal_provenance
from ..i18n import translate
from ..models import Meeting
from ..translatable import N_
from ..trust import Origin, Provenance
from ..vocabulary import TALLY_ENTRY_LABELS

ENTRY_LABELS = TALLY_ENTRY_LABELS
APPROVAL_LABELS = {"chief": N_("Xác nhận của trưởng ban kiểm phiếu"), "secretary": N_("Xác nhận của bí thư")}


def origin_line(label: str, origin: Origin) -> dict[str, Any]:
    """Return one entry's or approval's origin as the page writes it."""
    if origin.via_code:
        by = origin.code_issued_by_name or _("(không rõ người cấp)")
        how = _("bằng mã đăng nhập một lần do %(by)s cấp", by=by)
    elif origin.account_id is None:
        how = _("tài khoản đã xóa")
    else:
        how = _("bằng tài khoản riêng")
    return {
        "label": label,
        "who": _(DELETED_ACCOUNT) if origin.account_name == DELETED_ACCOUNT else origin.account_name,
        "username": origin.username,
        "how": how,
        "at": origin.at,  # the page writes it with the when filter
        "address": origin.address or _("không ghi nhận"),
        "sign_in": (origin.sign_in or "")[:8] or _("không ghi nhận"),  # enough to tell browser sessions apart
    }


def lines(recorded: Provenance) -> list[dict[str, Any]]:
    shown = [
        origin_line(translate(ENTRY_LABELS[k]), recorded.entries[k]) for k in ENTRY_LABELS if k in recorded.entries
    ]
    return shown + [
        origin_line(_(APPROVAL_LABELS[k]), recorded.approvals[k]) for k in APPROVAL_LABELS if k in recorded.approvals
    ]


def warnings_of(recorded: Provenance | None) -> list[dict[str, str]]:
    if recorded is None:
        return []
    # A recorded warning is a core message (review.trust), translated as a whole once read back.
    return [{"kind": str(w.kind), "message": translate(w.message)} for w in recorded.warnings]


def provenance_section(meeting: Meeting) -> dict[str, Any]:
    """Return the provenance section: the seal's record when sealed, else what sealing now would record."""
    superseded = [
        {
            "label": translate(ENTRY_LABELS.get(t.entry, t.entry)),
            "who": t.user.person_name if t.user else _(DELETED_ACCOUNT),
            "username": t.user.username if t.user else "",
            "saved_at": t.updated_at,
            "superseded_at": t.superseded_at,
        }
        for t in sorted(
            (t for t in meeting.tallies if t.superseded_at is not None), key=lambda t: (t.superseded_at, t.id or 0)
        )
    ]
    earlier = [
        {"version": s.version, "warnings": warnings_of(seal_provenance(s)), "recorded": s.provenance is not None}
        for s in meeting.seals
        if s is not meeting.current_seal
    ]
    seal = meeting.current_seal
    if seal is not None:
        recorded = seal_provenance(seal)
        state = (
            "sealed"
            if recorded is not None
            else ("file" if seal.chief_id is None and seal.secretary_id is None else "unrecorded")
        )
    else:
        recorded = meeting_provenance(meeting)
        state = "open"
    return {
        "state": state,
        "lines": lines(recorded) if recorded is not None else [],
        "warnings": warnings_of(recorded),
        "superseded": superseded,
        "earlier": earlier,
    }
