"""What the ward committee sees of its organisation for one year: every cell, totals, the quota.

Gathers data and asks the rules core; decides nothing itself. The binding quota check
across the organisation is ``rules.quota_across`` over the sealed cells' summaries (SPEC 5.6).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import aliased, selectinload

from ..counting import seal_warning_count
from ..extensions import db
from ..meeting_store import (
    COUNTING,
    NO_MEETING,
    RECORDING,
    SEALED,
    SUMMARY_COUNTS,
    level_of,
    meeting_state,
    review_year_rules,
)
from ..models import Cell, Meeting, Organization, ReviewYear, Seal, SealSummary
from ..rules import (
    LEVEL_LABELS,
    LEVEL_SHORT,
    LEVELS,
    UNDECIDED,
    CellResult,
    Quota,
    QuotaPool,
    Rules,
    quota_across,
)
from ..translatable import N_, msg
from ..vocabulary import MEETING_STATE_LABELS, NOT_RATED_LABEL, UNDECIDED_LABEL

# The state of a cell's meeting for the year, as the ward follows it (one home: meeting_store).

STATE_LABELS = {state: MEETING_STATE_LABELS[state] for state in (NO_MEETING, RECORDING, COUNTING, SEALED)}

# The documents the ward reads for each cell, in this order.
WARD_DOCUMENTS = ("minutes", "count-minutes")

# Summary keys beside the four levels.
NOT_RATED = "not_rated"
SUMMARY_EXTRA_LABELS = {
    NOT_RATED: NOT_RATED_LABEL,
    UNDECIDED: msg("{label} (chưa xếp loại được)", label=UNDECIDED_LABEL),
}


@dataclass(frozen=True)
class SealedResult:
    """The results a seal recorded (the ``results`` of its payload): what the ward counts.

    The rules core computed them when the tallies were sealed, and the seal's fingerprint
    covers them; the ward reads them back instead of loading every member's record again,
    and the database takes them out of the payload (:func:`results_of_seals`).
    """

    summary: dict[str, int]
    cell: CellResult
    quota: Quota

    @classmethod
    def from_results(cls, results: Mapping[str, Any]) -> SealedResult:
        """Return the sealed results from a payload's ``results`` (SPEC 8)."""
        cell, quota = results["cell"], results["quota"]
        return cls(
            summary=dict(results["summary"]),
            cell=CellResult(
                UNDECIDED if cell["vote_level"] == UNDECIDED else level_of(cell["vote_level"]),
                level_of(cell["proposed_level"]),
                tuple(cell["flags"]),
            ),
            quota=Quota(quota["pool"], quota["limit"], quota["excellent"]),
        )

    @classmethod
    def from_summary(cls, row: SealSummary) -> SealedResult:
        """Return the sealed results from the seal's summary row (the same numbers as its payload)."""
        return cls.from_results(
            {
                "summary": {key: getattr(row, key) for key in SUMMARY_COUNTS},
                "cell": {
                    "vote_level": row.cell_vote_level,
                    "proposed_level": row.cell_proposed_level,
                    "flags": json.loads(row.cell_flags),
                },
                "quota": {"pool": row.quota_pool, "limit": row.quota_limit, "excellent": row.quota_excellent},
            }
        )


def seal_in_force() -> Any:
    """Return the condition 'this seal is in force': not reopened, and no later version."""
    later = aliased(Seal)
    return and_(
        Seal.reopened_at.is_(None),
        ~exists().where(later.meeting_id == Seal.meeting_id, later.version > Seal.version),
    )


_BATCH = 30_000  # seal ids a query, under SQLite's limit on bound parameters


