"""What the results pages show, arranged from the rules core's results for the templates.

Every figure comes from the rules core (``rules.evaluate`` through ``meeting_store`` and
``counting``); these functions only arrange it as plain data. Who may see what is decided by
``review.access`` in the views, which pass the answer in.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup

from .. import counting
from ..decisions import issued_payload, issued_seal_of
from ..i18n import current_language, translate
from ..meeting_store import FINAL_TALLY, SECOND_BALLOT, meeting_file, record_file, seal_differences, second_ballot_data
from ..meetingfile import MeetingFile
from ..models import Meeting, Seal, User
from ..rules import (
    CELL_ROW,
    FIRST_BALLOT_FIELDS,
    LEVEL_LABELS,
    LEVELS,
    NEW_MEMBER_MONTHS,
    NOT_RATED_LABELS,
    PROFILE_BASIS,
    SECOND_BALLOT_FIELDS,
    UNDECIDED,
    AgreeCap,
    BallotCount,
    BallotMode,
    Level,
    LevelStep,
    MeetingResult,
    Problem,
    Rules,
    SecondBallotCount,
    SecondVotes,
    Votes,
    excellent_is_majority_only,
    flag_label,
    format_ratio,
    level_steps,
)
from ..translatable import N_
from ..vocabulary import (
    AGREE_CAP_LABEL,
    APPROVER_LABELS,
    BALLOT_COUNT_LABELS,
    BALLOT_MODE_LABELS,
    BALLOT_NAMES,
    CELL_ROW_LABEL,
    FIRST_BALLOT_TITLE,
    NOT_RATED_LABEL,
    QUOTA_POOL_LABELS,
    RULE_PARAMETER_LABELS,
    SECOND_BALLOT_COLUMN_LABELS,
    SECOND_BALLOT_TITLE,
    UNDECIDED_LABEL,
    VOTE_COLUMN_LABELS,
)

PROVISIONAL = N_("Kết quả tạm tính (chưa niêm phong)")
NO_MAJORITY = UNDECIDED_LABEL  # one wording (review/vocabulary.py)
BY_IMPORT = N_("nhập từ tệp")
ROLE_NAMES = APPROVER_LABELS
APPROVE_LABELS = {
    "chief": N_("Trưởng ban kiểm phiếu xác nhận niêm phong"),
    "secretary": N_("Bí thư xác nhận niêm phong"),
}
BALLOT_FIELDS = {name: BALLOT_COUNT_LABELS[name] for name in ("issued", "returned", "invalid")}
VOTE_FIELD_LABELS = VOTE_COLUMN_LABELS


def person(user: User | None) -> str:
    """Return the name of an account as the pages write it."""
    if user is None:
        return _(counting.DELETED_ACCOUNT)
    return user.person_name  # the linked member's name, as the header and the tally page name them


def level_label(level: Level | str | None) -> str:
    """Return a vote level or a proposed level in the request's language."""
    if level is None:
        return "—"
    if level == UNDECIDED:
        return translate(NO_MAJORITY)
    return translate(LEVEL_LABELS[Level(level)])


def describe_problem(problem: Problem, names: dict[str, str], fields: dict[str, str] | None = None) -> str:
    """Return a ballot check's problem naming its row, in the request's language (``fields``: the boxes' names, ballot 1's by default)."""
    path = problem.path
    if path and path[0] in BALLOT_FIELDS:
        where = translate(BALLOT_FIELDS[str(path[0])])
    elif len(path) >= 2 and path[0] == "rows":
        key = str(path[1])
        where = _("Dòng tập thể chi bộ") if key == CELL_ROW else _("Dòng đồng chí %(name)s", name=names.get(key, key))
        if len(path) >= 3:
            box = translate((fields or VOTE_FIELD_LABELS).get(str(path[2]), str(path[2])))
            where = _("%(row)s, ô %(box)s", row=where, box=box)
    else:
        where = _("Phiếu")
    return _("%(where)s: %(message)s", where=where, message=translate(problem.message))


