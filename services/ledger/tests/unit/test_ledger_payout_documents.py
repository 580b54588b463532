"""A cut line's announcements written from documents are byte for byte those of their models: for
generated actions (any text, amounts of every scale, offsets and naive times, values the models
refuse) and for the contract examples of ``ledger.payout_batched`` and ``ledger.statement_ready``;
a cut's announcements built ahead are staged as ``announce`` stages them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from incentive_contracts.envelope_bytes import PayloadDocument, encode_json
from incentive_contracts.events.ledger import LedgerPayoutBatched, LedgerStatementReady
from incentive_contracts.examples import example_payload
from incentive_contracts.payload import EventPayload
from ledger.adapters.payout_announcements import payout_batched_payload, payout_event, statement_ready_payload
from ledger.adapters.payout_store import SqlPayoutStore
from ledger.domain.chain import ChainedEntry
from ledger.domain.journal import JournalEntry, Posting
from ledger.domain.payouts import PayoutAction, PayoutKind, action_from_event, statement_ready
from servicekit.unit_of_work import UnitOfWork
from sqlalchemy.ext.asyncio import AsyncConnection

RECORDED_AT = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
offsets = st.sampled_from(
    [UTC, timezone(timedelta(0)), timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=8))]
)
instants = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1))
times = st.one_of(instants, st.builds(lambda t, tz: t.replace(tzinfo=tz), instants, offsets))
amounts = st.decimals(allow_nan=True, allow_infinity=True, places=None) | st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal(10**12), places=2
)
numbers = st.integers(min_value=-2, max_value=3) | st.integers(min_value=0, max_value=2**63 - 1)
partner_ids = st.sampled_from(["", "p-1", "p" * 64, "p" * 65]) | st.text(max_size=70)


@st.composite
def cut_actions(draw: st.DrawFn) -> PayoutAction:
    return PayoutAction(
        kind=draw(st.sampled_from(PayoutKind)),
        partner_id=draw(partner_ids),
        batch_id=draw(st.text(max_size=40)),
        line_id=draw(st.text(max_size=40)),
        currency=draw(st.sampled_from(["USD", "JPY", "BHD", "XTS", "usd", "US", "EURO"])),
        amount=draw(amounts),
        at=draw(times),
        registration_sequence=draw(numbers),
        event_id="ev-1",
        detail=draw(st.text(max_size=40)),
        entries_covered=draw(numbers),
        coverage_hash=draw(st.text(max_size=70)),
    )


def linked(entry_id: str = "e-1") -> ChainedEntry:
    postings = (Posting("a", "USD", Decimal(1)), Posting("b", "USD", Decimal(-1)))
    return ChainedEntry(JournalEntry(entry_id, "p-1", "payout", "ev-1", RECORDED_AT, "r", 1, postings), 1, "", "h")


def written(build: object) -> bytes | str:
    """The envelope the outbox would write for what ``build`` gives, or the kind of error it raises."""
    try:
        payload = build()  # type: ignore[operator]
        assert isinstance(payload, EventPayload | PayloadDocument)
        return encode_json(payload, source="/ledger", time=RECORDED_AT, sequence=3, event_id="ev-1")
    except ValueError as refused:  # pydantic's ValidationError is one
        return type(refused).__name__


@settings(max_examples=400, deadline=None)
@given(action=cut_actions())
def test_generated_actions_are_announced_with_the_models_bytes(action: PayoutAction) -> None:
    entry = linked()
    assert written(lambda: payout_batched_payload(action, entry)) == written(lambda: payout_event(action, entry))
    if action.kind is PayoutKind.CUT:
        assert written(lambda: statement_ready_payload(action)) == written(lambda: statement_ready(action))


def test_a_usual_cut_line_is_written_from_documents() -> None:
    action = USUAL
    batched, ready = payout_batched_payload(action, linked()), statement_ready_payload(action)
    assert isinstance(batched, PayloadDocument)
    assert isinstance(ready, PayloadDocument)
    assert batched.data == payout_event(action, linked()).model_dump(mode="json")
    assert ready.data == statement_ready(action).model_dump(mode="json")


def test_one_instant_in_two_offsets_is_written_in_each_offset() -> None:
    """The cutoff's text is kept per cut: equal instants in other offsets (or naive) are not one text."""
    instant = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
    for at in (instant, instant.astimezone(timezone(timedelta(hours=5, minutes=30))), instant.replace(tzinfo=None)):
        action = replace(USUAL, at=at)
        assert written(lambda a=action: payout_batched_payload(a, linked())) == written(
            lambda a=action: payout_event(a, linked())
        )
        assert written(lambda a=action: statement_ready_payload(a)) == written(lambda a=action: statement_ready(a))


