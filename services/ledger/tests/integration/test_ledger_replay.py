"""Replay from a live ledger's consumed-event log into an empty database, with payouts cut and
acknowledged between events; the digests agree, verify passes, and a row changed afterwards is named."""

from __future__ import annotations

from datetime import UTC, date, datetime

import asyncpg
import pytest
from ledger.adapters import replay_deals
from ledger.domain.outcome import entry_id
from ledger.entrypoints.audit_cli import run_replay, run_verify
from ledger_log_support import consume
from ledger_support import allocated, cleared, enrolled, flagged, reversed_, won
from servicekit.db import sync_url
from servicekit.testing.client import auth_header

RECORDED = datetime(2026, 4, 1, tzinfo=UTC)


async def _consume(uow_factory, payloads, start):  # type: ignore[no-untyped-def]
    return await consume(uow_factory, payloads, RECORDED, first_offset=start)


async def _live_story(client, settings, uow_factory):  # type: ignore[no-untyped-def]
    finance = auth_header(settings, "finance:write")
    ids = await _consume(
        uow_factory,
        [
            enrolled("acme", program_id="default"),
            enrolled("zeta", program_id="default"),
            won("d1", "1000.00", date(2026, 2, 1)),
            won("z1", "999.00", date(2026, 2, 1), pid="zeta"),
            allocated("500.00", date(2026, 2, 2)),
        ],
        1,
    )
    cut = {"currency": "USD", "cutoff": "2026-02-28T00:00:00Z"}
    batch = (await client.post("/payout-batches", json=cut, headers=finance | {"Idempotency-Key": "c1"})).json()
    # After the cut: d1's rebate is in payment, so the hold takes only what d2 made payable.
    ids += await _consume(
        uow_factory,
        [
            won("d2", "600.00", date(2026, 3, 2)),
            flagged("d1", date(2026, 3, 3)),
            won("z2", "100.00", date(2026, 3, 3), pid="zeta"),
        ],
        10,
    )
    acks = {"lines": [{"partner_id": "acme", "status": "paid", "payment_reference": "P-1"},
                      {"partner_id": "zeta", "status": "failed", "reason": "closed"}]}  # fmt: skip
    url = f"/payout-batches/{batch['batch_id']}/acknowledgements"
    assert (await client.post(url, json=acks, headers=finance | {"Idempotency-Key": "a1"})).status_code == 200
    ids += await _consume(
        uow_factory, [reversed_("d1", "1000.00", date(2026, 3, 20), full=True), cleared("d1", date(2026, 3, 21))], 20
    )
    return ids


async def test_a_replay_of_the_consumed_log_matches_and_tampering_is_named(
    ledger_client, ledger_settings, uow_factory, database_factory, monkeypatch: pytest.MonkeyPatch
):
    ids = await _live_story(ledger_client, ledger_settings, uow_factory)
    target = database_factory.empty(prefix="replay")
    report = await run_replay(ledger_settings, target, from_database=ledger_settings.database_url, quiet=True)
    assert (report.events, report.payouts, report.rejected) == (10, 4, [])

    verdict = await run_verify(ledger_settings.database_url, target, quiet=True)
    assert verdict.findings == []
    assert verdict.live.digest.digest == report.digest["digest"] == verdict.replayed.digest.digest  # type: ignore[union-attr]
    assert verdict.live.digest.entries == report.digest["entries"]

    # Partition-parallel: three worker processes (one share holds no partner) give the same ledger.
    parallel = database_factory.empty(prefix="replay_parallel")
    shared = await run_replay(
        ledger_settings, parallel, from_database=ledger_settings.database_url, workers=3, quiet=True
    )
    assert (shared.events, shared.payouts, shared.rejected, shared.digest) == (10, 4, [], report.digest)
    assert len(shared.workers) == 3
    assert sum(w["events"] for w in shared.workers) == 10
    assert all(w["peak_rss_mb"] > 0 for w in shared.workers)
    assert (await run_verify(ledger_settings.database_url, parallel, workers=2, quiet=True)).findings == []
    # The same rows; only posted_seq (the database's global insertion order) interleaves the partners
    # differently, and it still follows each chain's order.
    assert await _rows(parallel) == await _rows(target)
    for url in (parallel, target):
        assert await _posting_order_follows_the_chains(url)
        assert await _not_vacuumed(url) == []

    # Bounded memory: one deal state held, the rest written out after every two-event batch and read
    # back when an event names the deal again (d1: won, flagged, reversed, cleared): the same rows.
    monkeypatch.setattr(replay_deals, "HOT_DEALS", 1)
    monkeypatch.setattr(replay_deals, "SPILL_CHUNK", 1)
    spilled = database_factory.empty(prefix="replay_spilled")
    small = await run_replay(
        ledger_settings, spilled, from_database=ledger_settings.database_url, batch_size=2, quiet=True
    )
    assert (small.events, small.rejected, small.digest) == (10, [], report.digest)
    assert await _rows(spilled) == await _rows(target)

    # A superuser changes one posting of d2's rebate behind the triggers' back.
    tampered = entry_id(ids[5], "rebate")
    conn = await asyncpg.connect(sync_url(ledger_settings.database_url))
    try:
        await conn.execute("SET session_replication_role = replica")
        await conn.execute("UPDATE postings SET amount = amount * 10 WHERE entry_id = $1", tampered)
    finally:
        await conn.close()
    verdict = await run_verify(ledger_settings.database_url, target, quiet=True)
    # Checked by two processes in ranges of partners: the same findings in the same order, the same digests.
    shared_check = await run_verify(ledger_settings.database_url, target, workers=2, quiet=True)
    assert shared_check.findings == verdict.findings
    assert shared_check.live.digest.summary() == verdict.live.digest.summary()
    named = {(f.check, f.entry_id, f.partner_id) for f in verdict.findings}
    assert ("hash", tampered, "acme") in named
    assert verdict.difference is not None
    assert (verdict.difference.entry_id, verdict.difference.partner_id, verdict.difference.field) == (
        tampered,
        "acme",
        "postings",
    )
    assert not verdict.ok


