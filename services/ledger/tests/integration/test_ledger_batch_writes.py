"""The projector's batch writes give the rows the plain writes gave: the state rows upserted one
statement per table (batch_upserts) and the announcements written from documents (announcements)
against one-row ``executemany`` upserts and pydantic models, over generated stories cut into random
batches, and over a direct call that gives a key twice."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import pytest
from incentive_contracts.payload import EventPayload
from ledger.adapters.announcements import EVENT_NAMESPACE, entry_posted
from ledger.adapters.codec import deal_to_json, partner_to_json
from ledger.adapters.store import SqlLedgerStore
from ledger.adapters.tables import balances, chain_heads, ledger_deals, ledger_partners
from ledger.application.ports import BalanceKey
from ledger.application.projector import Incoming, project
from ledger.domain.chain import ChainedEntry, ChainHead
from ledger.domain.outcome import Announcement
from ledger.domain.state import DealRecord, PartnerLedger
from ledger_conftest_helpers import second_factory
from ledger_support import allocated, cleared, engaged, enrolled, flagged, incoming, reversed_, won
from servicekit.db import sync_url
from servicekit.unit_of_work import UnitOfWorkFactory
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert


class PlainStore(SqlLedgerStore):
    """The writes as they were: one-row upserts by ``executemany``, announcements as pydantic models."""

    async def save_partners(self, states: Iterable[PartnerLedger]) -> None:
        states = list(states)
        if not states:
            return
        rows = [
            {"partner_id": s.partner_id, "program_id": s.program_id, "tier": s.tier, "state": partner_to_json(s)}
            for s in states
        ]
        stmt = insert(ledger_partners)
        stmt = stmt.on_conflict_do_update(
            index_elements=["partner_id"],
            set_={"program_id": stmt.excluded.program_id, "tier": stmt.excluded.tier, "state": stmt.excluded.state},
        )
        await self.conn.execute(stmt, rows)
        heads = [
            {"partner_id": s.partner_id, "stream": stream, "last_sequence": h.last_sequence, "head_hash": h.head_hash}
            for s in states
            for stream, h in s.chains
        ]
        if heads:
            upsert = insert(chain_heads)
            upsert = upsert.on_conflict_do_update(
                index_elements=["partner_id", "stream"],
                set_={"last_sequence": upsert.excluded.last_sequence, "head_hash": upsert.excluded.head_hash},
            )
            await self.conn.execute(upsert, heads)

    async def save_deals(self, deals: Iterable[DealRecord]) -> None:
        rows = [{"partner_id": d.partner_id, "deal_id": d.deal_id, "state": deal_to_json(d)} for d in deals]
        if not rows:
            return
        stmt = insert(ledger_deals)
        stmt = stmt.on_conflict_do_update(index_elements=["partner_id", "deal_id"], set_={"state": stmt.excluded.state})
        await self.conn.execute(stmt, rows)

    async def apply_balance_deltas(self, deltas: Mapping[BalanceKey, Decimal]) -> None:
        rows = [
            {"partner_id": k[0], "account": k[1], "currency": k[2], "balance": v}
            for k, v in sorted(deltas.items())
            if v != 0
        ]
        if not rows:
            return
        stmt = insert(balances)
        stmt = stmt.on_conflict_do_update(
            index_elements=["partner_id", "account", "currency"],
            set_={"balance": text("balances.balance + excluded.balance")},
        )
        await self.conn.execute(stmt, rows)

    def publish_entry_posted(self, entry: ChainedEntry) -> None:
        self.uow.publish(
            entry_posted(entry),
            time=entry.entry.effective_at,
            causation_id=entry.entry.caused_by,
            event_id=str(uuid.uuid5(EVENT_NAMESPACE, entry.entry.entry_id)),
        )

    def announce(self, announcement: Announcement) -> None:
        self.uow.publish(
            announcement.payload,
            time=announcement.time,
            causation_id=announcement.causation_id,
            event_id=announcement.event_id,
        )


TABLES = {
    "ledger_deals": "SELECT partner_id, deal_id, state::text FROM ledger_deals ORDER BY 1, 2",
    "ledger_partners": "SELECT partner_id, program_id, tier, state::text FROM ledger_partners ORDER BY 1",
    "chain_heads": "SELECT partner_id, stream, last_sequence, head_hash FROM chain_heads ORDER BY 1, 2",
    "balances": "SELECT partner_id, account, currency, balance::text FROM balances ORDER BY 1, 2, 3",
    "journal": "SELECT entry_id, partner_id, stream, sequence, entry_hash FROM journal_entries ORDER BY posted_seq",
    "outbox": "SELECT event_id, topic, partition_key, sequence, event_type, payload FROM outbox ORDER BY id",
}


async def _rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    conn = await asyncpg.connect(sync_url(url))
    try:
        return {name: [tuple(r) for r in await conn.fetch(sql)] for name, sql in TABLES.items()}
    finally:
        await conn.close()


def _story(rng: random.Random) -> list[EventPayload]:
    """Partners enrolling, engaging, funded, winning, flagged, cleared and refunding, interleaved."""
    pids = [f"p{n}" for n in range(rng.randint(2, 5))]
    events: list[EventPayload] = [enrolled(pid, program_id="default") for pid in pids]
    day = date(2026, 1, 10)
    deals: list[tuple[str, str, str]] = []
    for step in range(rng.randint(20, 60)):
        day += timedelta(days=rng.randint(0, 3))
        pid = rng.choice(pids)
        roll = rng.random()
        if roll < 0.45 or not deals:
            currency = rng.choice(["USD", "USD", "EUR"])
            amount = f"{rng.randint(1, 500_000)}.{rng.randint(0, 99):02d}"
            deals.append((pid, f"d{step}", currency))
            events.append(won(f"d{step}", amount, day, pid=pid, registered=rng.random() < 0.5, currency=currency))
        elif roll < 0.55:
            events.append(engaged(rng.choice(["certification", "enablement_session"]), day, pid=pid))
        elif roll < 0.62:
            events.append(allocated(f"{rng.randint(1, 9000)}.00", day, pid=pid))
        else:
            owner, deal_id, currency = rng.choice(deals)
            kind = rng.random()
            if kind < 0.4:
                events.append(flagged(deal_id, day, pid=owner))
            elif kind < 0.7:
                events.append(cleared(deal_id, day, pid=owner))
            else:
                events.append(reversed_(deal_id, f"{rng.randint(1, 900)}.00", day, pid=owner, currency=currency))
    return events


def _batches(rng: random.Random, events: list[Incoming]) -> list[list[Incoming]]:
    cuts = sorted(rng.sample(range(1, len(events)), k=min(len(events) - 1, rng.randint(0, 6))))
    return [events[a:b] for a, b in zip([0, *cuts], [*cuts, len(events)], strict=True)]


async def _project(factory: UnitOfWorkFactory, store: type[SqlLedgerStore], batches: list[list[Incoming]]) -> None:
    for batch in batches:
        async with factory() as uow:
            await project(store(uow), batch)
            await uow.commit()


@pytest.mark.parametrize("seed", range(6))
async def test_generated_stories_write_the_rows_the_plain_writes_wrote(
    seed: int, uow_factory, ledger_settings, database_factory
) -> None:
    rng = random.Random(seed)
    events = [incoming(e, event_id=f"ev-{seed}-{n}") for n, e in enumerate(_story(rng))]
    batches = _batches(rng, events)
    await _project(uow_factory, SqlLedgerStore, batches)
    written = await _rows(ledger_settings.database_url)
    async with second_factory(database_factory, ledger_settings) as (plain_url, plain_factory):
        await _project(plain_factory, PlainStore, batches)
        assert await _rows(plain_url) == written
    assert written["ledger_deals"]
    assert written["balances"]
    assert {row[4] for row in written["outbox"]} >= {"ledger.entry_posted", "ledger.mdf_accrued"}


async def test_a_key_given_twice_keeps_its_last_value_as_before(uow_factory, ledger_settings, database_factory) -> None:
    first = PartnerLedger(partner_id="p1", program_id="default", tier="registered")
    first = first.with_head("mdf", ChainHead(1, "h-mdf")).with_head("registration", ChainHead(2, "h-2"))
    last = replace(first, tier="gold", chains=(("registration", ChainHead(3, "h-3")),))  # the mdf head: from first
    other = PartnerLedger(partner_id="p0", program_id=None, tier=None)
    deal = DealRecord(deal_id="d1", partner_id="p1")
    later = replace(deal, approved_on=date(2026, 2, 1), flags=frozenset({"self_dealing"}))
    deltas = {("p1", "partner:p1:rebates_payable", "USD"): Decimal("-1.50"), ("p1", "x", "EUR"): Decimal(0)}

    rounds = [  # the second round finds every row there: the updates
        ([first, other, last], [deal, later, replace(deal, deal_id="d2")]),
        ([replace(last, tier="silver", program_id="growth")], [replace(later, flags=frozenset())]),
    ]

    async def write(factory: UnitOfWorkFactory, store: type[SqlLedgerStore]) -> None:
        for states, deals in rounds:
            async with factory() as uow:
                target = store(uow)
                await target.save_partners(states)
                await target.save_deals(deals)
                await target.apply_balance_deltas(deltas)
                await uow.commit()

    await write(uow_factory, SqlLedgerStore)
    written = await _rows(ledger_settings.database_url)
    async with second_factory(database_factory, ledger_settings) as (plain_url, plain_factory):
        await write(plain_factory, PlainStore)
        assert await _rows(plain_url) == written
    assert [r[:3] for r in written["ledger_partners"]] == [("p0", None, None), ("p1", "growth", "silver")]
    assert [r[:3] for r in written["chain_heads"]] == [("p1", "mdf", 1), ("p1", "registration", 3)]
    assert written["balances"] == [("p1", "partner:p1:rebates_payable", "USD", "-3.00")]
