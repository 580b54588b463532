"""``ledger verify --workers``: a ledger's chains checked in ranges of partners and assembled give the
same findings, in the same order, and the same digest as one pass over every chain."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st
from ledger.application.audit import (
    EVERY_PARTNER,
    MAX_FINDINGS,
    Examined,
    PartnerRange,
    assemble,
    examine,
    examine_chains,
    tiling,
)
from ledger.domain.digest import LedgerDigest
from ledger.domain.journal import Posting
from ledger.domain.verification import ChainLink, Finding, StoredEntry, link_of
from ledger_support import allocated, enrolled, program, run, won

PARTNERS = ["acme", "bolt", "cirrus", "delta", "echo"]


class ListReader:
    """The journal reader's contract over rows held in memory (ordered as the database orders them)."""

    def __init__(self, rows: list[StoredEntry], balances: list[tuple[str, str, str, Decimal]]) -> None:
        self.rows = sorted(rows, key=lambda s: (s.entry.partner_id, s.entry.stream, s.sequence))
        self._balances = balances

    async def entries(
        self, partner_id: str | None = None, stream: str | None = None, within: PartnerRange = EVERY_PARTNER
    ) -> AsyncIterator[StoredEntry]:
        for row in self.rows:
            pid = row.entry.partner_id
            if (within.start is not None and pid < within.start) or (within.end is not None and pid >= within.end):
                continue
            yield row

    async def links(
        self, within: PartnerRange = EVERY_PARTNER, by_entry: bool = False
    ) -> AsyncIterator[list[ChainLink]]:
        page: list[ChainLink] = []
        async for row in self.entries(within=within):
            page.append(link_of(row))
            if len(page) == 3:  # pages that cut chains
                yield page
                page = []
        yield page

    async def balances(self) -> list[tuple[str, str, str, Decimal]]:
        return self._balances

    async def balance_findings(self, limit: int = 10) -> list[Finding]:
        return [Finding("balance", "acme", "a stored balance differs")]

    async def head_findings(self, limit: int = 10) -> list[Finding]:
        return []


async def _ledger() -> ListReader:
    story = []
    for n, pid in enumerate(PARTNERS):
        story += [enrolled(pid), won(f"{pid}-1", "1000.00", date(2026, 2, 1 + n), pid=pid)]
        story += [
            allocated("100.00", date(2026, 2, 10 + n), pid=pid),
            won(f"{pid}-2", "500.00", date(2026, 3, 1), pid=pid),
        ]
    replayed = await run(story, program())
    rows = [StoredEntry(c.entry, c.sequence, c.prev_hash, c.entry_hash) for c in replayed.ledger.journal]
    # Tampered so that findings pass MAX_FINDINGS: every entry's amounts changed behind its hash, every
    # second one relinked as well.
    for i, row in enumerate(rows):
        doubled = tuple(Posting(p.account, p.currency, p.amount * 2) for p in row.entry.postings)
        rows[i] = replace(
            row, entry=replace(row.entry, postings=doubled), prev_hash="f" * 64 if i % 2 else row.prev_hash
        )
    balances = [("acme", "partner:acme:rebates_payable", "USD", Decimal("-75.00"))]
    return ListReader(rows, balances)


def _same(a: Examined, b: Examined) -> None:
    assert a.findings == b.findings
    assert a.digest.summary() == b.digest.summary()
    assert a.digest.chains() == b.digest.chains()


@settings(max_examples=60, deadline=None)
@given(cuts=st.lists(st.sampled_from(PARTNERS) | st.text(alphabet="abcdefz", max_size=6), max_size=6))
async def test_chains_checked_in_ranges_are_assembled_into_the_one_pass_verdict(cuts: list[str]) -> None:
    reader = await _ledger()
    whole = await examine(reader)
    assert len(whole.findings) >= MAX_FINDINGS  # the cap is exercised
    ranges = tiling(cuts)
    parts = [await examine_chains(reader.links(within=r)) for r in ranges]
    assert sum(p.rows for p in parts) == len(reader.rows)
    _same(await assemble(reader, parts), whole)


def test_a_tiling_covers_every_id_once() -> None:
    ranges = tiling(["m", "c", "m"])
    assert ranges == [PartnerRange(None, "c"), PartnerRange("c", "m"), PartnerRange("m", None)]
    assert tiling([]) == [EVERY_PARTNER]


HASHES = st.sampled_from(["a" * 64, "b" * 64, "0" * 64])
LINKS = st.lists(
    st.builds(
        ChainLink,
        st.sampled_from(["", "acme", "bolt"]),
        st.sampled_from(["", "mdf", "registration"]),
        st.integers(-1, 4),
        st.text(max_size=3),
        HASHES,
        HASHES,
        HASHES,
    ),
    max_size=30,
)


async def _paged(links: list[ChainLink], cuts: list[int]) -> AsyncIterator[list[ChainLink]]:
    edges = [0, *sorted(c % (len(links) + 1) for c in cuts), len(links)]
    for a, b in pairwise(edges):
        yield links[a:b]


@settings(max_examples=300, deadline=None)
@given(links=LINKS, cuts=st.lists(st.integers(0, 40), max_size=5), ordered=st.booleans())
async def test_each_chain_fed_to_its_digest_at_once_digests_as_each_entry_fed(
    links: list[ChainLink], cuts: list[int], ordered: bool
) -> None:
    """``examine_chains`` feeds a chain's entries to the digest at once; ``add_entry`` per entry, in the
    same order, is the reference (pages cut anywhere; chains in order or recurring out of order)."""
    links = sorted(links) if ordered else links
    reference = LedgerDigest()
    for link in links:
        reference.add_entry(
            link.partner_id, link.stream, link.sequence, link.entry_id, link.content_hash, link.entry_hash
        )
    examined = await examine_chains(_paged(links, cuts))
    assert examined.chains == reference.chains()
    assert examined.rows == len(links)