async def test_auditors_page_through_the_consumed_events_and_chain_heads(ledger_client, ledger_settings, uow_factory):
    ids = await _live_story(ledger_client, ledger_settings, uow_factory)
    auditor = auth_header(ledger_settings, "audit:read")
    seen, cursor = [], None
    while True:
        page = (
            await ledger_client.get("/audit/events", params={"limit": 4, **({"cursor": cursor} if cursor else {})},
                                    headers=auditor)
        ).json()  # fmt: skip
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [e["event_id"] for e in seen] == ids
    assert [(e["topic"], e["offset"]) for e in seen[:2]] == [
        ("incentives.registration", 1),
        ("incentives.registration", 2),
    ]
    assert seen[4]["event"]["type"] == "mdf.allocated"
    zeta = (await ledger_client.get("/audit/events?partner_id=zeta", headers=auditor)).json()["items"]
    assert {e["partner_id"] for e in zeta} == {"zeta"}

    heads = (await ledger_client.get("/audit/chain-heads?limit=2", headers=auditor)).json()
    rest = (await ledger_client.get(f"/audit/chain-heads?cursor={heads['next_cursor']}", headers=auditor)).json()
    listed = [(h["partner_id"], h["stream"], h["last_sequence"]) for h in heads["items"] + rest["items"]]
    assert [(p, s) for p, s, _ in listed] == [
        ("acme", "mdf"),
        ("acme", "payout"),
        ("acme", "registration"),
        ("zeta", "payout"),
        ("zeta", "registration"),
    ]
    assert ("acme", "payout", 2) in listed  # cut and paid
    for scopes, partner in ((("finance:read",), None), (("ledger:read",), None), (("partner:read",), "acme")):
        other = auth_header(ledger_settings, *scopes, partner_id=partner)
        assert (await ledger_client.get("/audit/events", headers=other)).status_code == 403
        assert (await ledger_client.get("/audit/chain-heads", headers=other)).status_code == 403


async def _rows(url: str) -> dict[str, list[dict[str, object]]]:
    conn = await asyncpg.connect(sync_url(url))
    try:
        return {
            table: [
                {k: v for k, v in r.items() if k != "posted_seq"}
                for r in await conn.fetch(f"SELECT * FROM {table} ORDER BY {order}")
            ]
            for table, order in (
                ("journal_entries", "entry_id"),
                ("postings", "entry_id, line"),
                ("balances", "partner_id, account, currency"),
                ("chain_heads", "partner_id, stream"),
                ("ledger_partners", "partner_id"),
                ("ledger_deals", "partner_id, deal_id"),
            )
        }
    finally:
        await conn.close()


async def _posting_order_follows_the_chains(url: str) -> bool:
    conn = await asyncpg.connect(sync_url(url))
    try:
        return bool(
            await conn.fetchval(
                "SELECT bool_and(ordered) FROM (SELECT posted_seq > coalesce(lag(posted_seq) OVER w, 0) AS ordered "
                "FROM journal_entries WINDOW w AS (PARTITION BY partner_id, stream ORDER BY sequence)) AS t"
            )
        )
    finally:
        await conn.close()


async def _not_vacuumed(url: str) -> list[str]:
    """The tables of ``url`` a vacuum and analyse have not been through as they stand: never analysed
    (``reltuples`` -1) or with pages the visibility map does not hold all-visible."""
    conn = await asyncpg.connect(sync_url(url))
    try:
        rows = await conn.fetch(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname = current_schema() "
            "AND (c.reltuples < 0 OR c.relallvisible < c.relpages) ORDER BY 1"
        )
        return [r[0] for r in rows]
    finally:
        await conn.close()