def rules_lines(rules: Rules) -> list[dict[str, str]]:
    """Return the rules applied, one line each: what, the value, and its key for the page.

    In the request's language; the profile's basis names central regulations and stays as written.
    """
    threshold = rules.excellent_threshold
    if excellent_is_majority_only(rules):
        excellent = _("quá nửa (%(ratio)s) số thành viên, như các mức khác", ratio=format_ratio(threshold))
    else:
        excellent = _("từ %(ratio)s số thành viên trở lên (và quá nửa)", ratio=format_ratio(threshold))
    if rules.sick_leave_cap_months is None:
        sick = _("Không giới hạn: đánh giá theo kết quả công việc thực tế")
    else:
        sick = ngettext(
            "Nghỉ ốm từ %(num)d tháng trở lên trong năm: tối đa Hoàn thành nhiệm vụ",
            "Nghỉ ốm từ %(num)d tháng trở lên trong năm: tối đa Hoàn thành nhiệm vụ",
            rules.sick_leave_cap_months,
        )
    return [
        {
            "key": "profile",
            "what": _("Hồ sơ quy định"),
            "value": _(
                "%(profile)s (năm %(years)s): %(basis)s",
                profile=rules.profile,
                years=translate(rules.years),
                basis=translate(PROFILE_BASIS.get(rules.profile, "")),
            ),
        },
        {
            "key": "quorum",
            "what": translate(RULE_PARAMETER_LABELS["quorum"]),
            "value": _("%(ratio)s số thành viên", ratio=format_ratio(rules.quorum)),
        },
        {"key": "threshold", "what": _("Ngưỡng mỗi mức"), "value": _("quá nửa số thành viên (cơ sở tính)")},
        {"key": "excellent_threshold", "what": _("Ngưỡng Hoàn thành xuất sắc nhiệm vụ"), "value": excellent},
        {
            "key": "cumulative",
            "what": translate(RULE_PARAMETER_LABELS["cumulative"]),
            "value": _("Có: phiếu mức cao hơn được tính cho các mức thấp hơn")
            if rules.cumulative
            else _("Không: mỗi mức chỉ tính phiếu của chính mức đó"),
        },
        {
            "key": "ballot_mode",
            "what": translate(RULE_PARAMETER_LABELS["ballot_mode"]),
            "value": translate(BALLOT_MODE_LABELS[rules.ballot_mode]),
        },
        *agree_cap_lines(rules),
        {
            "key": "quota",
            "what": translate(RULE_PARAMETER_LABELS["quota_ratio"]),
            "value": _(
                "%(ratio)s %(pool)s, làm tròn xuống",
                ratio=format_ratio(rules.quota_ratio),
                pool=translate(QUOTA_POOL_LABELS[rules.quota_pool]),
            ),
        },
        {"key": "sick_leave_cap", "what": _("Nghỉ ốm dài ngày"), "value": sick},
        {
            "key": "new_members",
            "what": ngettext(
                "Đảng viên vào Đảng chưa đủ %(num)d tháng",
                "Đảng viên vào Đảng chưa đủ %(num)d tháng",
                NEW_MEMBER_MONTHS,
            ),
            "value": _("Được kiểm điểm nhưng không xếp loại")
            if rules.new_members_reviewed
            else _("Không kiểm điểm, không xếp loại"),
        },
        {
            "key": "scored",
            "what": _("Chấm điểm (thang 100)"),
            "value": _("Có: mức xếp loại không cao hơn mức của điểm tự chấm") if rules.scored else _("Không"),
        },
    ]


def agree_cap_lines(rules: Rules) -> list[dict[str, str]]:
    """Return the agree cap's line under two ballots (SPEC 5.8), none under a single ballot."""
    if rules.ballot_mode is not BallotMode.TWO_PHASE:
        return []
    if rules.agree_cap is AgreeCap.NONE:
        value = _("Không giới hạn số phiếu đồng ý trên mỗi phiếu vòng 2")
    else:
        value = _(
            "Mỗi phiếu vòng 2 đồng ý tối đa %(ratio)s số đảng viên được biểu quyết, "
            "làm tròn xuống; phiếu đồng ý quá số đó là phiếu không hợp lệ",
            ratio=format_ratio(rules.quota_ratio),
        )
    return [{"key": "agree_cap", "what": translate(AGREE_CAP_LABEL), "value": value}]