def test_the_contract_examples_are_announced_with_the_models_bytes() -> None:
    example = example_payload("ledger.payout_batched", 1)
    assert isinstance(example, LedgerPayoutBatched)
    action = action_from_event(example, "ev-1")
    entry = linked(example.entry_id)
    assert payout_event(action, entry) == example
    assert written(lambda: payout_batched_payload(action, entry)) == written(lambda: example)

    ready = example_payload("ledger.statement_ready", 1)
    assert isinstance(ready, LedgerStatementReady)
    cut = PayoutAction(
        PayoutKind.CUT, ready.partner_id, ready.batch_id, ready.line_id, ready.currency, ready.amount.amount,
        ready.cutoff, 0, "ev-1", "REF", ready.entries_covered,
    )  # fmt: skip
    assert statement_ready(cut) == ready
    assert written(lambda: statement_ready_payload(cut)) == written(lambda: ready)


USUAL = PayoutAction(
    PayoutKind.CUT, "p-1", "b-1", "l-1", "USD", Decimal("12.50"), RECORDED_AT, 4, "ev-1", "REF", 2, "ab" * 32
)
REFUSED = {
    "no partner": {"partner_id": ""},
    "a partner id past 64 characters": {"partner_id": "p" * 65},
    "a currency code in lower case": {"currency": "usd"},
    "an amount that is not a number": {"amount": Decimal("NaN")},
    "a negative count of entries": {"entries_covered": -1},
    "a negative registration position": {"registration_sequence": -1},
}


@pytest.mark.parametrize("change", list(REFUSED))
def test_values_the_models_refuse_are_refused_as_before(change: str) -> None:
    action = replace(USUAL, **REFUSED[change])  # type: ignore[arg-type]
    assert written(lambda: payout_batched_payload(action, linked())) == written(lambda: payout_event(action, linked()))
    assert isinstance(written(lambda: payout_event(action, linked())), str)
    assert written(lambda: statement_ready_payload(action)) == written(lambda: statement_ready(action))


async def test_a_cuts_prepared_announcements_stage_what_announce_stages_action_by_action() -> None:
    """The cut builds its announcements in a worker thread beside its writes; staged, they are the events
    ``announce`` stages for each action in turn (same payloads, ids, times, causes and order)."""
    kinds = [PayoutKind.CUT, PayoutKind.SETTLED, PayoutKind.CUT, PayoutKind.FAILED]
    actions = [
        replace(USUAL, kind=kind, partner_id=f"p-{i}", line_id=f"l-{i}", event_id=f"ev-{i}")
        for i, kind in enumerate(kinds)
    ]
    chained = [linked(f"e-{i}") for i in range(len(actions))]
    one_by_one = SqlPayoutStore(UnitOfWork(conn=cast(AsyncConnection, None), source="/ledger", topic="t"))
    for action, entry in zip(actions, chained, strict=True):
        one_by_one.announce(action, entry, RECORDED_AT)
    prepared = SqlPayoutStore(UnitOfWork(conn=cast(AsyncConnection, None), source="/ledger", topic="t"))
    prepared.stage(await prepared.announcements(actions, chained, RECORDED_AT))
    assert len(one_by_one.uow._staged) == 2 * len(actions) + kinds.count(PayoutKind.CUT)
    assert prepared.uow._staged == one_by_one.uow._staged