def results_of_seals(seals: list[tuple[int, str]]) -> dict[int, SealedResult]:
    """Return, by seal id, the results of the seals given as (id, fingerprint) pairs.

    Read from the summary rows written with each seal (``models.SealSummary``): one query,
    a few integers a cell, no payload read.
    """
    ids = [seal_id for seal_id, _ in seals]
    found: dict[int, SealedResult] = {}
    for start in range(0, len(ids), _BATCH):
        query = select(SealSummary).where(SealSummary.seal_id.in_(ids[start : start + _BATCH]))
        found |= {row.seal_id: SealedResult.from_summary(row) for row in db.session.scalars(query)}
    missing = [seal_id for seal_id in ids if seal_id not in found]
    if missing:  # a seal written around seal_meeting: flask --app review summaries rebuild --repair
        raise LookupError(f"seals without a summary row: {missing[:10]} (flask --app review summaries rebuild)")
    return found


@dataclass(frozen=True)
class CellRow:
    """One cell of the organisation for the year."""

    cell: Cell
    meeting: Meeting | None
    state: str
    result: SealedResult | None = None  # only for a sealed meeting

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def seal_version(self) -> int | None:
        seal = self.meeting.current_seal if self.meeting is not None else None
        return seal.version if seal is not None else None

    @property
    def seal_warnings(self) -> int:
        """Return how many warnings the seal in force recorded about where its entries and approvals came from."""
        seal = self.meeting.current_seal if self.meeting is not None else None
        return seal_warning_count(seal) if seal is not None else 0

    @property
    def sealed(self) -> bool:
        return self.state == SEALED

    @property
    def excellent(self) -> int:
        return self.result.summary.get(str(LEVELS[0]), 0) if self.result is not None else 0

    @property
    def cell_level(self) -> str | None:
        """Return the cell's own level as an organisation: a level key, 'undecided' or None."""
        if self.result is None or self.result.cell.vote_level is None:
            return None
        level = self.result.cell.proposed_level
        return str(level) if level is not None else UNDECIDED


@dataclass(frozen=True)
class Overview:
    """The organisation's year at a glance."""

    organization: Organization
    year: int | None
    years: list[int]
    rows: list[CellRow]
    rules: Rules | None
    totals: dict[str, int] = field(default_factory=dict)  # members per proposed level, sealed cells
    cell_levels: dict[str, int] = field(default_factory=dict)  # cells per own level, sealed cells
    quota: Quota | None = None

    @property
    def sealed_rows(self) -> list[CellRow]:
        return [row for row in self.rows if row.sealed]

    @property
    def excellent_cells(self) -> list[CellRow]:
        """Return the sealed cells proposing members ``excellent``, most first."""
        rows = [row for row in self.sealed_rows if row.excellent > 0]
        return sorted(rows, key=lambda row: (-row.excellent, row.cell.name))

    @property
    def over_quota_cells(self) -> list[CellRow]:
        """Return the sealed cells whose own cell-level quota is exceeded (a warning each)."""
        return [row for row in self.sealed_rows if row.result is not None and row.result.quota.exceeded]

    @property
    def quota_ratio(self) -> Fraction | None:
        return self.rules.quota_ratio if self.rules is not None else None

    @property
    def quota_pool_label(self) -> str:
        if self.rules is not None and self.rules.quota_pool is QuotaPool.GOOD_OR_ABOVE:
            return N_("đảng viên được đề nghị từ Hoàn thành tốt nhiệm vụ trở lên")
        return N_("đảng viên được đề nghị Hoàn thành tốt nhiệm vụ")


def meeting_years(organization_id: int) -> list[int]:
    """Return the years in which a cell of the organisation has a meeting, latest first."""
    query = (
        select(ReviewYear.year)
        .join(Meeting, Meeting.review_year_id == ReviewYear.id)
        .where(ReviewYear.organization_id == organization_id)
        .distinct()
        .order_by(ReviewYear.year.desc())
    )
    return list(db.session.scalars(query))