def quota_line(result: MeetingResult, rules: Rules) -> dict[str, object]:
    """Return the quota on excellent as the page states it (a warning at cell level, SPEC 5.6)."""
    q = result.quota
    return {
        "pool": q.pool,
        "limit": q.limit,
        "excellent": q.excellent,
        "exceeded": q.exceeded,
        "ratio": format_ratio(rules.quota_ratio),
        "pool_label": translate(QUOTA_POOL_LABELS[rules.quota_pool]),
        "pool_kind": str(rules.quota_pool),
    }


def results_view(meeting: Meeting) -> dict[str, Any]:
    """Return the results to show: from the sealed final tally, else from the first entry, else none."""
    # Between two ballots, ballot 1 is its sealed final tally; otherwise the first entry, until the seal.
    first = meeting.tally(FINAL_TALLY) if meeting.first_ballot_sealed else meeting.tally("first")
    count: BallotCount | None = None
    if meeting.sealed:
        source = "sealed"
        mf = record_file(meeting)  # what was sealed, not the records as they may have changed since
        result = mf.evaluate()
        count = mf.ballot.count() if mf.ballot is not None else None
    elif first is not None and first.updated_at is not None:
        source = "provisional"
        mf = meeting_file(meeting)
        result = counting.entry_result(meeting, first)
        count = counting.ballot_of(first)
    else:
        source = "none"
        mf = meeting_file(meeting)
        result = mf.evaluate()
    second: SecondBallotCount | None = None
    if mf.rules.ballot_mode is BallotMode.TWO_PHASE:
        if source == "sealed":
            second = mf.ballot.second.count() if mf.ballot is not None and mf.ballot.second is not None else None
        elif source == "provisional" and count is not None:
            mf, result, second = provisional_second_ballot(meeting, count, mf, result)
    names = {m.id: m.name for m in mf.members}
    rows: dict[str, Votes] = dict(count.rows) if count is not None else {}
    rated, not_rated = [], []
    for r in result.members:
        if not r.rated:
            not_rated.append(
                {"key": r.key, "name": names[r.key], "reason": translate(NOT_RATED_LABELS[r.not_rated_reason])}
            )
            continue
        rated.append(
            {
                "key": r.key,
                "name": names[r.key],
                "votes": rows.get(r.key),
                "vote_key": str(r.vote_level) if r.vote_level is not None else "",
                "vote_level": level_label(r.vote_level),
                "proposed_key": str(r.proposed_level) if r.proposed_level is not None else "",
                "proposed_level": level_label(r.proposed_level) if r.vote_level is not None else "—",
                "flags": [translate(flag_label(f, mf.rules)) for f in r.flags],
            }
        )
    cell = {
        "votes": rows.get(CELL_ROW),
        "vote_key": str(result.cell.vote_level) if result.cell.vote_level is not None else "",
        "vote_level": level_label(result.cell.vote_level),
        "proposed_key": str(result.cell.proposed_level) if result.cell.proposed_level is not None else "",
        "proposed_level": level_label(result.cell.proposed_level) if result.cell.vote_level is not None else "—",
        "flags": [translate(flag_label(f, mf.rules)) for f in result.cell.flags],
    }
    summary = [
        {"key": str(level), "label": translate(LEVEL_LABELS[level]), "count": result.summary[str(level)]}
        for level in LEVELS
    ]
    summary += [
        {
            "key": "undecided",
            "label": _("%(label)s (biểu quyết lại hoặc đảng ủy quyết định)", label=translate(UNDECIDED_LABEL)),
            "count": result.summary["undecided"],
        },
        {"key": "not_rated", "label": translate(NOT_RATED_LABEL), "count": result.summary["not_rated"]},
    ]
    return {
        "source": source,
        "first_ballot_sealed": meeting.first_ballot_sealed and not meeting.sealed,
        "mf": mf,
        "result": result,
        "count": count,
        "valid": count.valid if count is not None else None,
        "members": rated,
        "not_rated": not_rated,
        "cell": cell,
        "summary": summary,
        "quota": quota_line(result, mf.rules),
        "rules": rules_lines(mf.rules),
        "problems": [describe_problem(p, names) for p in result.ballot_problems],
        "vote_fields": [(str(level), translate(level.short), translate(LEVEL_LABELS[level])) for level in LEVELS],
        "two": two_ballots_view(mf.rules, result, count, second, names)
        if mf.rules.ballot_mode is BallotMode.TWO_PHASE
        else None,
    }


