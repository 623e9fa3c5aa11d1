"""The committee's decision page as plain data: ``decisions.Gathered`` turned into what the template shows.

No rule here: the decided levels, the quotas and the blockers are the rules core's
(``review.decision_rules``); this module only names them (in the request's language: ``i18n.translate``) and arranges them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from ..decision_rules import (
    NOT_REVIEWED,
    SIGNER_TITLE_LABELS,
    Assessment,
    BlockerKind,
    CellCase,
    CellState,
    Choice,
    assess,
)
from ..decisions import Gathered
from ..i18n import translate
from ..models import DecisionSeal
from ..rules import LEVELS, NOT_RATED_LABELS, UNDECIDED, Level, Quota, Rules, flag_label, format_ratio
from ..translatable import N_
from ..vocabulary import (
    LEVEL_LABELS,
    LEVEL_SHORT,
    MEETING_STATE_LABELS,
    NOT_RATED_LABEL,
    QUOTA_POOL_LABELS,
    UNDECIDED_LABEL,
)

# The cells' states as the decision page names them (SPEC 11's, and "not reviewed this year").
CELL_STATE_LABELS = {
    CellState.SEALED: MEETING_STATE_LABELS["sealed"],
    CellState.COUNTING: MEETING_STATE_LABELS["counting"],
    CellState.RECORDING: MEETING_STATE_LABELS["recording"],
    CellState.NO_MEETING: MEETING_STATE_LABELS["none"],
}
NOT_REVIEWED_LABEL = N_("Không đánh giá năm nay")
# The cells' quota is a share of cells: QUOTA_POOL_LABELS's phrases, counting cells (keyed by rules.QuotaPool).
CELL_POOL_LABELS = {
    "good_only": N_("số chi bộ được đề nghị Hoàn thành tốt nhiệm vụ"),
    "good_or_above": N_("số chi bộ được đề nghị Hoàn thành tốt nhiệm vụ trở lên (kể cả xuất sắc)"),
}
FINGERPRINT_SHORT = 12


def level_text(level: Level | str | None) -> str:
    """Return a level's full name, or that there is none (no majority), in the request's language."""
    return translate(LEVEL_LABELS[Level(level)] if level else UNDECIDED_LABEL)


def _level(level: Level | None) -> str:
    return str(level) if level is not None else ""


def quota_view(quota: Quota, ratio: str, pool_label: str) -> dict[str, Any]:
    return {
        "pool": quota.pool,
        "limit": quota.limit,
        "excellent": quota.excellent,
        "exceeded": quota.exceeded,
        "over": max(quota.excellent - quota.limit, 0),
        "ratio": ratio,
        "pool_label": pool_label,
    }


def quotas(assessment: Assessment, cells: Sequence[CellCase]) -> dict[str, Any]:
    """Return both binding quotas, with who makes up the excellent: cells with excellent members, excellent cells."""
    ratio = format_ratio(assessment.ratio)
    member_pool = translate(QUOTA_POOL_LABELS[assessment.pool_option])
    cell_pool = translate(CELL_POOL_LABELS[assessment.pool_option])
    members = quota_view(assessment.member_quota, ratio, member_pool)
    members["cells"] = [
        {"key": c.key, "name": c.name, "excellent": n}
        for c in cells
        if c.in_decision and (n := sum(1 for m in c.members if m.decided_level is Level.EXCELLENT))
    ]
    cell_quota = quota_view(assessment.cell_quota, ratio, cell_pool)
    cell_quota["cells"] = [
        {"key": c.key, "name": c.name, "changed": c.changed} for c in cells if c.decided_level is Level.EXCELLENT
    ]
    return {"members": members, "cells": cell_quota}


def counts_view(assessment: Assessment) -> list[dict[str, Any]]:
    """Return the decided counts by level, members and cells, with undecided and the rest."""
    rows = [
        {
            "key": str(level),
            "label": translate(LEVEL_LABELS[level]),
            "short": translate(LEVEL_SHORT[level]),
            "members": assessment.members[str(level)],
            "cells": assessment.cells[str(level)],
        }
        for level in LEVELS
    ]
    rows.append(
        {
            "key": UNDECIDED,
            "label": translate(UNDECIDED_LABEL),
            "short": "",
            "members": assessment.members[UNDECIDED],
            "cells": assessment.cells[UNDECIDED],
        }
    )
    rows.append(
        {
            "key": "not_rated",
            "label": translate(NOT_RATED_LABEL),
            "short": "",
            "members": assessment.members["not_rated"],
            "cells": "",
        }
    )
    rows.append(
        {
            "key": NOT_REVIEWED,
            "label": translate(NOT_REVIEWED_LABEL),
            "short": "",
            "members": "",
            "cells": assessment.cells[NOT_REVIEWED],
        }
    )
    return rows


def cell_view(cell: CellCase, rules: Rules) -> dict[str, Any]:
    """Return one cell: its state, its proposal and decided level, each member's."""
    members = []
    not_rated = []
    for m in cell.members:
        if not m.rated:
            not_rated.append(
                {
                    "key": m.key,
                    "name": m.name,
                    "reason": translate(NOT_RATED_LABELS.get(m.not_rated_reason or "", NOT_RATED_LABEL)),
                }
            )
            continue
        members.append(
            {
                "key": m.key,
                "id": int(m.key),
                "name": m.name,
                "proposed_key": _level(m.proposed_level),
                "proposed": level_text(m.proposed_level),
                "decided_key": _level(m.decided_level),
                "decided": level_text(m.decided_level) if m.decided_level is not None else "",
                "changed": m.changed,
                "undecided": m.decided_level is None,
                "reason": m.choice.reason if m.changed and m.choice is not None else "",
                "flags": [translate(flag_label(f, rules)) for f in m.flags],
                "self_level": translate(LEVEL_LABELS[m.self_level]) if m.self_level is not None else "",
                "self_score": m.self_score,
            }
        )
    return {
        "key": cell.key,
        "id": int(cell.key),
        "name": cell.name,
        "state": str(cell.state),
        "state_label": translate(NOT_REVIEWED_LABEL if cell.not_reviewed else CELL_STATE_LABELS[cell.state]),
        "sealed": cell.sealed,
        "in_decision": cell.in_decision,
        "not_reviewed": cell.not_reviewed,
        "not_reviewed_reason": cell.not_reviewed_reason or "",
        "meeting_id": cell.meeting_id,
        "seal_version": cell.seal_version,
        "proposed_key": _level(cell.proposed_level),
        "proposed": level_text(cell.proposed_level),
        "decided_key": _level(cell.decided_level),
        "decided": level_text(cell.decided_level) if cell.decided_level is not None else "",
        "changed": cell.changed,
        "undecided": cell.in_decision and cell.decided_level is None,
        "reason": cell.choice.reason if cell.changed and cell.choice is not None else "",
        "flags": [translate(flag_label(f, rules)) for f in cell.flags],
        "self_level": translate(LEVEL_LABELS[cell.self_level]) if cell.self_level is not None else "",
        "members": members,
        "not_rated": not_rated,
        "excellent": sum(1 for m in cell.members if m.decided_level is Level.EXCELLENT),
    }


