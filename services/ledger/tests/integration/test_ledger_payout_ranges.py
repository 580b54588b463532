"""The ranged payout cut equals the plain per-entry version on the same data.

The reference below is the cut as it was before coverage became ranges (migration 0011): each
partner's payable postings effective by the cutoff, not payout entries, in no open or paid line
(coverage kept here per entry, as the old ``payout_coverage`` table kept it), summed per entry and
hashed over the sorted entry ids. Seeded random histories (wins in two currencies, holds and their
release, clawbacks that leave balances negative, entries dated before earlier cutoffs, cutoffs out
of order, failed and paid lines) are cut again and again; every batch must have the same lines,
amounts, counts, hashes and covered entries as the reference, no entry may be in two open or paid
lines, and no payable entry by a cutoff may be left out.

Every test runs twice: with the partners measured in one chunk, and in chunks of two (the cut
measures the locked partners chunk by chunk, building one chunk's lines while the next is measured).
"""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import asyncpg
import pytest
from incentive_contracts.payload import EventPayload
from ledger.adapters.payout_store import SqlPayoutStore
from ledger.adapters.store import SqlLedgerStore
from ledger.application.projector import project
from ledger.domain.payouts import batch_id, coverage_hash, line_amount
from ledger_support import cleared, enrolled, flagged, incoming, reversed_, won
from servicekit.db import sync_url
from servicekit.testing.client import auth_header
from sqlalchemy import text

D = Decimal

# The per-entry plan of the cut before 0011, with the covered entries given as a parameter.
REFERENCE_DUE = """
SELECT p.partner_id, e.entry_id, 0 - sum(p.amount) AS amount
FROM postings p
JOIN journal_entries e ON e.entry_id = p.entry_id
JOIN balances b ON b.partner_id = p.partner_id AND b.account = p.account AND b.currency = p.currency
WHERE p.currency = $1 AND p.effective_at <= $2 AND e.stream <> 'payout'
  AND p.account = 'partner:' || p.partner_id || ':rebates_payable'
  AND b.balance < 0 AND b.balance <= -$3::numeric
  AND NOT (e.entry_id = ANY($4::text[]))
GROUP BY p.partner_id, e.entry_id
"""
PAYABLE_NOW = """
SELECT partner_id, 0 - balance AS payable FROM balances
WHERE currency = $1 AND account = 'partner:' || partner_id || ':rebates_payable'
  AND balance < 0 AND balance <= -$2::numeric
"""


@pytest.fixture(autouse=True, params=[SqlPayoutStore.measure_chunk, 2], ids=["one chunk", "chunks of two"])
def measure_chunk(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(SqlPayoutStore, "measure_chunk", request.param)
    return int(request.param)


@dataclass(frozen=True)
class Expected:
    amount: Decimal
    entries: tuple[str, ...]


async def reference_cut(
    conn: asyncpg.Connection, currency: str, cutoff: datetime, minimum: Decimal, covered: set[str]
) -> dict[str, Expected]:
    due: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for r in await conn.fetch(REFERENCE_DUE, currency, cutoff, minimum, sorted(covered)):
        due[r["partner_id"]][r["entry_id"]] = r["amount"]
    expected = {}
    for r in await conn.fetch(PAYABLE_NOW, currency, minimum):
        entries = due.get(r["partner_id"], {})
        amount = line_amount(sum(entries.values(), D(0)), r["payable"], minimum)
        if amount is not None:
            expected[r["partner_id"]] = Expected(amount, tuple(sorted(entries)))
    return expected


def history(rng: random.Random, partners: list[str], phase: int, deals: dict[str, tuple]) -> list[EventPayload]:  # type: ignore[type-arg]
    """Wins (USD or EUR) over January to April, some flagged (held) and some cleared, some reversed."""
    events: list[EventPayload] = []
    for pid in partners:
        for n in range(rng.randint(2, 6)):
            deal = f"{pid}-{phase}-{n}"
            currency = rng.choice(["USD", "USD", "EUR"])
            closed = date(2026, 1, 10) + timedelta(days=rng.randint(0, 100))
            amount = f"{rng.randint(100, 5000)}.00"
            events.append(won(deal, amount, closed, pid=pid, currency=currency))
            deals[deal] = (pid, amount, closed, currency)
            roll = rng.random()
            if roll < 0.2:
                events.append(flagged(deal, closed + timedelta(days=rng.randint(0, 20)), pid=pid))
                if rng.random() < 0.5:
                    events.append(cleared(deal, closed + timedelta(days=rng.randint(21, 40)), pid=pid))
            elif roll < 0.45:
                full = rng.random() < 0.3
                later = closed + timedelta(days=rng.randint(0, 60))
                events.append(
                    reversed_(deal, f"{rng.randint(50, 3000)}.00", later, full=full, pid=pid, currency=currency)
                )
    return events


def clawbacks(deals: dict[str, tuple], pid: str) -> list[EventPayload]:  # type: ignore[type-arg]
    """The partner's deals reversed in full 30 days after they closed: what was paid out, it owes."""
    return [
        reversed_(deal, amount, closed + timedelta(days=30), full=True, pid=pid, currency=currency)
        for deal, (owner, amount, closed, currency) in deals.items()
        if owner == pid
    ]


async def _project(uow_factory, payloads: list[EventPayload]) -> None:  # type: ignore[no-untyped-def]
    async with uow_factory() as uow:
        await project(SqlLedgerStore(uow), [incoming(p) for p in payloads])  # refused events post nothing
        await uow.commit()


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=UTC)


