"""The projector's fast paths give exactly what the plain versions give.

Each was rewritten for speed (the projector runs them on every event); the plain version is the
definition, kept here or in the code as the reference, and hypothesis looks for any input where the
two differ: entry, announcement and payout ids (uuid5), the hashed canonical bytes (orjson against the
json module), a reward explanation's encoding (from its members against from its document), state
copies (``evolve`` against ``dataclasses.replace``), a partner after an entry (one copy against
``with_head`` then ``track_payable``), and the tier history (sorted insert and windowed sums against
rebuilding and filtering; the window cut by tuple bisection against the keyed one).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ledger.domain.chain import ChainHead, canonical, canonical_document, link, reference_canonical
from ledger.domain.deal_rewards import reference_set_quarter, set_quarter
from ledger.domain.evolve import evolve
from ledger.domain.explanation import RecordedExplanation, RewardExplanation, WinFacts, _document_of
from ledger.domain.journal import JournalEntry, Posting
from ledger.domain.money import minor_units, quantum, round_money, zero
from ledger.domain.outcome import ANNOUNCEMENT_NAMESPACE, ENTRY_NAMESPACE, announcement_id, entry_id, name_based_id
from ledger.domain.payouts import (
    BATCH_NAMESPACE,
    PayoutKind,
    action_event_id,
    batch_id,
    line_id,
    statement_event_id,
)
from ledger.domain.state import PartnerLedger, QuarterTotals, after_entries, track_payable
from ledger.domain.tiers import RETAIN_MONTHS, _window, metrics, months_before, reference_window, revenue_with
from ledger_support import program

TEXT = st.text(st.characters(codec="utf-8"), max_size=30)
DAYS = st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31))
AMOUNTS = st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
JSON_LEAVES = (
    TEXT
    | st.integers(min_value=-(2**63), max_value=2**64)
    | st.booleans()
    | st.none()
    | AMOUNTS
    | DAYS
    | st.datetimes(timezones=st.just(UTC))
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)


@given(TEXT, TEXT, st.integers(0, 99), TEXT)
def test_name_based_ids_are_uuid5(name: str, kind: str, index: int, part: str) -> None:
    for namespace in (ENTRY_NAMESPACE, ANNOUNCEMENT_NAMESPACE, BATCH_NAMESPACE, uuid.uuid4()):
        assert name_based_id(namespace, name) == str(uuid.uuid5(namespace, name))
    assert entry_id(name, kind, index) == str(uuid.uuid5(ENTRY_NAMESPACE, f"{name}:{kind}:{index}"))
    assert announcement_id(name, part) == str(uuid.uuid5(ANNOUNCEMENT_NAMESPACE, f"{name}:{part}"))


@given(TEXT, TEXT, st.datetimes(timezones=st.just(UTC)))
def test_payout_ids_are_uuid5(partner_id: str, line: str, cutoff: datetime) -> None:
    batch = batch_id("USD", cutoff)
    assert batch == str(uuid.uuid5(BATCH_NAMESPACE, f"USD|{cutoff.isoformat()}"))
    assert line_id(batch, partner_id) == str(uuid.uuid5(BATCH_NAMESPACE, f"{batch}|{partner_id}"))
    for kind in PayoutKind:
        assert action_event_id(line, kind) == str(uuid.uuid5(BATCH_NAMESPACE, f"{line}|{kind.value}"))
    assert statement_event_id(line) == str(uuid.uuid5(BATCH_NAMESPACE, f"{line}|statement_ready"))


def _entry(explanation: dict[str, Any], partner_id: str = "p-1", amount: Decimal = Decimal("12.34")) -> JournalEntry:
    return JournalEntry(
        entry_id="e-1",
        partner_id=partner_id,
        kind="rebate",
        caused_by="ev-1",
        effective_at=datetime(2026, 3, 31, tzinfo=UTC),
        rule_id="default/rebate",
        rule_version=3,
        postings=(Posting("program:default:rebate_expense", "USD", amount), Posting("x", "USD", -amount)),
        explanation=RecordedExplanation(explanation),
    )


@settings(max_examples=400)
@given(st.dictionaries(TEXT, JSON_VALUES, max_size=6), TEXT, AMOUNTS)
def test_canonical_bytes_equal_the_json_module(explanation: dict[str, Any], partner_id: str, amount: Decimal) -> None:
    entry = _entry(explanation, partner_id, amount)
    assert canonical(entry, 7, "ab" * 32) == reference_canonical(canonical_document(entry, 7, "ab" * 32))


def test_canonical_falls_back_where_the_encoders_differ() -> None:
    # Non-ASCII, control characters, DEL, a non-string key, a dataclass: the json module's bytes.
    for explanation in (
        {"summary": "Rebate on Müller GmbH"},
        {"summary": "line\nbreak\ttab"},
        {"summary": "del\x7f"},
        {"inputs": {1: "one"}},
        {"inputs": QuarterTotals()},
        {"quote": 'say "hi" \\ there'},
    ):
        entry = _entry(explanation)
        assert canonical(entry, 1, "0" * 64) == reference_canonical(canonical_document(entry, 1, "0" * 64))


def test_a_known_entry_hashes_as_it_always_did() -> None:
    """The hash of a fixed entry, computed with the json-module encoder before the fast path existed:
    journals written by earlier versions still verify."""
    entry = _entry({"summary": "Rebate of 12.34 USD", "amount": "12.34", "steps": ["a", "b"], "held": False})
    assert link(entry, ChainHead()).entry_hash == "b1084f07123d6fca8164999069df91392c39598c632182634527e82409823b4b"


@given(
    st.sampled_from(["p-1", "p-2"]),
    st.one_of(st.none(), TEXT),
    st.lists(st.tuples(DAYS, st.sampled_from(["USD", "EUR"]), AMOUNTS), max_size=5).map(tuple),
)
def test_evolve_equals_replace(partner_id: str, tier: str | None, revenue: Any) -> None:
    partner = PartnerLedger(partner_id=partner_id, program_id="default")
    changed = evolve(partner, tier=tier, revenue=revenue)
    assert changed == dataclasses.replace(partner, tier=tier, revenue=revenue)
    assert type(changed) is PartnerLedger
    assert partner.tier is None  # the original is untouched


def test_evolve_refuses_unknown_fields_and_validated_values() -> None:
    with pytest.raises(TypeError):
        evolve(PartnerLedger(partner_id="p"), tire="gold")
    with pytest.raises(TypeError):
        evolve(Posting("a", "USD", Decimal(1)), amount=Decimal(2))


def _reference_merge(rows: Any, day: date, currency: str, amount: Decimal) -> Any:
    merged: dict[tuple[date, str], Decimal] = {(d, c): a for d, c, a in rows}
    merged[(day, currency)] = merged.get((day, currency), Decimal(0)) + amount
    horizon = months_before(max(d for d, _ in merged), RETAIN_MONTHS)
    return tuple(sorted((d, c, a) for (d, c), a in merged.items() if d > horizon))


FEW_DAYS = st.sampled_from([date(2026, 1, 31), date(2026, 2, 1), date(2026, 3, 1), date(2031, 3, 1)])


@given(st.lists(st.tuples(DAYS | FEW_DAYS, st.sampled_from(["USD", "EUR", "JPY"]), AMOUNTS), max_size=40), DAYS)
def test_revenue_history_and_trailing_window_equal_the_plain_versions(
    additions: list[tuple[date, str, Decimal]], on: date
) -> None:
    fast: Any = ()
    plain: Any = ()
    for day, currency, amount in additions:
        fast = revenue_with(fast, day, currency, amount)
        plain = _reference_merge(plain, day, currency, amount)
        assert fast == plain
        assert [str(a) for *_, a in fast] == [str(a) for *_, a in plain]  # same exponents and signs
    rules = program({})
    partner = PartnerLedger(partner_id="p", revenue=fast, points=tuple((d, 3) for d, *_ in fast[:5]))
    got = metrics(partner, on, rules.program)
    start = months_before(on, rules.program.tiers.trailing_months)
    revenue: dict[str, Decimal] = defaultdict(Decimal)
    for day, currency, amount in plain:
        if start < day <= on:
            revenue[currency] += amount
    assert got.revenue == dict(revenue)
    assert got.points == sum(p for d, p in partner.points if start < d <= on)
    assert got.window_start == start


MEMBERS = TEXT | st.none() | st.integers() | AMOUNTS | st.lists(TEXT, max_size=3) | st.tuples(TEXT, TEXT)


@settings(max_examples=300)
@given(
    st.tuples(TEXT, TEXT, TEXT, st.integers(0, 9), TEXT, TEXT, TEXT, TEXT, TEXT, st.booleans())
    | st.tuples(*[MEMBERS | st.booleans() | st.dictionaries(TEXT, TEXT, max_size=2)] * 10),
    st.tuples(TEXT, TEXT, TEXT, TEXT, TEXT) | st.tuples(MEMBERS, MEMBERS, MEMBERS, MEMBERS, MEMBERS),
    st.dictionaries(TEXT, JSON_VALUES, max_size=4) | MEMBERS,
    st.lists(TEXT, max_size=4).map(tuple) | MEMBERS,
    st.lists(TEXT, max_size=2).map(tuple) | MEMBERS,
    st.none() | TEXT | MEMBERS,
)
def test_a_reward_explanation_documents_itself_as_the_general_path_does(
    win: Any, texts: Any, inputs: Any, steps: Any, capped_by: Any, period: Any
) -> None:
    summary, component, gross, amount, capped = texts
    explanation = RewardExplanation(
        WinFacts(*win), summary, component, inputs, steps, gross, amount, capped, capped_by, period
    )
    general = _document_of(explanation)
    assert list(explanation.document().items()) == list(general.items())  # the same members, in the same order
    assert explanation.encoded == RecordedExplanation(general).encoded
    # encoded directly from the members (the win's shared) equals the encoding of the document; both orders
    members = (summary, component, inputs, steps, gross, amount, capped, capped_by, period)
    again = RewardExplanation(WinFacts(*win), *members)
    assert again.encoded == again.reference_encoded() == explanation.encoded


@given(st.sampled_from(["USD", "EUR", "JPY", "KWD", "BHD", "CLP", "XXX"]), AMOUNTS)
def test_the_kept_minor_unit_rounds_as_before(currency: str, amount: Decimal) -> None:
    plain = Decimal(1).scaleb(-minor_units(currency))
    assert quantum(currency) == plain
    assert str(quantum(currency)) == str(plain)
    assert str(round_money(amount, currency)) == str(amount.quantize(plain, rounding=ROUND_HALF_EVEN) + 0)
    assert str(zero(currency)) == str(Decimal(0).quantize(plain) + 0)


@given(
    st.lists(
        st.tuples(
            st.integers(2024, 2027).flatmap(lambda y: st.integers(1, 4).map(lambda q: f"{y}-Q{q}")),
            st.sampled_from(["USD", "EUR", "JPY"]),
            AMOUNTS,
        ),
        max_size=30,
    )
)
def test_quarter_totals_are_set_as_the_plain_version_sets_them(changes: list[tuple[str, str, Decimal]]) -> None:
    fast = plain = PartnerLedger(partner_id="p")
    for quarter, currency, amount in changes:
        totals = QuarterTotals(won=amount, rewarded=-amount)
        fast = set_quarter(fast, quarter, currency, totals)
        plain = reference_set_quarter(plain, quarter, currency, totals)
        assert fast == plain


STREAMS = st.sampled_from(["registration", "mdf", "payout", "governance"])
HEADS = st.builds(ChainHead, st.integers(0, 10**6), st.text("0123456789abcdef", min_size=64, max_size=64))
PAYABLE_ACCOUNTS = st.sampled_from(["partner:p-1:rebates_payable", "partner:p-1:rebates_held", "program:x:expense"])


@st.composite
def _postings(draw: Any) -> tuple[Posting, ...]:
    lines = draw(st.lists(st.tuples(PAYABLE_ACCOUNTS, st.sampled_from(["USD", "EUR"]), AMOUNTS), max_size=4))
    postings = [Posting(account, currency, amount) for account, currency, amount in lines]
    postings += [Posting("balancing", currency, -amount) for _, currency, amount in lines]
    return tuple(postings) or (Posting("a", "USD", Decimal(1)), Posting("b", "USD", Decimal(-1)))


@settings(max_examples=300)
@given(
    st.lists(st.tuples(STREAMS, HEADS), max_size=5),
    st.lists(st.tuples(st.sampled_from(["USD", "EUR", "JPY"]), AMOUNTS), max_size=3),
    STREAMS,
    HEADS,
    _postings(),
)
def test_an_entry_moves_the_partner_as_the_plain_steps_do(
    heads: list[tuple[str, ChainHead]], payable: list[tuple[str, Decimal]], stream: str, head: ChainHead, postings: Any
) -> None:
    partner = PartnerLedger(partner_id="p-1", chains=tuple(heads), payable=tuple(payable))
    for name, _ in heads:
        assert partner.chain(name) == dict(partner.chains)[name]  # the last of a repeated stream, as a dict has it
    assert partner.chain("other") == ChainHead()
    entry = dataclasses.replace(_entry({}), stream=stream, postings=postings)
    fast = after_entries(partner, ((entry, head),))
    plain = track_payable(partner.with_head(stream, head), entry)
    assert fast == plain
    assert [(c, str(a)) for c, a in fast.payable] == [(c, str(a)) for c, a in plain.payable]  # exponents, signs


@settings(max_examples=200)
@given(
    st.lists(st.tuples(STREAMS, HEADS), max_size=5),
    st.lists(st.tuples(st.sampled_from(["USD", "EUR", "JPY"]), AMOUNTS), max_size=3),
    st.lists(st.tuples(STREAMS, HEADS, _postings()), max_size=4),
)
def test_an_events_entries_move_the_partner_once_as_the_plain_steps_do_in_turn(
    heads: list[tuple[str, ChainHead]], payable: list[tuple[str, Decimal]], posted: list[tuple[str, ChainHead, Any]]
) -> None:
    partner = PartnerLedger(partner_id="p-1", chains=tuple(heads), payable=tuple(payable))
    entries = [(dataclasses.replace(_entry({}), stream=s, postings=p), head) for s, head, p in posted]
    one_by_one = partner
    for entry, head in entries:
        one_by_one = track_payable(one_by_one.with_head(entry.stream, head), entry)
    at_once = after_entries(partner, entries)
    assert at_once == one_by_one
    assert [(c, str(a)) for c, a in at_once.payable] == [(c, str(a)) for c, a in one_by_one.payable]


@given(st.lists(st.tuples(st.dates(), st.integers(0, 9)), max_size=12), st.dates(), st.dates())
def test_the_trailing_window_is_cut_where_the_keyed_bisection_cuts_it(rows: Any, start: date, end: date) -> None:
    ordered = tuple(sorted(rows))
    for bounds in ((start, end), (date.min, end), (start, date.max), (date.min, date.max)):
        assert _window(ordered, *bounds) == reference_window(ordered, *bounds)