def seal_view(seal: DecisionSeal) -> dict[str, Any]:
    return {
        "version": seal.version,
        "number": seal.number,
        "issued_on": seal.issued_on,
        "issued_at": seal.issued_at,
        "fingerprint": seal.fingerprint,
        "short": seal.fingerprint[:FINGERPRINT_SHORT],
        "reopened_at": seal.reopened_at,
        "reopen_reason": seal.reopen_reason or "",
    }


def decision_view(gathered: Gathered) -> dict[str, Any]:
    """Return the page's data for the organisation's year."""
    assessment = gathered.assessment
    decision = gathered.decision
    current = gathered.issued_seal
    issued = None
    if current is not None and decision is not None:
        issued = seal_view(current) | {
            "signer": decision.signer_name,
            "title": translate(SIGNER_TITLE_LABELS[decision.signer_title]) if decision.signer_title is not None else "",
            "place": decision.place,
        }
    return {
        "year": gathered.year,
        "profile": gathered.rules.profile,
        "basis": translate(gathered.rules.basis),
        "cells": [cell_view(c, gathered.rules) for c in gathered.cells],
        "quota": quotas(assessment, gathered.cells),
        "counts": counts_view(assessment),
        "blockers": [
            {
                "text": translate(b.text),
                "kind": str(b.kind),
                "anchor": (
                    f"member-{b.member_key}"
                    if b.member_key
                    else f"cell-{b.cell_key}"
                    if b.cell_key
                    else "quota-members"
                    if b.kind is BlockerKind.MEMBER_QUOTA
                    else "quota-cells"
                    if b.kind is BlockerKind.CELL_QUOTA
                    else ""
                ),
            }
            for b in assessment.blockers
        ],
        "can_issue": assessment.can_issue,
        "issued": issued,
        "versions": [seal_view(s) for s in decision.seals if s is not current] if decision is not None else [],
        "allowance": gathered.allowance,
        "latest_meeting_day": gathered.latest_meeting_day,
    }


def preview(gathered: Gathered, levels: Mapping[str, str]) -> dict[str, Any]:
    """Return both quotas as they would be with some levels chosen otherwise (the page's live preview).

    ``levels``: a form prefix (``member-<id>`` or ``cell-<id>``) -> a level key; others as recorded.
    Nothing is saved: the page still saves each choice through its form.
    """

    def chosen(prefix: str, recorded: Choice | None) -> Choice | None:
        raw = levels.get(prefix)
        if raw is None:
            return recorded
        return Choice(Level(raw)) if raw in {str(level) for level in LEVELS} else Choice(None)

    cells = tuple(
        replace(
            c,
            choice=chosen(f"cell-{c.key}", c.choice),
            members=tuple(replace(m, choice=chosen(f"member-{m.key}", m.choice)) for m in c.members),
        )
        for c in gathered.cells
    )
    assessment = assess(cells, gathered.rules, gathered.allowance)
    shown = quotas(assessment, cells)
    return {
        kind: {key: shown[kind][key] for key in ("pool", "limit", "excellent", "exceeded", "over")}
        for kind in ("members", "cells")
    }