async def _check_batch(client, settings, conn, currency, cutoff, minimum, covered, lines_of):  # type: ignore[no-untyped-def]
    expected = await reference_cut(conn, currency, cutoff, minimum, set(covered))
    headers = auth_header(settings, "finance:write") | {"Idempotency-Key": f"cut-{currency}-{cutoff}"}
    body = {"currency": currency, "cutoff": cutoff.isoformat(), "minimum_amount": str(minimum)}
    response = await client.post("/payout-batches", json=body, headers=headers)
    assert response.status_code == 201, response.text
    batch = response.json()
    assert batch["batch_id"] == batch_id(currency, cutoff)
    reader = auth_header(settings, "finance:read")
    page = await client.get(f"/payout-batches/{batch['batch_id']}/lines?limit=500", headers=reader)
    lines = page.json()["items"]
    got = {x["partner_id"]: Expected(D(x["amount"]), tuple(x["covered_entry_ids"])) for x in lines}
    assert got == expected
    for x in lines:
        assert x["entries_covered"] == len(expected[x["partner_id"]].entries)
        assert x["coverage_hash"] == coverage_hash(expected[x["partner_id"]].entries)
        for entry in x["covered_entry_ids"]:
            assert entry not in covered  # nothing paid twice
            covered[entry] = x["line_id"]
        lines_of[x["line_id"]] = x["covered_entry_ids"]
    assert (batch["line_count"], D(batch["total"])) == (len(expected), sum((e.amount for e in expected.values()), D(0)))
    return batch, lines


async def _acknowledge(client, settings, batch, lines, rng, covered, lines_of):  # type: ignore[no-untyped-def]
    acks = []
    for x in lines:
        roll = rng.random()
        if roll < 0.4:
            acks.append({"partner_id": x["partner_id"], "status": "paid", "payment_reference": f"SEPA-{x['line_id']}"})
        elif roll < 0.7:
            acks.append({"partner_id": x["partner_id"], "status": "failed", "reason": "IBAN closed"})
            for entry in lines_of[x["line_id"]]:
                del covered[entry]  # a failed line frees its entries
    if acks:
        headers = auth_header(settings, "finance:write") | {"Idempotency-Key": f"ack-{batch['batch_id']}"}
        url = f"/payout-batches/{batch['batch_id']}/acknowledgements"
        response = await client.post(url, json={"lines": acks}, headers=headers)
        assert response.status_code == 200, response.text


