"""Partner states decoded with shared dates and currency codes equal the plainly decoded states."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st
from ledger.adapters import codec
from ledger.adapters.codec import partner_from_json, partner_to_json
from ledger.domain.state import PartnerLedger, QuarterTotals

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
currencies = st.sampled_from(["USD", "EUR", "JPY"])
amounts = st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


def plain(partner_id: str, program_id: str | None, tier: str | None, doc: dict[str, Any]) -> PartnerLedger:
    """The decoding before values were shared: one new object per value."""
    day = date.fromisoformat
    return PartnerLedger(
        partner_id=partner_id,
        program_id=program_id,
        tier=tier,
        enrolled_on=day(doc["enrolled_on"]) if doc.get("enrolled_on") else None,
        tier_since=day(doc["tier_since"]) if doc.get("tier_since") else None,
        reviewed_through=day(doc["reviewed_through"]) if doc.get("reviewed_through") else None,
        revenue=tuple((day(d), c, Decimal(a)) for d, c, a in doc.get("revenue", [])),
        points=tuple((day(d), int(n)) for d, n in doc.get("points", [])),
        quarters=tuple((q, c, QuarterTotals(Decimal(w), Decimal(r))) for q, c, w, r in doc.get("quarters", [])),
    )


@st.composite
def partners(draw: st.DrawFn) -> PartnerLedger:
    return PartnerLedger(
        partner_id="p1",
        program_id="default",
        tier=draw(st.sampled_from([None, "registered", "gold"])),
        enrolled_on=draw(st.none() | days),
        tier_since=draw(st.none() | days),
        reviewed_through=draw(st.none() | days),
        revenue=tuple(sorted(draw(st.lists(st.tuples(days, currencies, amounts), max_size=40)))),
        points=tuple(sorted(draw(st.lists(st.tuples(days, st.integers(0, 10**6)), max_size=10)))),
        quarters=tuple(
            (q, c, QuarterTotals(w, r))
            for q, c, w, r in draw(
                st.lists(st.tuples(st.sampled_from(["2025-Q1", "2026-Q3"]), currencies, amounts, amounts), max_size=4)
            )
        ),
    )


@settings(max_examples=200, deadline=None)
@given(partners())
def test_shared_values_decode_the_states_the_plain_decoding_gave(state: PartnerLedger) -> None:
    doc = orjson.loads(orjson.dumps(partner_to_json(state)))
    shared = partner_from_json(state.partner_id, state.program_id, state.tier, doc)
    assert shared == plain(state.partner_id, state.program_id, state.tier, doc) == state
    assert partner_to_json(shared) == partner_to_json(state)


def test_days_past_the_cache_limit_still_decode(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(codec, "_SHARED_DAYS", {})
    monkeypatch.setattr(codec, "SHARED_DAYS_LIMIT", 3)
    revenue = [[(date(2025, 1, 1) + timedelta(days=i)).isoformat(), "USD", "1.00"] for i in range(10)]
    state = partner_from_json("p1", None, None, {"revenue": revenue})
    assert [d for d, _, _ in state.revenue] == [date(2025, 1, 1) + timedelta(days=i) for i in range(10)]
    assert len(codec._SHARED_DAYS) == 3
    again = partner_from_json("p1", None, None, {"revenue": revenue})
    assert again.revenue[0][0] is state.revenue[0][0], "a cached day is one object"
