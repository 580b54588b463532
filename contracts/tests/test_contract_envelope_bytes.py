"""``encode_json`` writes exactly the bytes ``registry.encode(...).to_json()`` writes: for every
registered event's example, for generated payloads, ids, sources, times and extensions (any text,
control characters, quotes and non-ASCII included), and it refuses what the envelope refuses. The same
holds when it is given the payload's document (:class:`PayloadDocument`) instead of the model."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from contract_support import each_event
from hypothesis import given, settings
from hypothesis import strategies as st
from incentive_contracts import registry
from incentive_contracts.envelope import CloudEvent
from incentive_contracts.envelope_bytes import PayloadDocument, encode_json, json_string, payload_json
from incentive_contracts.events.deal import DealFlagged, DealRegistered, FlagReason
from incentive_contracts.events.ledger import LedgerEntryPosted, PostingLine
from incentive_contracts.examples import example_payload
from incentive_contracts.money import Money
from incentive_contracts.payload import EventPayload
from pydantic import TypeAdapter, ValidationError

TIMES = [
    datetime(2026, 4, 1, 9, 30, tzinfo=UTC),
    datetime(2026, 4, 1, 9, 30, 0, 1, tzinfo=UTC),
    datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-5))),
    datetime(2026, 6, 1, 2, 0, 0, 500000, tzinfo=timezone(timedelta(hours=5, minutes=30))),
]


def document_of(payload: EventPayload) -> PayloadDocument:
    return PayloadDocument(payload.event_type, payload.version, payload.subject, payload.model_dump(mode="json"))


def both(payload: EventPayload, **envelope: Any) -> tuple[bytes, bytes]:
    """The plain bytes and those ``encode_json`` writes, after checking that it writes the same from the
    payload's document."""
    envelope.setdefault("source", "/registration")
    envelope.setdefault("event_id", "5f0c6d1e-2a7b-4c55-9a55-0d6a3c1b2e9f")
    fast = encode_json(payload, **envelope)
    assert encode_json(document_of(payload), **envelope) == fast
    return registry.encode(payload, **envelope).to_json(), fast


@each_event
@pytest.mark.parametrize("time", TIMES, ids=["utc", "micro", "minus5", "plus530"])
def test_every_example_encodes_to_the_same_bytes(key: tuple[str, int], time: datetime) -> None:
    payload = example_payload(*key)
    for extensions in ({}, {"correlation_id": "corr-1"}, {"causation_id": "cause-1", "correlation_id": "c"}):
        plain, fast = both(payload, time=time, sequence=17, **extensions)
        assert fast == plain
        assert CloudEvent.from_json(fast) == CloudEvent.from_json(plain)
        # The payload's JSON encoded earlier (for a history row) and passed in: the same bytes.
        shared = encode_json(payload, source="/registration", event_id="5f0c6d1e-2a7b-4c55-9a55-0d6a3c1b2e9f",
                             time=time, sequence=17, data_json=payload_json(payload), **extensions)  # fmt: skip
        assert shared == plain
        assert payload_json(payload).decode() == payload.model_dump_json()


text = st.text(min_size=1, max_size=40)


@st.composite
def registrations(draw: st.DrawFn) -> DealRegistered:
    currency, places = draw(st.sampled_from([("USD", 2), ("EUR", 2), ("JPY", 0), ("BHD", 3)]))
    cents = draw(st.integers(min_value=1, max_value=10**12))
    return DealRegistered(
        partner_id=draw(st.text(min_size=1, max_size=64)),
        deal_id=draw(text),
        customer_name=draw(text),
        customer_domain=draw(st.none() | text),
        product_line=draw(text),
        expected_amount=Money(amount=Decimal(cents).scaleb(-places), currency=currency),
        expected_close=draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1))),
        registered_on=draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1))),
    )


@settings(max_examples=300, deadline=None)
@given(
    payload=registrations(),
    source=text,
    event_id=text,
    time=st.datetimes(timezones=st.timezones()),
    sequence=st.integers(min_value=0, max_value=2**63),
    correlation_id=st.none() | st.text(max_size=40),
    causation_id=st.none() | st.text(max_size=40),
)
def test_generated_envelopes_encode_to_the_same_bytes(
    payload: DealRegistered,
    source: str,
    event_id: str,
    time: datetime,
    sequence: int,
    correlation_id: str | None,
    causation_id: str | None,
) -> None:
    plain, fast = both(
        payload,
        source=source,
        event_id=event_id,
        time=time,
        sequence=sequence,
        correlation_id=correlation_id,
        causation_id=causation_id,
    )
    assert fast == plain


@settings(max_examples=200, deadline=None)
@given(partner=st.text(min_size=1, max_size=64), detail=st.text(max_size=200), reason=st.sampled_from(FlagReason))
def test_generated_flags_encode_to_the_same_bytes(partner: str, detail: str, reason: FlagReason) -> None:
    flag = DealFlagged(partner_id=partner, deal_id="d-1", reason=reason, detail=detail, flagged_on=date(2026, 3, 2))
    plain, fast = both(flag, time=TIMES[0], sequence=3)
    assert fast == plain


@given(st.text(max_size=60))
def test_a_string_is_written_as_pydantic_writes_it(value: str) -> None:
    assert json_string(value) == TypeAdapter(str).dump_json(value)


@pytest.mark.parametrize("as_document", [False, True], ids=["model", "document"])
def test_what_the_envelope_refuses_is_refused_alike(as_document: bool) -> None:
    model = example_payload("deal.registered", 1)
    payload = document_of(model) if as_document else model
    naive = datetime(2026, 4, 1, 9, 30)
    with pytest.raises(ValidationError, match="time must carry a timezone"):
        encode_json(payload, source="/registration", time=naive)
    with pytest.raises(ValidationError, match="sequence"):
        encode_json(payload, source="/registration", time=TIMES[0], sequence=-1)


def test_a_document_orjson_cannot_write_goes_through_its_model() -> None:
    """orjson writes integers up to 64 bits; pydantic writes any: the document's model writes the rest."""
    for version in (2**63 - 1, 2**64 - 1, 2**64, -(2**63) - 1, 10**30):
        posted = LedgerEntryPosted(
            partner_id="p-1",
            entry_id="e-1",
            caused_by="c-1",
            kind="rebate",
            postings=[PostingLine(account="a", amount=Money.recorded(Decimal("1.5"), "USD"))],
            rule_id="r",
            rule_version=version,
            entry_hash="h",
        )
        plain, fast = both(posted, time=TIMES[2], sequence=9, causation_id="c-1")
        assert fast == plain


def test_an_event_id_is_made_when_none_is_given() -> None:
    payload = example_payload("deal.registered", 1)
    first = CloudEvent.from_json(encode_json(payload, source="/registration", time=TIMES[0]))
    second = CloudEvent.from_json(encode_json(payload, source="/registration", time=TIMES[0]))
    assert first.id != second.id
    assert first.data == payload.model_dump(mode="json")
