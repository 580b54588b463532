"""``ledger verify`` reads each entry's chain link (its place, stored hashes and recomputed content hash)
straight from the stored row: the same links, hence the same findings and digest, as rebuilding every
entry and hashing it with ``chain.canonical`` (the reference), on a sound ledger and on one tampered in
every column the hash covers, with explanations orjson writes differently from the json module."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import asyncpg
from ledger.adapters.journal_reader import AUDIT_SESSION, JournalReader
from ledger.application.audit import PartnerRange, examine_chains
from ledger.domain.verification import ChainCheck, ChainLink, link_of
from ledger_log_support import consume
from ledger_support import allocated, enrolled, won
from servicekit.db import sync_url

RECORDED = datetime(2026, 4, 1, tzinfo=UTC)

# (table, column, SQL expression): each changes one stored value the hash covers, behind its hash.
TAMPERS = [
    ("journal_entries", "kind", "kind || 'x'"),
    ("journal_entries", "caused_by", "caused_by || 'x'"),
    ("journal_entries", "deal_id", "CASE WHEN deal_id IS NULL THEN 'd9' ELSE NULL END"),
    ("journal_entries", "effective_at", "effective_at + interval '1 microsecond'"),
    ("journal_entries", "rule_id", "rule_id || 'x'"),
    ("journal_entries", "rule_version", "rule_version + 1"),
    ("journal_entries", "reverses", "'e-0'"),
    ("journal_entries", "explanation", """explanation || '{"note": "Müller \\"GmbH\\" \\\\ tab\\t"}'"""),
    ("journal_entries", "explanation", """explanation || '{"big": 123456789012345678901234567890}'"""),
    ("journal_entries", "explanation", """explanation || '{"float": 1.50, "nested": {"b": [1, 2.0], "a": null}}'"""),
    ("journal_entries", "prev_hash", "repeat('f', 64)"),
    ("journal_entries", "entry_hash", "repeat('e', 64)"),
    ("journal_entries", "sequence", "sequence + 100"),
    ("postings", "amount", "amount * 10"),
    ("postings", "amount", "round(amount, 0)"),
    ("postings", "account", "account || ':x'"),
    ("postings", "currency", "'EUR'"),
    ("postings", "line", "-line"),  # the postings' order (the line numbers themselves are not hashed)
]


async def _story(uow_factory) -> None:  # type: ignore[no-untyped-def]
    events = []
    for n, pid in enumerate(["acme", "bolt", "cirrus", "delta", "echo", "fox"]):
        events += [enrolled(pid, program_id="default"), won(f"{pid}-1", "1000.00", date(2026, 2, 1 + n), pid=pid)]
        events += [
            allocated("100.00", date(2026, 2, 10 + n), pid=pid),
            won(f"{pid}-2", "507.35", date(2026, 3, 1), pid=pid),
        ]
    await consume(uow_factory, events, RECORDED, first_offset=1)


async def _links(reader: JournalReader, within: PartnerRange = PartnerRange()) -> list[ChainLink]:
    return [link async for page in reader.links(within) for link in page]


async def _reference(reader: JournalReader, within: PartnerRange = PartnerRange()) -> list[ChainLink]:
    return [link_of(row) async for row in reader.entries(within=within)]


async def _one_page(links: list[ChainLink]) -> AsyncIterator[list[ChainLink]]:
    yield links


def _findings(links: list[ChainLink]) -> list[object]:
    check = ChainCheck()
    return [finding for link in links for finding in check.feed_link(link)]


async def test_links_read_from_rows_equal_the_rebuilt_entries_hashed(ledger_settings, uow_factory):
    await _story(uow_factory)
    conn = await asyncpg.connect(sync_url(ledger_settings.database_url), server_settings=AUDIT_SESSION)
    try:
        reader = JournalReader(conn, batch_size=3)  # pages that cut chains
        sound = await _links(reader)
        assert len(sound) > len(TAMPERS) + 2
        assert sound == await _reference(reader)
        assert _findings(sound) == []
        assert [link.content_hash for link in sound] == [link.entry_hash for link in sound]

        await conn.execute("SET session_replication_role = replica")
        tampered: dict[str, str] = {}
        for (table, column, change), link in zip(TAMPERS, sound[1:], strict=False):
            await conn.execute(f"UPDATE {table} SET {column} = {change} WHERE entry_id = $1", link.entry_id)
            tampered[link.entry_id] = column
        await conn.execute("SET session_replication_role = origin")

        links = await _links(reader)
        assert links == await _reference(reader)
        for within in (PartnerRange(None, "bolt"), PartnerRange("bolt", "delta"), PartnerRange("delta", None)):
            assert await _links(reader, within) == await _reference(reader, within)
        named = {f.entry_id for f in _findings(links)}  # type: ignore[attr-defined]
        assert {c for e, c in tampered.items() if e not in named} == set()  # every column the hash covers
        checked, reference = (
            await examine_chains(reader.links()),
            await examine_chains(_one_page(await _reference(reader))),
        )
        assert (checked.problems, checked.chains, checked.rows) == (
            reference.problems,
            reference.chains,
            reference.rows,
        )
    finally:
        await conn.close()
