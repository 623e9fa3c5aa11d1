"""Counting that one person cannot do alone: where entries and approvals came from, and the warnings.

The functional core of the counting's provenance: pure functions over plain values, with no
Flask or database imports. The shell (``review.counting`` and the pages) records, for each
saved entry and each seal approval, the account, the time, the client's address and the
browser session it came from (an :class:`Origin`; ``review.provenance``); :func:`seal_warnings` says, for the ward's eyes,
what in them suggests that one person did what two or three should have done. The warnings
never block the seal: two honest counters in one meeting room share an address; the ward
weighs them.

Readings (each written again where it is made):

* pairs made by the same account are not compared: the chief counter who typed an entry
  and then approves it from the same browser session is how the committee works, one person
  in one role of the double entry (an account is one member); pairs by two accounts from one
  browser session (the secretary redeeming counters' codes in her own browser) are;
* "no counter confirmed" (an entry from a code the approving secretary issued): the entry was
  made only through a one-time code account, and the member behind it never typed an entry
  nor approved as chief through their own account;
* beside the pairs the issue names (the two entries; an entry and an approval), the two
  approvals are compared too, and a chief's approval through a one-time code the approving
  secretary issued is a warning of its own: both are how one person seals alone.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from itertools import combinations
from typing import Any

from .translatable import N_, msg

ENTRIES = ("first", "second")
APPROVALS = ("chief", "secretary")
SUBJECT_LABELS = {
    "first": N_("bản nhập thứ nhất"),
    "second": N_("bản nhập thứ hai"),
    "chief": N_("xác nhận niêm phong của trưởng ban kiểm phiếu"),
    "secretary": N_("xác nhận niêm phong của bí thư"),
}
# The same, opening a sentence.
SUBJECT_STARTS = {
    "first": N_("Bản nhập thứ nhất"),
    "second": N_("Bản nhập thứ hai"),
    "chief": N_("Xác nhận niêm phong của trưởng ban kiểm phiếu"),
    "secretary": N_("Xác nhận niêm phong của bí thư"),
}


@dataclass(frozen=True)
class Origin:
    """Where one entry's last save or one approval came from."""

    account_id: int | None
    account_name: str = ""  # the name shown for the account when it was recorded
    username: str = ""
    member_id: int | None = None  # the party member behind the account
    via_code: bool = False  # made through a one-time code account
    code_issued_by: int | None = None  # the account that issued that code
    code_issued_by_name: str = ""
    sign_in: str | None = None  # the random id of the browser session (kept across sign-ins in it)
    address: str | None = None  # the client's address as the application saw it
    at: datetime | None = None  # an instant: aware, UTC (review.clock.now()); the page shows it local

    def as_json(self) -> dict[str, Any]:
        """Return the origin as JSON-ready values."""
        data = asdict(self)
        data["at"] = self.at.isoformat(timespec="seconds") if self.at is not None else None
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Origin:
        """Return the origin :meth:`as_json` wrote (unknown keys ignored)."""
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        at = known.get("at")
        known["at"] = datetime.fromisoformat(at) if isinstance(at, str) else None
        return cls(**known)


class WarningKind(StrEnum):
    SAME_SIGN_IN = "same_sign_in"  # two of them from one browser session
    SAME_ADDRESS = "same_address"  # two of them from one client address
    CODE_FROM_APPROVER = "code_from_approver"  # an entry from a code the approving secretary issued
    CHIEF_CODE_FROM_APPROVER = "chief_code_from_approver"  # the chief approved through such a code


@dataclass(frozen=True)
class SealWarning:
    """One thing the ward should look at in how the tallies came to be sealed."""

    kind: WarningKind
    subjects: tuple[str, ...]  # entries ("first", "second") and approvals ("chief", "secretary")
    address: str | None = None  # the shared address, for SAME_ADDRESS

    @property
    def message(self) -> str:
        """Return the warning in plain Vietnamese."""
        start = SUBJECT_STARTS.get(self.subjects[0], self.subjects[0])
        rest = SUBJECT_LABELS.get(self.subjects[-1], self.subjects[-1])
        if self.kind is WarningKind.SAME_SIGN_IN:
            return msg(
                "{first} và {second} được thực hiện từ cùng một trình duyệt, trong cùng một phiên làm việc, "
                "dù bằng hai tài khoản khác nhau.",
                first=start,
                second=rest,
            )
        if self.kind is WarningKind.SAME_ADDRESS:
            return msg(
                "{first} và {second} được thực hiện từ cùng một địa chỉ mạng ({address}). Điều này thường gặp khi "
                "mọi người dùng chung mạng của phòng họp; đáng lưu ý khi đi cùng các cảnh báo khác.",
                first=start,
                second=rest,
                address=self.address,
            )
        if self.kind is WarningKind.CODE_FROM_APPROVER:
            return msg(
                "{entry} được nhập bằng mã đăng nhập một lần do chính người xác nhận "
                "với tư cách bí thư cấp, và đồng chí kiểm phiếu mang tên mã ấy không tự nhập hay xác nhận "
                "bằng tài khoản riêng của mình.",
                entry=start,
            )
        return N_(
            "Trưởng ban kiểm phiếu xác nhận niêm phong bằng mã đăng nhập một lần do chính người xác nhận "
            "với tư cách bí thư cấp."
        )

    def as_json(self) -> dict[str, Any]:
        """Return the warning as JSON-ready values."""
        return {"kind": str(self.kind), "subjects": list(self.subjects), "address": self.address}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SealWarning:
        """Return the warning :meth:`as_json` wrote."""
        return cls(WarningKind(data["kind"]), tuple(data.get("subjects") or ()), data.get("address"))