# ---------------------------------------------------------------------------
# Two ballots (SPEC 5.8): both ballots, the candidates, and how each level came about


def provisional_second_ballot(
    meeting: Meeting, count: BallotCount, mf: MeetingFile, result: MeetingResult
) -> tuple[MeetingFile, MeetingResult, SecondBallotCount | None]:
    """Return the meeting file and results with the first entry of ballot 2, when one is typed.

    Ballot 1 is ``count`` (its first entry, as the single ballot's provisional results); with no
    entry of ballot 2 yet the results stay ballot 1's (``awaiting_second_ballot``).
    """
    entry = meeting.tally("first", SECOND_BALLOT)
    if entry is None or entry.updated_at is None:
        return mf, result, None
    with_both = counting.with_ballot(meeting, count)
    assert with_both.ballot is not None
    order = {p.id: i for i, p in enumerate(meeting.participants)}
    with_both.ballot.second = second_ballot_data(entry, order)
    return with_both, with_both.evaluate(), with_both.ballot.second.count()


def share_text(votes: int, base: int) -> str:
    """Return votes as a share of the base for the page: '80%', '66,7%' ('66.7%' in English; display only, never a rule)."""
    if base <= 0:
        return "—"
    share = round(Fraction(votes * 100, base), 1)
    if share.denominator == 1:
        return f"{share.numerator}%"
    text = f"{float(share):.1f}"
    return (text.replace(".", ",") if current_language() == "vi" else text) + "%"


def papers(ballot: BallotCount | SecondBallotCount | None) -> dict[str, object] | None:
    """Return a ballot's papers: issued, returned, valid, invalid and why."""
    if ballot is None:
        return None
    return {
        "issued": ballot.issued,
        "returned": ballot.returned,
        "valid": ballot.valid,
        "invalid": ballot.invalid,
        "invalid_reasons": ballot.invalid_reasons,
    }


def comparison_words(step: LevelStep) -> str:
    """Return how a step's votes compare with the core's threshold, in words (from the step's own checks)."""
    if step.share is None:
        return _("quá nửa số thành viên") if step.passed else _("không quá nửa số thành viên")
    share = format_ratio(step.share)
    if step.passed:
        return _("từ %(share)s số thành viên trở lên", share=share)
    if not step.majority:
        return _("không quá nửa số thành viên")
    return _("chưa đến %(share)s số thành viên", share=share)


def explanation(steps: tuple[LevelStep, ...], candidate: bool, awaiting: bool) -> str:
    """Return how a row's level came about under two ballots, e.g.
    'Vòng 1: 10/10 phiếu Hoàn thành tốt nhiệm vụ trở lên → Hoàn thành tốt nhiệm vụ; vòng 2: 8/10 đồng ý,
    quá nửa số thành viên → Hoàn thành xuất sắc nhiệm vụ'."""
    first = steps[0]
    level = translate(LEVEL_LABELS[first.level])
    if first.cumulative:
        text = _("Vòng 1: %(votes)s/%(base)s phiếu %(level)s trở lên", votes=first.votes, base=first.base, level=level)
    else:
        text = _("Vòng 1: %(votes)s/%(base)s phiếu %(level)s", votes=first.votes, base=first.base, level=level)
    if first.passed:
        text += f" → {level}"
    else:
        text += f", {comparison_words(first)} → {translate(UNDECIDED_LABEL)}"
    if len(steps) > 1:
        second = steps[1]
        outcome = (
            translate(LEVEL_LABELS[Level.EXCELLENT]) if second.passed else _("giữ mức vòng 1: %(level)s", level=level)
        )
        text += _(
            "; vòng 2: %(votes)s/%(base)s đồng ý, %(comparison)s → %(outcome)s",
            votes=second.votes,
            base=second.base,
            comparison=comparison_words(second),
            outcome=outcome,
        )
    elif candidate and awaiting:
        text += _("; vòng 2: chưa kiểm phiếu")
    elif not candidate:
        text += _("; không biểu quyết ở vòng 2 (chỉ người đạt Hoàn thành tốt nhiệm vụ ở vòng 1)")
    return text


