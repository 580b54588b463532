"""A won deal's rewards from the version's compiled plan equal the plain rules, to the journal's bytes.

``planned_assess`` (rule_plan.py + planned_rewards.py) is what the projector runs; ``rewards.assess``
is the definition. Hypothesis generates programs (tiers, product lines, rates, accelerators with
targets by tier, partner and default, registration bonuses, influence rules, SPIFFs, caps, stacking
limits and exclusive groups, MDF accruals; currencies with 2, 0 and 3 decimal places), partners part
way through a quarter and won deals, and holds the two paths equal: the assessment (components,
amounts with their exponents, caps, dropped components, ineligibility) and the whole ``on_won``
outcome (entries, their canonical bytes and hashes, announcements, partner and deal state).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ledger.domain.catalog import ProgramVersion
from ledger.domain.chain import ChainHead, canonical, link
from ledger.domain.deal_rewards import on_won
from ledger.domain.money import minor_units
from ledger.domain.outcome import EventMeta
from ledger.domain.planned_rewards import fits, planned_assess
from ledger.domain.program_document import validate_program
from ledger.domain.rewards import Assessment, Component, assess, share_out
from ledger.domain.rule_plan import plan_for
from ledger.domain.state import DealRecord, PartnerLedger, QuarterTotals
from ledger_support import program, won

CURRENCIES = ("USD", "JPY", "KWD")  # 2, 0 and 3 decimal places
LINES = ("cloud", "security", "storage")
PARTNERS = ("p1", "p2")
KINDS = ("co_selling_call", "joint_demo", "customer_referral")
START = date(2026, 1, 1)
EXAMPLES = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

percents = st.decimals(min_value=0, max_value=100, places=3).map(str)
days = st.integers(min_value=0, max_value=200).map(lambda n: START + timedelta(days=n))


def money(currency: str, high: int = 50_000) -> st.SearchStrategy[Decimal]:
    places = minor_units(currency)
    return st.integers(min_value=0, max_value=high * 10**places).map(lambda n: Decimal(n).scaleb(-places))


def amounts(high: int = 50_000) -> st.SearchStrategy[dict[str, str]]:
    return st.lists(st.sampled_from(CURRENCIES), unique=True).flatmap(
        lambda codes: st.fixed_dictionaries({c: money(c, high).map(str) for c in codes})
    )


@st.composite
def programs(draw: Any) -> ProgramVersion:
    tiers = [f"t{i}" for i in range(draw(st.integers(1, 3)))]
    rates = {t: {"default": draw(percents), **draw(st.dictionaries(st.sampled_from(LINES), percents))} for t in tiers}
    rules: dict[str, Any] = {
        "program": "gen",
        "title": "Generated",
        "tiers": {"levels": [{"id": t} for t in tiers]},
        "rebate": {"percent": rates},
        "clawback": {"window_days": 90},
        "spiffs": [
            {
                "id": f"s{i}",
                "product_lines": draw(st.lists(st.sampled_from(LINES), min_size=1, unique=True)),
                "from": str(start := draw(days)),
                "to": str(start + timedelta(days=draw(st.integers(0, 120)))),
                "amount": draw(amounts(2_000).filter(bool)),
            }
            for i in range(draw(st.integers(0, 3)))
        ],
        "caps": {"per_deal": draw(amounts(5_000)), "per_partner_quarter": draw(amounts(20_000))},
        "stacking": {
            "max_combined_percent": draw(st.none() | percents),
            "exclusive": draw(
                st.lists(
                    st.lists(
                        st.sampled_from(["rebate", "growth_accelerator", "registration_bonus", "spiff"]),
                        min_size=2,
                        unique=True,
                    ),
                    max_size=2,
                )
            ),
        },
    }
    if draw(st.booleans()):
        rules["growth_accelerator"] = {
            "multiplier": str(draw(st.decimals(min_value=1, max_value=10, places=2))),
            "quarterly_target": {
                "default": draw(amounts()),
                "by_tier": draw(st.dictionaries(st.sampled_from(tiers), amounts())),
                "by_partner": draw(st.dictionaries(st.sampled_from(PARTNERS), amounts())),
            },
        }
    if draw(st.booleans()):
        rules["registration_bonus"] = {"percent": draw(percents)}
    if draw(st.booleans()):
        rules["influence"] = {"required": True, "kinds": draw(st.lists(st.sampled_from(KINDS), unique=True))}
    if draw(st.booleans()):
        rules["mdf_accrual"] = {"percent": draw(percents)}
    version = draw(st.integers(0, 5))
    return ProgramVersion("gen", version, date(2025, 1, 1), datetime(2025, 1, 1, tzinfo=UTC), validate_program(rules))


@st.composite
def wins(draw: Any, pv: ProgramVersion) -> tuple[PartnerLedger, DealRecord, Any, str]:
    tiers = [level.id for level in pv.program.tiers.levels]
    pid = draw(st.sampled_from(PARTNERS))
    currency = draw(st.sampled_from(CURRENCIES))
    closed = draw(days)
    quarter = f"{closed.year}-Q{(closed.month - 1) // 3 + 1}"
    totals = QuarterTotals(won=draw(money(currency, 80_000)), rewarded=draw(money(currency, 25_000)))
    partner = PartnerLedger(
        partner_id=pid,
        program_id="gen",
        enrolled_on=START,
        tier=draw(st.sampled_from(tiers)),
        quarters=((quarter, currency, totals),) if draw(st.booleans()) else (),
    )
    influence = draw(st.lists(st.tuples(st.sampled_from(KINDS), days), max_size=2))
    deal = DealRecord(
        deal_id="d1",
        partner_id=pid,
        approved_on=draw(st.none() | days),
        influence=tuple(draw(st.lists(st.tuples(st.sampled_from(KINDS), days), max_size=2))),
        flags=frozenset(draw(st.sampled_from([(), ("self_dealing",)]))),
    )
    event = won(
        "d1",
        str(draw(money(currency, 120_000))),
        closed,
        pid=pid,
        line=draw(st.sampled_from((*LINES, "networking"))),
        registered=draw(st.booleans()),
        currency=currency,
        influence=influence,
    )
    return partner, deal, event, partner.tier or tiers[0]


def described(assessment: Assessment) -> Any:
    """Everything of an assessment, Decimals as text (so 1.0 and 1.00 differ)."""
    return (
        assessment.tier,
        [
            (c.key, str(c.gross), str(c.paid), c.capped_by, c.steps, dict(c.inputs), str(c.capped))
            for c in assessment.components
        ],
        assessment.dropped,
        assessment.ineligible,
    )


@EXAMPLES
@given(st.data())
def test_the_plan_assesses_a_won_deal_as_the_rules_do(data: st.DataObject) -> None:
    pv = data.draw(programs())
    for _ in range(3):  # several deals through one plan: what it keeps per line is reused
        partner, deal, event, tier = data.draw(wins(pv))
        reference = assess(partner, deal, event, pv, tier)
        planned = planned_assess(partner, deal, event, pv, tier)
        assert described(planned) == described(reference)
        assert planned == reference


def journal(outcome: Any) -> Any:
    head = ChainHead()
    rows = []
    for entry in outcome.entries:
        linked = link(entry, head)
        head = ChainHead(linked.sequence, linked.entry_hash)
        bytes_ = canonical(entry, linked.sequence, linked.prev_hash)
        rows.append((bytes_, linked.entry_hash, entry.explanation.encoded))
    return rows


@EXAMPLES
@given(st.data())
def test_a_won_deal_posts_the_same_journal_with_the_plan(data: st.DataObject) -> None:
    pv = data.draw(programs())
    partner, deal, event, _ = data.draw(wins(pv))
    meta = EventMeta("ev-1", datetime(2026, 1, 1, tzinfo=UTC))
    reference = on_won(partner, deal, event, meta, pv, assess=assess)
    planned = on_won(partner, deal, event, meta, pv)
    assert journal(planned) == journal(reference)
    assert [e.explanation.document() for e in planned.entries] == [e.explanation.document() for e in reference.entries]
    assert planned.entries == reference.entries
    assert [(a.event_id, a.payload) for a in planned.announcements] == [
        (a.event_id, a.payload) for a in reference.announcements
    ]
    assert planned.partner == reference.partner
    assert planned.deals == reference.deals


def test_a_version_is_compiled_once_and_other_rules_again() -> None:
    pv = program({"spiffs": []})
    plan = plan_for(pv)
    same = ProgramVersion(pv.program_id, pv.version, pv.effective_from, pv.published_at, pv.program)
    assert plan_for(same) is plan  # catalogs built per batch hold new values around the same rules
    other = program({"spiffs": []})  # equal rules parsed again: another object, compiled on its own
    assert plan_for(other) is not plan
    assert plan_for(other).line("gold", "cloud", "USD").rate == Decimal(10)


cents = st.integers(min_value=-500, max_value=5_000).map(lambda n: Decimal(n).scaleb(-2))


@settings(max_examples=500)
@given(
    st.lists(st.tuples(cents, st.none() | cents), max_size=4),
    cents | st.sampled_from([Decimal("0.00"), Decimal("10.00")]),
)
def test_where_the_components_fit_a_limit_sharing_it_out_changes_nothing(
    amounts: list[tuple[Decimal, Decimal | None]], allowance: Decimal
) -> None:
    components = [Component(f"spiff:s{i}", gross, (), {}, paid) for i, (gross, paid) in enumerate(amounts)]
    shared = share_out(components, "per-deal cap", allowance, "USD")
    if fits(components, allowance):
        assert all(a is b for a, b in zip(shared, components, strict=True))
    exact = sum((c.paid if c.paid is not None else c.gross for c in components), Decimal(0))
    if all((c.paid if c.paid is not None else c.gross) >= 0 for c in components) and exact == allowance:
        assert fits(components, allowance)  # the boundary: exactly the allowance fits


@EXAMPLES
@given(st.data())
def test_where_nothing_is_announced_a_won_deal_posts_the_same(data: st.DataObject) -> None:
    """A replay's rules leave out the MDF accrual's announcement (``EventMeta.announces``) and nothing else."""
    pv = data.draw(programs())
    partner, deal, event, _ = data.draw(wins(pv))
    recorded = datetime(2026, 1, 1, tzinfo=UTC)
    announced = on_won(partner, deal, event, EventMeta("ev-1", recorded), pv)
    replayed = on_won(partner, deal, event, EventMeta("ev-1", recorded, announces=False), pv)
    assert journal(replayed) == journal(announced)
    assert replayed.entries == announced.entries
    assert replayed.partner == announced.partner
    assert replayed.deals == announced.deals
    kept = [a for a in announced.announcements if a.payload.event_type != "ledger.mdf_accrued"]
    assert [(a.event_id, a.payload) for a in replayed.announcements] == [(a.event_id, a.payload) for a in kept]