def percent(ratio: Fraction) -> str:
    """Return a ratio as Vietnamese percent text: 1/5 -> '20%', 1/3 -> '1/3'."""
    value = ratio * 100
    if value.denominator == 1:
        return f"{value.numerator}%"
    return f"{ratio.numerator}/{ratio.denominator}"


def build_overview(organization: Organization, year: int | None) -> Overview:
    """Return the organisation's cells for ``year`` (default: the latest year with a meeting).

    A sealed cell counts with the results its seal recorded (see :class:`SealedResult`).
    """
    years = meeting_years(organization.id)
    if year is None:
        year = years[0] if years else None
    cells = list(db.session.scalars(select(Cell).where(Cell.organization_id == organization.id).order_by(Cell.name)))
    review_year = None
    if year is not None:
        review_year = db.session.scalar(
            select(ReviewYear).where(ReviewYear.organization_id == organization.id, ReviewYear.year == year)
        )
    meetings: dict[int, Meeting] = {}
    sealed: dict[int, SealedResult] = {}
    if review_year is not None:
        query = (
            select(Meeting)
            .where(Meeting.review_year_id == review_year.id)
            .options(
                selectinload(Meeting.seals).defer(Seal.payload),
                selectinload(Meeting.counters),
                selectinload(Meeting.tallies),
            )
        )
        meetings = {m.cell_id: m for m in db.session.scalars(query)}
        in_force = [m.current_seal for m in meetings.values() if m.current_seal is not None]
        sealed = results_of_seals([(seal.id, seal.fingerprint) for seal in in_force])
        sealed = {seal.meeting_id: sealed[seal.id] for seal in in_force}
    rows = []
    for cell in cells:
        meeting = meetings.get(cell.id)
        if meeting is None and cell.archived_at is not None:
            continue  # an archived cell without a meeting that year is not "chưa có hội nghị" (setup_rules)
        state = meeting_state(meeting)
        result = None
        if state == SEALED and meeting is not None:
            result = sealed[meeting.id]  # read with all the others: no query a cell (no N+1)
        rows.append(CellRow(cell=cell, meeting=meeting, state=state, result=result))

    rules = review_year_rules(review_year) if review_year is not None else None
    sealed = [row.result for row in rows if row.result is not None]
    totals = {str(level): 0 for level in LEVELS} | {NOT_RATED: 0, UNDECIDED: 0}
    for result in sealed:
        for key, count in result.summary.items():
            totals[key] = totals.get(key, 0) + count
    cell_levels = {str(level): 0 for level in LEVELS} | {UNDECIDED: 0}
    for row in rows:
        if row.cell_level is not None:
            cell_levels[row.cell_level] += 1
    quota = quota_across((r.summary for r in sealed), rules) if rules is not None else None
    return Overview(
        organization=organization,
        year=year,
        years=years,
        rows=rows,
        rules=rules,
        totals=totals,
        cell_levels=cell_levels,
        quota=quota,
    )


@dataclass(frozen=True)
class Bar:
    """One bar of the totals chart, laid out on the server (no script, no inline style)."""

    key: str
    label: str
    short: str
    count: int
    y: int
    width: float  # in the chart's user units


CHART_LABEL = 80  # user units for the level's abbreviation, left of the bars
CHART_BAR_AREA = 260  # user units for the longest bar
CHART_VALUE = 50  # user units for the count, right of the longest bar
CHART_ROW = 34


def chart_bars(totals: dict[str, int]) -> list[Bar]:
    """Return the four levels' bars, the longest at full width, for an inline SVG."""
    counts = [totals.get(str(level), 0) for level in LEVELS]
    longest = max(counts) if counts and max(counts) > 0 else 1
    return [
        Bar(
            key=str(level),
            label=LEVEL_LABELS[level],
            short=LEVEL_SHORT[level],
            count=count,
            y=i * CHART_ROW,
            width=round(CHART_BAR_AREA * count / longest, 1),
        )
        for i, (level, count) in enumerate(zip(LEVELS, counts, strict=True))
    ]