def two_ballots_view(
    rules: Rules,
    result: MeetingResult,
    first: BallotCount | None,
    second: SecondBallotCount | None,
    names: dict[str, str],
) -> dict[str, Any]:
    """Return both ballots as the page shows them: papers, rows with shares, candidates, explanations.

    ``first``: ballot 1 counted (or None); ``second``: ballot 2 (None while it is not counted).
    """
    base = result.base
    candidates = set(result.candidates or ())
    order = [r.key for r in result.members if r.rated] + [CELL_ROW]

    def name(key: str) -> str:
        return translate(CELL_ROW_LABEL) if key == CELL_ROW else names.get(key, key)

    first_rows = []
    explanations: dict[str, str] = {}
    for key in order:
        votes = first.rows.get(key) if first is not None else None
        if votes is None:
            continue
        second_votes: SecondVotes | None = second.rows.get(key) if second is not None and key in candidates else None
        steps = level_steps(votes, second_votes, base, rules)
        explanations[key] = explanation(steps, key in candidates, result.awaiting_second_ballot)
        first_rows.append(
            {
                "key": key,
                "name": name(key),
                "cells": [
                    {
                        "field": f,
                        "label": translate(VOTE_COLUMN_LABELS[f]),
                        "votes": getattr(votes, f),
                        "share": share_text(getattr(votes, f), base),
                    }
                    for f in FIRST_BALLOT_FIELDS
                ],
                "level_key": str(steps[0].level) if steps[0].passed else UNDECIDED,
                "level": translate(LEVEL_LABELS[steps[0].level] if steps[0].passed else UNDECIDED_LABEL),
                "candidate": key in candidates,
            }
        )
    second_rows = []
    for key in sorted(candidates, key=lambda k: order.index(k) if k in order else len(order)):
        votes2 = second.rows.get(key) if second is not None else None
        second_rows.append(
            {
                "key": key,
                "name": name(key),
                "cells": [
                    {
                        "field": f,
                        "label": translate(SECOND_BALLOT_COLUMN_LABELS[f]),
                        "votes": getattr(votes2, f),
                        "share": share_text(getattr(votes2, f), base),
                    }
                    for f in SECOND_BALLOT_FIELDS
                ]
                if votes2 is not None
                else None,
            }
        )
    return {
        "awaiting": result.awaiting_second_ballot,
        "first_title": translate(FIRST_BALLOT_TITLE),
        "second_title": translate(SECOND_BALLOT_TITLE),
        "first": papers(first),
        "second": papers(second),
        "first_fields": [(f, translate(VOTE_COLUMN_LABELS[f])) for f in FIRST_BALLOT_FIELDS],
        "second_fields": [(f, translate(SECOND_BALLOT_COLUMN_LABELS[f])) for f in SECOND_BALLOT_FIELDS],
        "first_rows": first_rows,
        "second_rows": second_rows,
        "candidates": [row["name"] for row in second_rows],
        "candidates_known": result.candidates is not None,
        "second_problems": [
            describe_problem(p, names, SECOND_BALLOT_COLUMN_LABELS) for p in result.second_ballot_problems
        ],
        "explanations": explanations,
    }