async def _coverage_rows(conn: asyncpg.Connection) -> dict[str, str]:
    """What the ``payout_coverage`` view (the former table's columns) says each open or paid line covers."""
    rows = await conn.fetch(
        "SELECT e.entry_id, c.line_id, c.amount FROM payout_coverage c "
        "JOIN journal_entries e ON e.posted_seq = c.posted_seq"
    )
    assert len({r["entry_id"] for r in rows}) == len(rows)  # an entry is in at most one open or paid line
    return {r["entry_id"]: r["line_id"] for r in rows}


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_the_ranged_cut_equals_the_per_entry_cut(ledger_client, ledger_settings, uow_factory, seed):  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    partners = [f"p{seed}{n}" for n in range(7)]
    await _project(uow_factory, [enrolled(p, program_id="default") for p in partners])
    deals: dict[str, tuple] = {}  # type: ignore[type-arg]
    await _project(uow_factory, history(rng, partners, 1, deals))
    conn = await asyncpg.connect(sync_url(ledger_settings.database_url))
    covered: dict[str, str] = {}
    lines_of: dict[str, list[str]] = {}
    cuts = [
        ("USD", date(2026, 2, 28), D("0")),
        ("EUR", date(2026, 3, 15), D("10.00")),
        ("USD", date(2026, 3, 31), D("50")),
    ]
    later = [("USD", date(2026, 2, 10), D("0")), ("EUR", date(2026, 4, 30), D("0")), ("USD", date(2026, 5, 31), D("0"))]
    try:
        for currency, day, minimum in cuts:
            batch, lines = await _check_batch(
                ledger_client, ledger_settings, conn, currency, _at(day), minimum, covered, lines_of
            )
            await _acknowledge(ledger_client, ledger_settings, batch, lines, rng, covered, lines_of)
            assert await _coverage_rows(conn) == covered
        # More entries, some dated before the cutoffs already cut, and clawbacks of deals already paid
        # (balances turn negative); then a cutoff earlier than the last.
        paid = await conn.fetchval("SELECT min(partner_id) FROM payout_lines WHERE status <> 'failed'")
        others = [p for p in partners if p != paid]
        await _project(uow_factory, clawbacks(deals, paid) + history(rng, others, 2, deals))
        owing = "SELECT count(*) FROM balances WHERE account LIKE '%:rebates_payable' AND balance > 0"
        assert await conn.fetchval(owing) > 0
        for currency, day, minimum in later:
            batch, lines = await _check_batch(
                ledger_client, ledger_settings, conn, currency, _at(day), minimum, covered, lines_of
            )
            await _acknowledge(ledger_client, ledger_settings, batch, lines, rng, covered, lines_of)
            assert await _coverage_rows(conn) == covered
        # Nothing payable by the last cutoff is left out: what no line covers is what is payable.
        uncovered = await conn.fetch(
            "SELECT p.partner_id, p.currency, 0 - sum(p.amount) AS amount FROM postings p "
            "WHERE p.account = 'partner:' || p.partner_id || ':rebates_payable' AND p.stream <> 'payout' "
            "AND NOT (p.entry_id = ANY($1::text[])) GROUP BY 1, 2",
            sorted(covered),
        )
        payable = await conn.fetch(
            "SELECT partner_id, currency, 0 - balance AS amount FROM balances "
            "WHERE account = 'partner:' || partner_id || ':rebates_payable'"
        )
        owed = {(r["partner_id"], r["currency"]): r["amount"] for r in payable if r["amount"]}
        assert {(r["partner_id"], r["currency"]): r["amount"] for r in uncovered if r["amount"]} == owed
        ranges = await conn.fetchval("SELECT count(*) FROM payout_coverage_ranges")
        assert 0 < ranges <= len(covered)
    finally:
        await conn.close()


async def _two_currency_entry(conn: asyncpg.Connection, pid: str, entry: str, when: datetime) -> None:
    """An entry paying the partner in USD and EUR at once (written directly: no rule posts one today)."""
    head = await conn.fetchval(
        "SELECT last_sequence FROM chain_heads WHERE partner_id = $1 AND stream = 'registration'", pid
    )
    await conn.execute(
        "INSERT INTO journal_entries (entry_id, partner_id, stream, sequence, kind, caused_by, effective_at, rule_id, "
        "rule_version, explanation, prev_hash, entry_hash) "
        "VALUES ($1, $2, 'registration', $3, 'rebate', $1, $4, 'test', 1, '{}', '', $1)",
        entry, pid, head + 1, when,
    )  # fmt: skip
    amounts = [("USD", D("-10.00")), ("USD", D("10.00")), ("EUR", D("-5.00")), ("EUR", D("5.00"))]
    for line, (currency, amount) in enumerate(amounts):
        account = f"partner:{pid}:rebates_payable" if amount < 0 else "program:default:rewards_expense"
        # No stream or position given: the database takes them from the entry.
        await conn.execute(
            "INSERT INTO postings (entry_id, line, partner_id, account, currency, amount, effective_at) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7)",
            entry, line, pid, account, currency, amount, when,
        )  # fmt: skip
        await conn.execute(
            "INSERT INTO balances VALUES ($1, $2, $3, $4) ON CONFLICT (partner_id, account, currency) "
            "DO UPDATE SET balance = balances.balance + excluded.balance",
            pid, account, currency, amount,
        )  # fmt: skip
    await conn.execute(
        "UPDATE chain_heads SET last_sequence = $2 WHERE partner_id = $1 AND stream = 'registration'", pid, head + 1
    )


