"""Property-based tests (hypothesis) of the journal's guarantees.

- every entry's postings sum to zero per currency, and so does the whole journal;
- reversing every deal returns every partner's balances to where they were before the deals;
- duplicated and reordered event streams (across partners, and across a partner's registration and
  MDF streams) and any batch boundaries give the same journal, hashes and balances as the clean stream.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from incentive_contracts.events import mdf
from ledger.adapters.memory import MemoryReplay
from ledger.application.projector import Incoming
from ledger_support import (
    allocated,
    cleared,
    engaged,
    enrolled,
    flagged,
    incoming,
    mdf_answers,
    program,
    reversed_,
    usd,
    won,
)

RULES = program(
    {
        "growth_accelerator": {"multiplier": "1.5", "quarterly_target": {"default": {"USD": "20000", "EUR": "15000"}}},
        "registration_bonus": {"percent": "1.5"},
        "spiffs": [
            {
                "id": "sec",
                "product_lines": ["security"],
                "from": "2026-01-01",
                "to": "2026-06-30",
                "amount": {"USD": "300", "EUR": "250"},
            }
        ],
        "caps": {"per_deal": {"USD": "4000"}, "per_partner_quarter": {"USD": "9000", "EUR": "7000"}},
        "stacking": {"max_combined_percent": "9", "exclusive": [["registration_bonus", "spiff"]]},
        "mdf_accrual": {"percent": "1.25"},
        "clawback": {"window_days": 120, "partial": "pro_rata"},
    }
)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

amounts_ = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("60000"), places=2)
days = st.integers(min_value=0, max_value=170)


@st.composite
def deal_plans(draw, partner: str, count: int):  # type: ignore[no-untyped-def]
    plans = []
    for i in range(count):
        plans.append(
            {
                "deal_id": f"{partner}-d{i}",
                "amount": draw(amounts_),
                "currency": draw(st.sampled_from(["USD", "USD", "EUR"])),
                "line": draw(st.sampled_from(["cloud", "security", "storage"])),
                "closed": date(2026, 1, 10) + timedelta(days=draw(days)),
                "registered": draw(st.booleans()),
                "flag": draw(st.sampled_from([None, "before", "after", "after-cleared"])),
                "parts": draw(st.integers(min_value=1, max_value=3)),
            }
        )
    return plans


def deal_events(partner: str, plan: dict) -> list:  # type: ignore[type-arg]
    closed = plan["closed"]
    events = []
    if plan["flag"] == "before":
        events.append(flagged(plan["deal_id"], closed - timedelta(days=1), pid=partner))
    events.append(
        won(
            plan["deal_id"],
            str(plan["amount"]),
            closed,
            pid=partner,
            line=plan["line"],
            registered=plan["registered"],
            currency=plan["currency"],
        )
    )
    if plan["flag"] in ("after", "after-cleared"):
        events.append(flagged(plan["deal_id"], closed + timedelta(days=1), pid=partner))
    if plan["flag"] == "after-cleared":
        events.append(cleared(plan["deal_id"], closed + timedelta(days=2), pid=partner))
    return events


def reversal_events(partner: str, plan: dict) -> list:  # type: ignore[type-arg]
    """Reverse the whole deal inside the window, in ``parts`` pieces that add up to the amount."""
    total, parts = plan["amount"], plan["parts"]
    piece = (total / parts).quantize(Decimal("0.01"))
    pieces = [piece] * (parts - 1) + [total - piece * (parts - 1)]
    return [
        reversed_(
            plan["deal_id"], str(p), plan["closed"] + timedelta(days=10 + i), pid=partner, currency=plan["currency"]
        )
        for i, p in enumerate(pieces)
        if p > 0
    ]


def baseline(partner: str) -> list:  # type: ignore[type-arg]
    return [
        enrolled(partner),
        allocated("1000.00", date(2026, 1, 6), pid=partner),
        engaged("certification", date(2026, 1, 7), pid=partner),
    ]


def balances_of(replay: MemoryReplay) -> dict:  # type: ignore[type-arg]
    return {k: v for k, v in replay.ledger.balances.items() if v != 0}


@FAST
@given(st.data())
async def test_postings_sum_to_zero_per_currency(data):  # type: ignore[no-untyped-def]
    events = []
    for partner in ("p1", "p2"):
        events += baseline(partner)
        for plan in data.draw(deal_plans(partner, data.draw(st.integers(1, 6)))):
            events += deal_events(partner, plan)
            if data.draw(st.booleans()):
                events += reversal_events(partner, plan)
    replay = MemoryReplay([RULES])
    await replay.feed([incoming(e) for e in events])
    assert replay.rejected == []
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for chained in replay.ledger.journal:
        per_entry: dict[str, Decimal] = defaultdict(Decimal)
        for posting in chained.entry.postings:
            per_entry[posting.currency] += posting.amount
            totals[posting.currency] += posting.amount
        assert all(v == 0 for v in per_entry.values()), chained.entry
    assert all(v == 0 for v in totals.values())


@FAST
@given(st.data())
async def test_reversing_every_deal_returns_the_balances_to_before_the_deals(data):  # type: ignore[no-untyped-def]
    plans = data.draw(deal_plans("p1", data.draw(st.integers(1, 6))))
    before = MemoryReplay([RULES])
    await before.feed([incoming(e) for e in baseline("p1")])
    after = MemoryReplay([RULES])
    events = baseline("p1")
    for plan in plans:
        events += deal_events("p1", plan)
    for plan in data.draw(st.permutations(plans)):
        events += reversal_events("p1", plan)
    await after.feed([incoming(e) for e in events])
    # the MDF share of each reversal is the mdf service's to take back (issue 12): it answers in full
    await after.feed([incoming(e) for e in mdf_answers(after)])
    assert after.rejected == []
    assert balances_of(after) == balances_of(before)


def mdf_stream(partner: str) -> list:  # type: ignore[type-arg]
    return [
        allocated("800.00", date(2026, 2, 1), pid=partner),
        mdf.MdfRequestApproved(
            partner_id=partner,
            request_id=f"{partner}-r",
            period="2026-Q1",
            requested_amount=usd("500.00"),
            approved_amount=usd("400.00"),
            approved_on=date(2026, 2, 2),
            approved_by="m",
            claim_deadline=date(2026, 4, 30),
        ),
        mdf.MdfDisbursed(
            partner_id=partner,
            disbursement_id=f"{partner}-x",
            request_id=f"{partner}-r",
            period="2026-Q1",
            milestone="all",
            trigger="proof_approved",
            amount=usd("400.00"),
            disbursed_on=date(2026, 3, 1),
        ),
    ]


@FAST
@given(st.data())
async def test_duplicated_and_reordered_streams_give_the_same_journal(data):  # type: ignore[no-untyped-def]
    partners = ["p1", "p2", "p3"]
    enrolments: list[Incoming] = []
    streams: list[list[Incoming]] = []
    for partner in partners:
        registration = []
        for plan in data.draw(deal_plans(partner, data.draw(st.integers(1, 4)))):
            registration += deal_events(partner, plan)
            if data.draw(st.booleans()):
                registration += reversal_events(partner, plan)[:1]
        registration.append(engaged("quarterly_business_review", date(2026, 5, 1), pid=partner))
        enrolments.append(incoming(enrolled(partner)))
        streams.append([incoming(e) for e in registration])
        streams.append([incoming(e) for e in mdf_stream(partner)])

    clean = MemoryReplay([RULES])
    await clean.feed(enrolments + [e for stream in streams for e in stream])

    # Interleave the streams at random (each keeps its own order), duplicate some events, cut random batches.
    order = data.draw(st.permutations([i for i, s in enumerate(streams) for _ in s]))
    positions = [0] * len(streams)
    mixed = list(data.draw(st.permutations(enrolments)))
    for i in order:
        mixed.append(streams[i][positions[i]])
        positions[i] += 1
    for _ in range(data.draw(st.integers(0, 5))):
        at = data.draw(st.integers(0, len(mixed) - 1))
        mixed.insert(data.draw(st.integers(at, len(mixed))), mixed[at])  # a redelivery, later
    noisy = MemoryReplay([RULES])
    start = 0
    while start < len(mixed):
        size = data.draw(st.integers(1, 8))
        await noisy.feed(mixed[start : start + size])
        start += size

    def journal(r: MemoryReplay) -> set:  # type: ignore[type-arg]
        return {
            (c.entry.entry_id, c.entry.partner_id, c.entry.stream, c.sequence, c.entry_hash) for c in r.ledger.journal
        }

    assert clean.rejected == noisy.rejected == []
    assert len(noisy.ledger.journal) == len(clean.ledger.journal)
    assert journal(noisy) == journal(clean)
    assert balances_of(noisy) == balances_of(clean)
    assert noisy.ledger.partners == clean.ledger.partners
