"""``ledger verify`` reads each entry's chain link (its place, stored hashes and recomputed content hash)
straight from the stored row: the same links, hence the same findings and digest, as rebuilding every
entry and hashing it with ``chain.canonical`` (the reference), on a sound ledger and on one tampered in
every column the hash covers, with explanations orjson writes differently from the json module.

It reads each page's postings by the place filed with them (their entry's partner, stream and sequence)
rather than one probe per entry (``links(by_entry=True)``, the reference reader): the same verdict
(findings, their order, digests) whatever was done to the postings, a posting filed anywhere but with
its entry sending the reader back to the reference."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import asyncpg
import pytest
from ledger.adapters.journal_reader import AUDIT_SESSION, JournalReader
from ledger.application.audit import Examined, PartnerRange, PostingsOutOfPlace, assemble, examine, examine_chains
from ledger.domain.verification import ChainCheck, ChainLink, link_of
from ledger.entrypoints.verify_workers import examine_in_parallel
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


async def _links(
    reader: JournalReader, within: PartnerRange = PartnerRange(), by_entry: bool = False
) -> list[ChainLink]:
    return [link async for page in reader.links(within, by_entry) for link in page]


async def _by_place(reader: JournalReader, within: PartnerRange = PartnerRange()) -> list[ChainLink] | None:
    """The links read with each page's postings by place, or None where a posting was out of place."""
    try:
        return await _links(reader, within)
    except PostingsOutOfPlace:
        return None


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
        sound = await _links(reader)  # by place: no posting is out of place
        assert len(sound) > len(TAMPERS) + 2
        assert sound == await _reference(reader) == await _links(reader, by_entry=True)
        assert _findings(sound) == []
        assert [link.content_hash for link in sound] == [link.entry_hash for link in sound]

        await conn.execute("SET session_replication_role = replica")
        tampered: dict[str, str] = {}
        for (table, column, change), link in zip(TAMPERS, sound[1:], strict=False):
            await conn.execute(f"UPDATE {table} SET {column} = {change} WHERE entry_id = $1", link.entry_id)
            tampered[link.entry_id] = column
        await conn.execute("SET session_replication_role = origin")

        links = await _links(reader, by_entry=True)
        assert links == await _reference(reader)
        assert await _by_place(reader) in (links, None)  # the changed sequence leaves postings behind
        for within in (PartnerRange(None, "bolt"), PartnerRange("bolt", "delta"), PartnerRange("delta", None)):
            ranged = await _reference(reader, within)
            assert await _links(reader, within, by_entry=True) == ranged
            assert await _by_place(reader, within) in (ranged, None)
        named = {f.entry_id for f in _findings(links)}  # type: ignore[attr-defined]
        assert {c for e, c in tampered.items() if e not in named} == set()  # every column the hash covers
        checked, reference = (
            await examine_chains(reader.links(by_entry=True)),
            await examine_chains(_one_page(await _reference(reader))),
        )
        assert (checked.problems, checked.chains, checked.rows) == (
            reference.problems,
            reference.chains,
            reference.rows,
        )
        assert _verdict(await examine(reader)) == _verdict(await _reference_verdict(reader))
    finally:
        await conn.close()


def _verdict(examined: Examined) -> tuple[object, ...]:
    return (examined.findings, examined.digest.summary(), examined.digest.chains())


async def _reference_verdict(reader: JournalReader) -> Examined:
    return await assemble(reader, [await examine_chains(reader.links(by_entry=True))])


# What could be done to postings that reading them by place could miss: (SQL, whether it leaves a posting
# filed where its own entry is not). {e} is an entry of bolt's, {same} bolt's last, {other} one of delta's.
COPY = "INSERT INTO postings (entry_id, line, partner_id, account, currency, amount, effective_at, stream, sequence) "
ONE = "WHERE entry_id = '{e}' AND line = 0"
TAMPERED_POSTINGS = {
    "moved to another entry of its partner": (f"UPDATE postings SET entry_id = '{{same}}', line = 99 {ONE}", True),
    "moved to another partner's entry": (f"UPDATE postings SET entry_id = '{{other}}', line = 99 {ONE}", True),
    "moved with its place to another partner's entry": (
        "UPDATE postings p SET entry_id = o.entry_id, line = 99, partner_id = o.partner_id, stream = o.stream, "
        "sequence = o.sequence FROM journal_entries o WHERE o.entry_id = '{other}' AND p.entry_id = '{e}' "
        "AND p.line = 0",
        False,
    ),
    "filed under another partner": (f"UPDATE postings SET partner_id = 'delta' {ONE}", True),
    "filed under another stream": (f"UPDATE postings SET stream = stream || 'x' {ONE}", True),
    "filed under another sequence": (f"UPDATE postings SET sequence = sequence + 100 {ONE}", True),
    "filed past every partner": (f"UPDATE postings SET partner_id = 'zzz' {ONE}", True),
    "filed before every partner": (f"UPDATE postings SET partner_id = '' {ONE}", True),
    "deleted": (f"DELETE FROM postings {ONE}", False),
    "duplicated": (
        f"{COPY}SELECT entry_id, 99, partner_id, account, currency, amount, effective_at, stream, sequence "
        f"FROM postings {ONE}",
        False,
    ),
    "an orphan among the entries": (
        f"{COPY}SELECT 'no-such-entry', 0, partner_id, account, currency, amount, effective_at, stream, sequence "
        f"FROM postings {ONE}",
        True,
    ),
    "an orphan past every partner": (
        f"{COPY}SELECT 'no-such-entry', 0, 'zzz', account, currency, amount, effective_at, stream, sequence "
        f"FROM postings {ONE}",
        True,
    ),
}


@pytest.mark.parametrize("tampering", list(TAMPERED_POSTINGS))
async def test_postings_read_by_place_give_the_reference_verdict(ledger_settings, uow_factory, tampering):
    await _story(uow_factory)
    url = sync_url(ledger_settings.database_url)
    conn = await asyncpg.connect(url, server_settings=AUDIT_SESSION)
    try:
        sound = await _links(JournalReader(conn, batch_size=1))  # one entry a page: any stray is seen
        assert sound == await _links(JournalReader(conn, batch_size=1), by_entry=True)
        bolt = [link.entry_id for link in sound if link.partner_id == "bolt"]
        other = next(link.entry_id for link in sound if link.partner_id == "delta")
        change, strays = TAMPERED_POSTINGS[tampering]
        await conn.execute("SET session_replication_role = replica")
        await conn.execute(change.format(e=bolt[0], same=bolt[-1], other=other))
        await conn.execute("SET session_replication_role = origin")

        assert (await _by_place(JournalReader(conn, batch_size=1)) is None) == strays
        reference = _verdict(await _reference_verdict(JournalReader(conn)))
        for batch_size in (1, 3, 1000):
            reader = JournalReader(conn, batch_size)
            counted: list[int] = []
            assert _verdict(await examine(reader, counted.append)) == reference
            assert sum(counted) == len(sound)  # each entry counted once, also when the chains are read again
            by_place = await _by_place(reader)
            assert by_place is None or by_place == await _links(reader, by_entry=True)
        counted = []
        [parallel] = await examine_in_parallel([(url, JournalReader(conn))], 2, counted.append)
        assert _verdict(parallel) == reference
        assert sum(counted) == len(sound)
    finally:
        await conn.close()