async def test_an_entry_in_two_currencies_is_covered_once_as_before(ledger_client, ledger_settings, uow_factory):  # type: ignore[no-untyped-def]
    partners = ["m1", "m2"]
    await _project(uow_factory, [enrolled(p, program_id="default") for p in partners])
    deals: dict[str, tuple] = {}  # type: ignore[type-arg]
    await _project(uow_factory, history(random.Random(7), partners, 1, deals))
    conn = await asyncpg.connect(sync_url(ledger_settings.database_url))
    covered: dict[str, str] = {}
    lines_of: dict[str, list[str]] = {}
    try:
        for pid in partners:
            async with conn.transaction():
                await _two_currency_entry(conn, pid, f"two-{pid}", _at(date(2026, 2, 1)))
        stored = await conn.fetch("SELECT DISTINCT stream, sequence FROM postings WHERE entry_id LIKE 'two-%'")
        assert all(r["stream"] == "registration" and r["sequence"] > 0 for r in stored)
        steps = [("USD", date(2026, 2, 28)), ("EUR", date(2026, 3, 31)), ("USD", date(2026, 4, 30))]
        steps += [("EUR", date(2026, 5, 31))]
        for n, (currency, day) in enumerate(steps):
            batch, lines = await _check_batch(
                ledger_client, ledger_settings, conn, currency, _at(day), D("0"), covered, lines_of
            )
            if n == 0:  # the USD line of m1 fails: its two-currency entry is free for the EUR cut
                failing = [x for x in lines if x["partner_id"] == "m1"]
                await _acknowledge(ledger_client, ledger_settings, batch, failing, _Fail(), covered, lines_of)
            assert await _coverage_rows(conn) == covered
        assert {covered.get("two-m1"), covered.get("two-m2")} <= set(lines_of)
    finally:
        await conn.close()


class _Fail(random.Random):
    def random(self) -> float:
        return 0.5  # every acknowledged line fails


async def test_entries_after_the_cutoff_split_a_gap_into_runs_as_the_per_entry_cut(  # type: ignore[no-untyped-def]
    ledger_client, ledger_settings, uow_factory
):
    """One gap whose due entries are interleaved with entries after the cutoff (and with entries of
    another currency, which split nothing): the line equals the reference and has one range per run."""
    pid = "s1"
    await _project(uow_factory, [enrolled(pid, program_id="default")])
    days = [10, 70, 15, 12, 18, 80, 20]  # days after 1 January; the cutoff is 31 January
    currencies = ["USD", "USD", "USD", "EUR", "USD", "USD", "USD"]
    wins = [
        won(f"{pid}-{n}", f"{100 + n}.00", date(2026, 1, 1) + timedelta(days=d), pid=pid, currency=c)
        for n, (d, c) in enumerate(zip(days, currencies, strict=True))
    ]
    await _project(uow_factory, wins)
    conn = await asyncpg.connect(sync_url(ledger_settings.database_url))
    covered: dict[str, str] = {}
    lines_of: dict[str, list[str]] = {}
    try:
        _, lines = await _check_batch(
            ledger_client, ledger_settings, conn, "USD", _at(date(2026, 1, 31)), D("0"), covered, lines_of
        )
        assert [x["entries_covered"] for x in lines] == [4]  # wins 0, 2, 4 and 6
        runs = await conn.fetch(
            "SELECT from_sequence, to_sequence FROM payout_coverage_ranges WHERE line_id = $1 ORDER BY 1",
            lines[0]["line_id"],
        )
        assert len(runs) == 3  # 0 | 1 after the cutoff | 2, 4 (the EUR win 3 splits nothing) | 5 after | 6
        assert [len(lines[0]["covered_entry_ids"])] == [4]
        # The next cut takes what was after the cutoff, between and after the ranges.
        await _check_batch(ledger_client, ledger_settings, conn, "USD", _at(date(2026, 4, 30)), D("0"), covered, {})
        assert await _coverage_rows(conn) == covered
    finally:
        await conn.close()


async def test_a_measure_left_between_chunks_frees_the_connection(uow_factory, monkeypatch):  # type: ignore[no-untyped-def]
    """The next chunk's statement is in flight when a chunk is handed over: a caller that stops there
    (a failure building lines) closes the measure, which waits for it, so nothing of the measure runs
    after the unit of work rolls back."""
    monkeypatch.setattr(SqlPayoutStore, "measure_chunk", 1)
    partners = ["c1", "c2", "c3"]
    await _project(uow_factory, [enrolled(p, program_id="default") for p in partners])
    await _project(uow_factory, [won(f"{p}-1", "900.00", date(2026, 1, 10), pid=p) for p in partners])
    async with uow_factory() as uow:
        store = SqlPayoutStore(uow)
        before = asyncio.all_tasks()
        measure = store.lock_and_measure("USD", _at(date(2026, 1, 31)), D("0"))
        first = await anext(measure)
        assert [d.partner_id for d in first] == ["c1"]
        assert [t for t in asyncio.all_tasks() - before if not t.done()]  # the next chunk, in flight
        await measure.aclose()
        assert not [t for t in asyncio.all_tasks() - before if not t.done()]
        assert await uow.conn.scalar(text("SELECT count(*) FROM payout_runs")) == 2  # c1's and c2's
    async with uow_factory() as uow:
        measured = SqlPayoutStore(uow).lock_and_measure("USD", _at(date(2026, 1, 31)), D("0"))
        dues = [due async for chunk in measured for due in chunk]
        assert [(d.partner_id, d.entries_covered) for d in dues] == [("c1", 1), ("c2", 1), ("c3", 1)]
