"""The partner handbook of one program version: the rules in plain language, with worked examples.

Written from the version's rules (never by hand), so the handbook of a version always says what
that version did, commitment benefits and the spot-audit rate included. Every amount in an example
is what the ledger's engine computes for it (:mod:`.worked_examples`). The document is a typed
value; adapters render it as HTML and PDF.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..domain.catalog import ProgramVersion
from ..domain.program import DEFAULT_LINE, Program, Thresholds
from ..domain.program_diff import amounts, percent
from .handbook_commitment import commitment_chapter, spot_audit_sentence
from .handbook_parts import Section, Table
from .worked_examples import WorkedExample, worked_example

__all__ = ["EXAMPLE_AMOUNT", "Handbook", "Section", "Table", "example_currency", "write_handbook"]

EXAMPLE_AMOUNT = Decimal("100000")


@dataclass(frozen=True)
class Handbook:
    program_id: str
    version: int
    title: str
    effective_from: date
    status: str  # "in force", "announced" or "superseded"
    sections: tuple[Section, ...]
    examples: tuple[WorkedExample, ...]


def example_currency(program: Program) -> str:
    """The currency the examples use: USD if a tier threshold names it (or none names any), else the first named."""
    named = [c for level in program.tiers.levels for c in level.qualify.won_revenue]
    return "USD" if "USD" in named or not named else named[0]


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def _about(pv: ProgramVersion, status: str) -> Section:
    program = pv.program
    when = {
        "in force": f"in force from {pv.effective_from}",
        "announced": f"announced, in force from {pv.effective_from}",
    }.get(status, f"in force from {pv.effective_from} until a later version replaced it")
    paragraphs = [f"{program.title}, version {pv.version} ({when})."]
    if program.description:
        paragraphs.append(program.description)
    paragraphs.append(
        "This handbook is generated from the program's published rules. The handbook of any earlier "
        "version stays available, so the rules that applied on a given date can always be read."
    )
    return Section("About this handbook", tuple(paragraphs))


def _roles(notice_days: int) -> Section:
    return Section(
        "Roles and responsibilities",
        (
            "Partners register their deals before they close, record the activities that influenced "
            "them, keep their engagement going (business reviews, enablement, certifications) and "
            "claim market development funds with proof of performance.",
            "Channel managers approve registrations, settle conflicts between partners, review "
            "flagged registrations and answer disputes.",
            "Finance pays the payout batches the ledger prepares and confirms each payment.",
            f"The program office publishes new versions of these rules at least {notice_days} days "
            "before they take effect; partners see every announced version and what it changes.",
        ),
    )


def _tiers(program: Program) -> Section:
    rows = tuple(
        (level.name or level.id, _thresholds(level.qualify) or "entry tier", _thresholds(level.keep_thresholds) or "-")
        for level in program.tiers.levels
    )
    return Section(
        "Tiers and how to reach them",
        (
            f"A tier is reached on won revenue over the trailing {program.tiers.trailing_months} months "
            "plus engagement points; reaching it takes effect on the day the thresholds are met.",
            f"Each year on {program.tiers.review_on} (MM-DD) a partner that no longer shows the activity "
            "that keeps its tier moves down one tier.",
        ),
        (Table(("tier", "reached with", "kept with"), rows),),
    )


def _thresholds(t: Thresholds) -> str:
    parts = [f"{amounts(t.won_revenue)} won"] if t.won_revenue else []
    if t.points:
        parts.append(f"{t.points} engagement points")
    return " and ".join(parts)


def _incentives(program: Program, examples: tuple[WorkedExample, ...]) -> Section:
    lines = sorted({line for rates in program.rebate.percent.values() for line in rates})
    rates = Table(
        ("tier", *("any other product line" if line == DEFAULT_LINE else line for line in lines)),
        tuple(
            (level.name or level.id, *(_rate(program, level.id, line) for line in lines))
            for level in program.tiers.levels
        ),
    )
    paragraphs = ["Every won deal earns a rebate: a percentage of its amount, by the partner's tier and product line."]
    if program.registration_bonus:
        paragraphs.append(
            f"A deal registered and approved before it closes earns a registration bonus of "
            f"{percent(program.registration_bonus.percent)} of its amount."
        )
    if program.influence.required:
        kinds = ", ".join(program.influence.kinds) or "any kind"
        paragraphs.append(f"Rewards need proof of influence: at least one recorded activity ({kinds}).")
    if program.growth_accelerator:
        rule = program.growth_accelerator
        paragraphs.append(
            f"Growth accelerator: above a quarterly won-revenue target of {amounts(rule.quarterly_target.default)} "
            f"the rates are multiplied by {rule.multiplier.normalize()}."
        )
    for spiff in program.spiffs:
        paragraphs.append(
            f"SPIFF {spiff.id}: {amounts(spiff.amount)} for each won deal of {', '.join(spiff.product_lines)} "
            f"closed from {spiff.from_} to {spiff.to}."
        )
    currency = examples[0].currency if examples else "USD"
    paragraphs.append(
        "Worked examples, computed by the ledger's rules engine: a registered and approved deal of "
        f"{_money(EXAMPLE_AMOUNT, currency)} on any other product line, won on the first day this version is in force."
    )
    names = {level.id: level.name or level.id for level in program.tiers.levels}
    worked = Table(
        ("tier", "deal", "rewards by entry", "payable", "capped", "MDF accrued"),
        tuple(
            (
                names.get(ex.tier, ex.tier),
                _money(ex.amount, ex.currency),
                _rewards(ex),
                _money(ex.total("rebates_payable"), ex.currency),
                _money(ex.total("rebates_capped"), ex.currency),
                _money(ex.total("mdf_available"), ex.currency),
            )
            for ex in examples
        ),
    )
    return Section("Incentives", tuple(paragraphs), (rates, worked))


def _rewards(example: WorkedExample) -> str:
    rewards = [c for c in example.credits if c.account != "mdf_available"]
    return "; ".join(f"{c.kind} {_money(c.amount, example.currency)}" for c in rewards) or "none"


def _rate(program: Program, tier: str, line: str) -> str:
    rates = program.rebate.percent.get(tier, {})
    return percent(rates[line]) if line in rates else percent(rates[DEFAULT_LINE]) + " (default)"


def _caps(program: Program) -> Section:
    paragraphs = []
    if program.caps.per_deal:
        paragraphs.append(f"Rewards of one deal are capped at {amounts(program.caps.per_deal)}.")
    if program.caps.per_partner_quarter:
        quarterly = amounts(program.caps.per_partner_quarter)
        paragraphs.append(f"A partner's rewards in a quarter are capped at {quarterly}.")
    if program.stacking.max_combined_percent is not None:
        limit = percent(program.stacking.max_combined_percent)
        paragraphs.append(f"All rewards of one deal together never exceed {limit} of its amount.")
    for group in program.stacking.exclusive:
        paragraphs.append(f"These incentives never combine on one deal (the larger applies): {', '.join(group)}.")
    paragraphs.append("What a cap or the stacking limit cuts is recorded on the statement as capped and is never paid.")
    return Section("Caps and stacking", tuple(paragraphs))


def _clawbacks(program: Program) -> Section:
    rule = program.clawback
    how = "in proportion to the amount reversed" if rule.partial == "pro_rata" else "in full, whatever part is reversed"
    return Section(
        "Clawbacks",
        (
            f"If a won deal is reversed (cancelled or refunded) within {rule.window_days} days of its close, "
            f"its rewards are clawed back {how}. After the window, rewards stand.",
            "A clawback is a new entry on the statement that references the reward it reverses; nothing is erased.",
        ),
    )


def _holds(program: Program) -> Section:
    return Section(
        "Holds and anomaly checks",
        (
            "Registrations are checked for anomalies (duplicates, unusual amounts or timing, conflicts). "
            "A flagged deal's rewards and MDF accrual are held: visible on the statement, not payable.",
            "A channel manager clears the flag (the held amounts become payable) or confirms it (the deal "
            "is rejected and its held rewards and accrual are reversed). Both decisions record who decided and why.",
            spot_audit_sentence(program),
        ),
    )


def _mdf(program: Program) -> Section:
    accrual = (
        f"Each won deal adds {percent(program.mdf_accrual.percent)} of its amount to the partner's MDF fund."
        if program.mdf_accrual
        else "This program accrues no MDF on won deals; funds come from allocations only."
    )
    return Section(
        "Market development funds",
        (
            accrual,
            "Funds are spent through pre-approved requests: a partner requests an amount for an activity, "
            "a manager approves it, and the amount is reserved.",
            "After the activity the partner claims with proof of performance (results such as attendees, "
            "leads or pipeline influenced); approved claims are disbursed, in milestones where agreed. "
            "Unclaimed reservations are released and unused funds expire at the end of their period.",
        ),
    )


def _disputes() -> Section:
    return Section(
        "Disputes and escalation",
        (
            "A partner can dispute a statement line, a missing reward, a conflict decision or an MDF claim "
            "decision, with evidence.",
            "A channel manager reviews it; without an answer in time, or on the partner's request, it "
            "escalates to the program office.",
            "A dispute resolved in the partner's favour posts a compensating entry that references it; a "
            "rejection states its reason. The partner sees every dispute and its state.",
        ),
    )


def _engagement(program: Program) -> Section:
    rows = tuple((kind.replace("_", " "), str(points)) for kind, points in sorted(program.engagement_points.items()))
    return Section(
        "Engagement points",
        (
            "Recorded engagement activities earn points toward tiers"
            + (" and commitment benefits." if program.commitment else "."),
        ),
        (Table(("activity", "points"), rows),) if rows else (),
    )


def write_handbook(pv: ProgramVersion, *, status: str, notice_days: int) -> Handbook:
    """The handbook of ``pv`` with a worked example per tier on the version's first day."""
    program = pv.program
    currency = example_currency(program)
    examples = tuple(
        worked_example(
            pv, tier=level.id, amount=EXAMPLE_AMOUNT, currency=currency, product_line=DEFAULT_LINE, on=pv.effective_from
        )
        for level in program.tiers.levels
    )
    sections = (
        _about(pv, status),
        _roles(notice_days),
        _tiers(program),
        _incentives(program, examples),
        _caps(program),
        _clawbacks(program),
        _holds(program),
        _mdf(program),
        _disputes(),
        _engagement(program),
        commitment_chapter(program),
    )
    return Handbook(pv.program_id, pv.version, program.title, pv.effective_from, status, sections, examples)
