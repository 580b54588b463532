"""The projector's announcements written from documents are byte for byte those of their models: for
generated entries and accruals (any text, amounts of every scale, large versions) and for the contract
examples of ``ledger.entry_posted`` and ``ledger.mdf_accrued``."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from incentive_contracts.envelope_bytes import PayloadDocument, encode_json
from incentive_contracts.events.ledger import LedgerEntryPosted, LedgerMdfAccrued
from incentive_contracts.examples import example_payload
from incentive_contracts.money import Money
from incentive_contracts.payload import EventPayload
from ledger.adapters.announcements import (
    EVENT_NAMESPACE,
    announced_payload,
    entry_posted,
    entry_posted_event_id,
    entry_posted_payload,
)
from ledger.domain.chain import ChainedEntry
from ledger.domain.journal import JournalEntry, Posting

TIME = datetime(2026, 3, 4, tzinfo=UTC)
text = st.text(min_size=1, max_size=40)
partners = st.text(min_size=1, max_size=64)
currencies = st.sampled_from(["USD", "EUR", "JPY", "BHD", "XTS", "ABC"])  # recorded money: any code
amounts = st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**18), max_value=10**18, places=None)
times = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
) | st.sampled_from([TIME, datetime(2026, 6, 1, 2, 0, 0, 500000, tzinfo=timezone(timedelta(hours=5, minutes=30)))])


def written(payload: EventPayload | PayloadDocument, time: datetime, event_id: str, cause: str, sequence: int) -> bytes:
    return encode_json(payload, source="/ledger", time=time, sequence=sequence, event_id=event_id, causation_id=cause)


@st.composite
def chained_entries(draw: st.DrawFn) -> ChainedEntry:
    currency = draw(currencies)
    lines = [(draw(text), draw(amounts)) for _ in range(draw(st.integers(min_value=1, max_value=4)))]
    postings = [Posting(account, currency, amount) for account, amount in lines]
    postings.append(Posting(draw(text), currency, -sum((p.amount for p in postings), Decimal(0))))
    entry = JournalEntry(
        entry_id=draw(text),
        partner_id=draw(partners),
        kind=draw(text),
        caused_by=draw(text),
        effective_at=draw(times),
        rule_id=draw(text),
        rule_version=draw(st.integers(min_value=-(2**70), max_value=2**70)),
        postings=tuple(postings),
    )
    return ChainedEntry(entry, draw(st.integers(min_value=1, max_value=10**6)), draw(text), draw(text))


def assert_same_announcement(chained: ChainedEntry, sequence: int = 3) -> None:
    e = chained.entry
    event_id = entry_posted_event_id(e.entry_id)
    assert event_id == str(uuid.uuid5(EVENT_NAMESPACE, e.entry_id))
    fast = entry_posted_payload(chained)
    assert isinstance(fast, PayloadDocument)
    assert fast.data == entry_posted(chained).model_dump(mode="json")
    reference = written(entry_posted(chained), e.effective_at, event_id, e.caused_by, sequence)
    assert written(fast, e.effective_at, event_id, e.caused_by, sequence) == reference


@settings(max_examples=300, deadline=None)
@given(chained=chained_entries(), sequence=st.integers(min_value=0, max_value=2**63))
def test_generated_entries_are_announced_with_the_models_bytes(chained: ChainedEntry, sequence: int) -> None:
    assert_same_announcement(chained, sequence)


def test_the_contract_example_of_an_entry_is_announced_with_the_models_bytes() -> None:
    example = example_payload("ledger.entry_posted", 1)
    assert isinstance(example, LedgerEntryPosted)
    entry = JournalEntry(
        entry_id=example.entry_id,
        partner_id=example.partner_id,
        kind=example.kind,
        caused_by=example.caused_by,
        effective_at=TIME,
        rule_id=example.rule_id,
        rule_version=example.rule_version,
        postings=tuple(Posting(p.account, p.amount.currency, p.amount.amount) for p in example.postings),
    )
    chained = ChainedEntry(entry, 7, "0" * 64, example.entry_hash)
    assert entry_posted(chained) == example
    assert_same_announcement(chained)


def test_money_the_model_refuses_is_refused_as_before() -> None:
    entry = JournalEntry(
        "e-1", "p-1", "rebate", "c-1", TIME, "r", 1, (Posting("a", "usd", Decimal(1)), Posting("b", "usd", Decimal(-1)))
    )
    with pytest.raises(ValueError, match="not recorded money"):
        entry_posted_payload(ChainedEntry(entry, 1, "", "h"))


@st.composite
def accruals(draw: st.DrawFn) -> LedgerMdfAccrued:
    amount = draw(st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**14), max_value=10**14, places=4))
    return LedgerMdfAccrued(
        partner_id=draw(partners),
        entry_id=draw(text),
        deal_id=draw(text),
        period=f"{draw(st.integers(min_value=0, max_value=9999)):04d}-Q{draw(st.integers(min_value=1, max_value=4))}",
        amount=Money.recorded(amount, draw(currencies)),
        rate=draw(text),
        rule_version=draw(st.integers(min_value=-(2**70), max_value=2**70)),
    )


def assert_same_accrual(payload: LedgerMdfAccrued, time: datetime) -> None:
    fast = announced_payload(payload)
    assert isinstance(fast, PayloadDocument)
    assert fast.data == payload.model_dump(mode="json")
    assert written(fast, time, "ev-1", "cause-1", 5) == written(payload, time, "ev-1", "cause-1", 5)


@settings(max_examples=300, deadline=None)
@given(payload=accruals(), time=times)
def test_generated_accruals_are_announced_with_the_models_bytes(payload: LedgerMdfAccrued, time: datetime) -> None:
    assert_same_accrual(payload, time)


def test_the_contract_example_of_an_accrual_is_announced_with_the_models_bytes() -> None:
    example = example_payload("ledger.mdf_accrued", 1)
    assert isinstance(example, LedgerMdfAccrued)
    assert_same_accrual(example, TIME)


def test_other_announcements_are_published_as_their_models() -> None:
    reversal = example_payload("ledger.mdf_accrual_reversed", 1)
    assert announced_payload(reversal) is reversal
