"""Cohorts: partners grouped by tier, region, vertical, enrolment quarter or pilot arm, compared side by
side on the leading indicators of one period (pure).

Per-partner figures divide a cohort's totals by its partners, so cohorts of different sizes compare;
each cohort's difference to a reference cohort (the pilot's control arm, or one the caller names) is
the cohort's figure minus the reference's, for the figures that are rates or per partner.

Pilot arms come from what the ledger posts: a partner whose rewards were posted under a program other
than the one it enrolled in is in that program's arm (``variant:<program>``); the partners of the same
base program with no such posting are its control arm (``control:<program>``). Partners of programs
with no variant in the data belong to no pilot arm.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Literal

from .facts import PartnerProfile
from .indicators import AMOUNT, PeriodIndicators, Sums, indicators_for
from .periods import Period, quarter_of

CohortDimension = Literal["tier", "region", "vertical", "enrolment_quarter", "pilot"]
COHORT_DIMENSIONS: tuple[CohortDimension, ...] = ("tier", "region", "vertical", "enrolment_quarter", "pilot")
UNTIERED = "untiered"
NO_VERTICAL = "none"


def variant_programs(profile: PartnerProfile) -> list[str]:
    return sorted(p for p in profile.reward_programs if p != profile.program_id)


def cohort_of(profile: PartnerProfile, by: CohortDimension, pilot_bases: frozenset[str]) -> str | None:
    """The partner's cohort under ``by`` (None: in no cohort of it, e.g. no pilot arm)."""
    if by == "tier":
        return profile.tier or UNTIERED
    if by == "region":
        return profile.region
    if by == "vertical":
        return profile.vertical or NO_VERTICAL
    if by == "enrolment_quarter":
        return quarter_of(profile.enrolled_on).key
    variants = variant_programs(profile)
    if variants:
        return f"variant:{variants[0]}"
    return f"control:{profile.program_id}" if profile.program_id in pilot_bases else None


def pilot_bases(profiles: Sequence[PartnerProfile]) -> frozenset[str]:
    """The programs some of whose partners were rewarded under a variant."""
    return frozenset(p.program_id for p in profiles if variant_programs(p))


def assign(profiles: Sequence[PartnerProfile], by: CohortDimension) -> dict[str, list[str]]:
    """Cohort key -> its partner ids, in key order."""
    bases = pilot_bases(profiles) if by == "pilot" else frozenset()
    members: dict[str, list[str]] = defaultdict(list)
    for profile in profiles:
        key = cohort_of(profile, by, bases)
        if key is not None:
            members[key].append(profile.partner_id)
    return dict(sorted(members.items()))


@dataclass(frozen=True)
class PerPartner:
    registrations: Decimal | None
    won_revenue: Decimal | None
    pipeline: Decimal | None
    mdf_spend: Decimal | None
    engagement_points: Decimal | None


def per_partner(ind: PeriodIndicators) -> PerPartner:
    n = ind.partners

    def each(total: int | Decimal) -> Decimal | None:
        return (Decimal(total) / n).quantize(AMOUNT, rounding=ROUND_HALF_EVEN) if n else None

    return PerPartner(
        registrations=each(ind.deals.registrations),
        won_revenue=each(ind.deals.won_revenue),
        pipeline=each(ind.deals.pipeline_total),
        mdf_spend=each(ind.marketing.spend),
        engagement_points=each(ind.engagement.points),
    )


COMPARED = (
    "win_rate",
    "average_deal_size",
    "registrations_per_partner",
    "won_revenue_per_partner",
    "pipeline_per_partner",
    "engagement_points_per_partner",
)


def headline(ind: PeriodIndicators) -> dict[str, Decimal | None]:
    each = per_partner(ind)
    return {
        "win_rate": ind.deals.win_rate,
        "average_deal_size": ind.deals.average_deal_size,
        "registrations_per_partner": each.registrations,
        "won_revenue_per_partner": each.won_revenue,
        "pipeline_per_partner": each.pipeline,
        "engagement_points_per_partner": each.engagement_points,
    }


@dataclass(frozen=True)
class CohortRow:
    cohort: str
    indicators: PeriodIndicators
    per_partner: PerPartner
    difference: Mapping[str, Decimal | None] | None  # against the reference cohort; None without one


def default_reference(by: CohortDimension, cohorts: Sequence[str]) -> str | None:
    """The pilot's control arm when there is exactly one; no default reference for other dimensions."""
    controls = [c for c in cohorts if c.startswith("control:")]
    return controls[0] if by == "pilot" and len(controls) == 1 else None


def compare(
    sums: Mapping[str, Sums],
    sizes: Mapping[str, int],
    period: Period,
    points: Mapping[str, int],
    reference: str | None,
) -> list[CohortRow]:
    """Each cohort's indicators for ``period`` (from its monthly sums; ``sizes``: its partners) and its
    difference to ``reference`` (if that is one of them)."""
    computed = {key: indicators_for(sums[key], period, points, partners=sizes[key]) for key in sorted(sums)}
    base = headline(computed[reference]) if reference in computed else None
    rows = []
    for key, ind in computed.items():
        difference = None
        if base is not None:
            mine = headline(ind)
            difference = {k: _minus(mine[k], base[k]) for k in COMPARED}
        rows.append(CohortRow(key, ind, per_partner(ind), difference))
    return rows


def _minus(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None or b is None else a - b