def _same(a: str | None, b: str | None) -> bool:
    """Return whether two recorded values are known and equal (an unknown value matches nothing)."""
    return a is not None and b is not None and a == b


def _confirmed_by_own_account(member_id: int | None, subjects: Mapping[str, Origin]) -> bool:
    """Return whether the member typed an entry or approved as chief through their own account.

    Reading of "no counter confirmed": only the entries and the chief's approval count; the
    secretary's approval is not a counter's, even when the secretary's account names a member.
    """
    if member_id is None:
        return False
    return any(
        origin.member_id == member_id and not origin.via_code
        for key, origin in subjects.items()
        if key in ENTRIES or key == "chief"
    )


def seal_warnings(entries: Mapping[str, Origin], approvals: Mapping[str, Origin]) -> tuple[SealWarning, ...]:
    """Return the warnings about the two entries and the two approvals, in a fixed order.

    ``entries`` by "first" / "second", ``approvals`` by "chief" / "secretary"; a missing one
    is simply not compared. First every pair (entries, then entry and approval, then the two
    approvals) that shares a browser session, or else an address; then the one-time codes the approving
    secretary issued.
    """
    subjects: dict[str, Origin] = {k: entries[k] for k in ENTRIES if k in entries}
    subjects |= {k: approvals[k] for k in APPROVALS if k in approvals}
    found: list[SealWarning] = []
    for (a, first), (b, second) in combinations(subjects.items(), 2):
        if first.account_id is not None and first.account_id == second.account_id:
            continue  # one account, one person in one role (see the module's readings)
        if _same(first.sign_in, second.sign_in):
            found.append(SealWarning(WarningKind.SAME_SIGN_IN, (a, b)))
        elif _same(first.address, second.address):
            found.append(SealWarning(WarningKind.SAME_ADDRESS, (a, b), first.address))
    secretary = approvals.get("secretary")
    if secretary is not None and secretary.account_id is not None:
        for key in ENTRIES:
            entry = entries.get(key)
            if (
                entry is not None
                and entry.via_code
                and entry.code_issued_by == secretary.account_id
                and not _confirmed_by_own_account(entry.member_id, subjects)
            ):
                found.append(SealWarning(WarningKind.CODE_FROM_APPROVER, (key, "secretary")))
        chief = approvals.get("chief")
        if chief is not None and chief.via_code and chief.code_issued_by == secretary.account_id:
            found.append(SealWarning(WarningKind.CHIEF_CODE_FROM_APPROVER, ("chief", "secretary")))
    return tuple(found)


@dataclass(frozen=True)
class Provenance:
    """What a seal records of how it came to be: the entries' and approvals' origins, the warnings."""

    entries: dict[str, Origin]
    approvals: dict[str, Origin]
    warnings: tuple[SealWarning, ...]

    def to_json(self) -> str:
        """Return the provenance as canonical JSON (the seal's ``provenance`` column)."""
        document = {
            "entries": {k: v.as_json() for k, v in self.entries.items()},
            "approvals": {k: v.as_json() for k, v in self.approvals.items()},
            "warnings": [w.as_json() for w in self.warnings],
        }
        return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Provenance:
        """Return the provenance :meth:`to_json` wrote."""
        document = json.loads(text)
        return cls(
            entries={k: Origin.from_json(v) for k, v in (document.get("entries") or {}).items()},
            approvals={k: Origin.from_json(v) for k, v in (document.get("approvals") or {}).items()},
            warnings=tuple(SealWarning.from_json(w) for w in document.get("warnings") or ()),
        )


def provenance(entries: Mapping[str, Origin], approvals: Mapping[str, Origin]) -> Provenance:
    """Return the provenance of a seal about to be made, with its warnings."""
    return Provenance(dict(entries), dict(approvals), seal_warnings(entries, approvals))
