"""What the province sees for one year: each ward organisation's cells, seals and totals.

Consistent with the ward dashboard (``review.ward.overview``): a sealed cell counts with
the results its seal recorded, and the quota across a ward's sealed cells is
``rules.quota_across``. Everything is read in a fixed number of queries, whatever the
number of wards, cells or members, and the sealed cells' counts are added up by the database
from the summary rows written with each seal (``models.SealSummary``): a row a ward comes back.
Each ward's issued decision comes from the row written when it was issued (``models.DecisionSummary``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from ..extensions import db
from ..meeting_store import SUMMARY_COUNTS, review_year_rules
from ..models import Cell, Decision, DecisionSeal, DecisionSummary, Meeting, Organization, ReviewYear, Seal, SealSummary
from ..rules import Quota, quota_across
from ..ward.overview import seal_in_force

SUMMARY_KEYS = SUMMARY_COUNTS  # the levels, not rated, undecided: the summary rows' columns


@dataclass
class WardRow:
    """One ward organisation for the year."""

    organization_id: int
    name: str
    cells: int = 0
    meetings: int = 0
    sealed: int = 0
    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SUMMARY_KEYS, 0))
    quota: Quota | None = None
    decision_number: str | None = None  # its issued decision for the year (the version in force)
    decided_excellent: int | None = None  # members it rated excellent (None: no summary row; summaries rebuild)


@dataclass(frozen=True)
class ProvinceOverview:
    """Every ward organisation's year, and the province's totals."""

    year: int | None
    years: list[int]
    wards: list[WardRow]
    totals: dict[str, int]
    cells: int
    meetings: int
    sealed: int
    issued: int = 0  # wards with a decision in force for the year
    decided_excellent: int = 0

    @property
    def over_quota(self) -> list[WardRow]:
        """Return the wards whose sealed cells propose more excellent members than their quota allows."""
        return [w for w in self.wards if w.quota is not None and w.quota.exceeded]


def review_years() -> list[int]:
    """Return the years in which some cell has a meeting, latest first."""
    query = select(ReviewYear.year).join(Meeting, Meeting.review_year_id == ReviewYear.id).distinct()
    return list(db.session.scalars(query.order_by(ReviewYear.year.desc())))


def build_province(year: int | None) -> ProvinceOverview:
    """Return every ward organisation's totals for ``year`` (default: the latest year with a meeting)."""
    years = review_years()
    if year is None:
        year = years[0] if years else None
    wards: dict[int, WardRow] = {}
    cell_counts = (
        select(Organization.id, Organization.name, func.count(Cell.id))
        .outerjoin(Cell, Cell.organization_id == Organization.id)
        .group_by(Organization.id, Organization.name)
        .order_by(Organization.name)
    )
    for organization_id, name, cells in db.session.execute(cell_counts):
        wards[organization_id] = WardRow(organization_id, name, cells)

    if year is not None:
        meetings = (
            select(ReviewYear.organization_id, func.count(Meeting.id))
            .join(Meeting, Meeting.review_year_id == ReviewYear.id)
            .where(ReviewYear.year == year)
            .group_by(ReviewYear.organization_id)
        )
        for organization_id, count in db.session.execute(meetings):
            wards[organization_id].meetings = count

        # The sealed cells' counts, added up by the database from the seals' summary rows.
        sealed = (
            select(
                ReviewYear.organization_id,
                func.count(Seal.id),
                *(func.coalesce(func.sum(getattr(SealSummary, key)), 0) for key in SUMMARY_KEYS),
            )
            .join(Meeting, Meeting.review_year_id == ReviewYear.id)
            .join(Seal, Seal.meeting_id == Meeting.id)
            .join(SealSummary, SealSummary.seal_id == Seal.id)
            .where(ReviewYear.year == year, seal_in_force())
            .group_by(ReviewYear.organization_id)
        )
        summaries: dict[int, list[dict[str, int]]] = {}
        for organization_id, count, *sums in db.session.execute(sealed):
            ward = wards[organization_id]
            ward.sealed = count
            ward.totals = {key: int(value) for key, value in zip(SUMMARY_KEYS, sums, strict=True)}
            summaries[organization_id] = [ward.totals]  # the quota adds the cells' counts up (rules.quota_across)

        rules_of = select(ReviewYear).where(ReviewYear.year == year)
        for review_year in db.session.scalars(rules_of):
            rules = review_year_rules(review_year)
            wards[review_year.organization_id].quota = quota_across(
                summaries.get(review_year.organization_id, []), rules
            )

        # Each ward's issued decision in force (its latest version, unless reopened: as
        # Decision.current_seal), with what it decided (its summary row, when it has one).
        latest = (
            select(DecisionSeal.decision_id, func.max(DecisionSeal.version).label("version"))
            .group_by(DecisionSeal.decision_id)
            .subquery()
        )
        issued = (
            select(Decision.organization_id, DecisionSeal.number, DecisionSummary.member_excellent)
            .join(latest, latest.c.decision_id == Decision.id)
            .join(
                DecisionSeal,
                (DecisionSeal.decision_id == Decision.id) & (DecisionSeal.version == latest.c.version),
            )
            .outerjoin(DecisionSummary, DecisionSummary.decision_seal_id == DecisionSeal.id)
            .where(Decision.year == year, DecisionSeal.reopened_at.is_(None))
        )
        for organization_id, number, excellent in db.session.execute(issued):
            wards[organization_id].decision_number = number
            wards[organization_id].decided_excellent = excellent

    rows = list(wards.values())
    totals = dict.fromkeys(SUMMARY_KEYS, 0)
    for row in rows:
        for key, count in row.totals.items():
            totals[key] = totals.get(key, 0) + count
    return ProvinceOverview(
        year=year,
        years=years,
        wards=rows,
        totals=totals,
        cells=sum(w.cells for w in rows),
        meetings=sum(w.meetings for w in rows),
        sealed=sum(w.sealed for w in rows),
        issued=sum(1 for w in rows if w.decision_number is not None),
        decided_excellent=sum(w.decided_excellent or 0 for w in rows),
    )