def seal_view(meeting: Meeting, role: str | None, may_reopen: bool) -> dict[str, Any]:
    """Return the seal section: the seal in force and earlier versions, or what sealing still needs.

    ``role``: the role in which the user approves (``access.seal_role``); ``may_reopen``: whether
    they may reopen the seal (``access.may_reopen``).
    """
    current = meeting.current_seal
    history = [
        {
            "version": s.version,
            "sealed_at": s.sealed_at,
            "by": sealed_by(s),
            "fingerprint": s.fingerprint,
            "reopened_at": s.reopened_at,
            "reopened_by": person(s.reopened_by) if s.reopened_by_id else "",
            "reason": s.reopen_reason or "",
        }
        for s in meeting.seals
        if s is not current
    ]
    view: dict[str, Any] = {
        "history": history,
        "role": role,
        "may_reopen": may_reopen,
    }
    if current is not None:
        view["seal"] = {
            "version": current.version,
            "sealed_at": current.sealed_at,
            "by": sealed_by(current),
            "fingerprint": current.fingerprint,
            # The data now against what was sealed: they differ only if something changed underneath
            # (old seals carry a larger payload: only what a seal covers is compared).
            "differences": (found := seal_differences(meeting)),
            "intact": not found,
            # Under two ballots (SPEC 5.8): this version seals ballot 1 only; ballot 2's seal is to come.
            "first_ballot_only": current.first_ballot_only,
        }
        if meeting.sealed:
            return view
    two = counting.two_ballots(meeting)
    view["ballot"] = counting.ballot_in_progress(meeting) if two else None
    view["ballot_name"] = translate(BALLOT_NAMES[view["ballot"]]) if two else None
    blockers = counting.seal_blockers(meeting)
    view["blockers"] = blockers
    if not blockers:
        _, candidate_fingerprint = counting.candidate(meeting)
        view["candidate"] = candidate_fingerprint
        approvals = []
        for role in ("chief", "secretary"):
            approval = next((a for a in meeting.seal_approvals if a.role == role), None)
            approvals.append(
                {
                    "role": role,
                    "label": translate(ROLE_NAMES[role]),
                    "by": person(approval.user) if approval else "",
                    "at": approval.approved_at if approval else None,
                    "current": approval is not None and approval.fingerprint == candidate_fingerprint,
                    "stale": approval is not None and approval.fingerprint != candidate_fingerprint,
                }
            )
        view["approvals"] = approvals
        mine = next((a for a in approvals if a["role"] == view["role"]), None)
        view["may_approve"] = mine is not None and not mine["current"]
        view["approve_label"] = translate(APPROVE_LABELS.get(view["role"] or "", ""))
    return view


def sealed_by(seal: Seal) -> str:
    """Return who sealed a version: the chief counter and the secretary, or the import."""
    if seal.chief_id is None and seal.secretary_id is None:
        return _(BY_IMPORT)
    # Each name isolated (<bdi>; Markup's % escapes them): a right-to-left mark stays in its name.
    return Markup(_("Trưởng ban kiểm phiếu <bdi>%(chief)s</bdi>; Bí thư <bdi>%(secretary)s</bdi>")) % {
        "chief": person(seal.chief),
        "secretary": person(seal.secretary),
    }


def decided_view(meeting: Meeting) -> dict[str, Any] | None:
    """Return the committee's issued levels for the meeting's cell, from the issued decision's seal (None: not issued).

    What the cells see once the committee has decided (SPEC 9): each member's decided level
    beside the cell's proposal, and the committee's reason where it differs.
    """
    seal = issued_seal_of(meeting.cell.organization_id, meeting.year)
    if seal is None:
        return None
    document = issued_payload(seal)
    cell = next((c for c in document.get("cells", []) if c.get("id") == str(meeting.cell_id)), None)
    if cell is None:
        return None

    def label(key: str | None) -> str:
        return translate(LEVEL_LABELS[Level(key)] if key else UNDECIDED_LABEL)

    members = [
        {
            "key": m["id"],
            "name": m["name"],
            "proposed": label(m.get("proposed_level")),
            "decided": label(m.get("level")),
            "changed": m.get("level") != m.get("proposed_level"),
            "reason": m.get("reason") or "",
        }
        for m in cell.get("members", [])
        if m.get("rated")
    ]
    issue = document.get("issue") or {}
    return {
        "number": seal.number,
        "issued_on": seal.issued_on,
        "version": seal.version,
        "place": issue.get("place") or "",
        "not_reviewed_reason": cell.get("not_reviewed_reason") or "",
        "members": members,
        "cell": {
            "proposed": label(cell.get("proposed_level")),
            "decided": label(cell.get("level")),
            "changed": cell.get("level") != cell.get("proposed_level"),
            "reason": cell.get("reason") or "",
        }
        if cell.get("level") or cell.get("proposed_level")
        else None,
    }
