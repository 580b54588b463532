"""An auditor's verification of a ledger: every hash chain recomputed, the stored balances and chain
heads checked against the journal, and (given a replayed ledger) the two digests compared, naming the
first difference: the chain, the entry and the field, or the balance."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise
from typing import Protocol

from ..domain.digest import LedgerDigest, entry_line
from ..domain.verification import ChainCheck, ChainLink, Finding, StoredEntry, entry_difference

MAX_FINDINGS = 20


@dataclass(frozen=True)
class PartnerRange:
    """The partners from ``start`` (inclusive) to ``end`` (exclusive); ``None`` leaves that side open.
    A partner's chains are never split, so ranges that tile the ids check every chain exactly once."""

    start: str | None = None
    end: str | None = None


EVERY_PARTNER = PartnerRange()


def tiling(bounds: Sequence[str]) -> list[PartnerRange]:
    """Ranges that cover every partner id exactly once, cut at ``bounds``."""
    cuts = sorted(set(bounds))
    edges: list[str | None] = [None, *cuts, None]
    return [PartnerRange(a, b) for a, b in pairwise(edges)]


class PostingsOutOfPlace(Exception):
    """A reader that reads postings by the place filed with them (their entry's partner, stream and
    sequence) found one not filed with its entry: the chains are to be read again with ``by_entry``."""


class CountedOnce:
    """A progress callback for work that may be done again from the start (the chains read again by
    entry after ``PostingsOutOfPlace``): after ``again()``, only what goes beyond the units already
    reported is passed on, so a bar counts each entry once."""

    def __init__(self, report: Callable[[int], None]) -> None:
        self._report = report
        self._reported = 0
        self._done = 0

    def __call__(self, n: int) -> None:
        self._done += n
        if self._done > self._reported:
            self._report(self._done - self._reported)
            self._reported = self._done

    def again(self) -> None:
        self._done = 0


class LedgerReader(Protocol):
    def entries(
        self, partner_id: str | None = None, stream: str | None = None, within: PartnerRange = EVERY_PARTNER
    ) -> AsyncIterator[StoredEntry]: ...
    def links(self, within: PartnerRange = EVERY_PARTNER, by_entry: bool = False) -> AsyncIterator[list[ChainLink]]: ...
    async def balances(self) -> list[tuple[str, str, str, Decimal]]: ...
    async def balance_findings(self, limit: int = 10) -> list[Finding]: ...
    async def head_findings(self, limit: int = 10) -> list[Finding]: ...


@dataclass
class Examined:
    digest: LedgerDigest
    findings: list[Finding] = field(default_factory=list)


@dataclass
class ChainsExamined:
    """What checking the chains of a range of partners gave: each row's problems (the first ones, in
    row order), every chain's entry count and digest, and how many rows were read."""

    problems: list[list[Finding]] = field(default_factory=list)
    chains: dict[tuple[str, str], tuple[int, str]] = field(default_factory=dict)
    rows: int = 0


async def examine_chains(
    pages: AsyncIterator[list[ChainLink]], progress: Callable[[int], None] = lambda n: None
) -> ChainsExamined:
    """Recompute every chain of ``pages`` (links ordered by partner, stream, sequence). Each chain's
    entries are fed to its digest at once (``LedgerDigest.add_entries``), as the chain ends."""
    result = ChainsExamined()
    digest = LedgerDigest()
    check = ChainCheck()
    kept = 0
    chain: tuple[str, str] = ("", "")
    lines: list[str] = []
    async for page in pages:
        for link in page:
            problems = check.feed_link(link)
            if problems and kept < MAX_FINDINGS:
                result.problems.append(problems)
                kept += len(problems)
            if link.partner_id != chain[0] or link.stream != chain[1]:
                if lines:
                    digest.add_entries(*chain, lines)
                chain, lines = (link.partner_id, link.stream), []
            lines.append(entry_line(link.sequence, link.entry_id, link.content_hash, link.entry_hash))
        result.rows += len(page)
        progress(len(page))
    if lines:
        digest.add_entries(*chain, lines)
    result.chains = digest.chains()
    return result


async def examine(reader: LedgerReader, progress: Callable[[int], None] = lambda n: None) -> Examined:
    """Recompute every chain and digest the ledger as stored (its postings read by each entry where a
    posting is not filed with its entry: see ``PostingsOutOfPlace``)."""
    counted = CountedOnce(progress)
    try:
        chains = await examine_chains(reader.links(), counted)
    except PostingsOutOfPlace:
        counted.again()
        chains = await examine_chains(reader.links(by_entry=True), counted)
    return await assemble(reader, [chains])


@dataclass(frozen=True)
class StoredChecks:
    """What a ledger's verdict reads besides its chains: its balances, and the chain heads and balances
    that disagree with the journal."""

    balances: list[tuple[str, str, str, Decimal]]
    head_findings: list[Finding]
    balance_findings: list[Finding]


async def stored_checks(reader: LedgerReader) -> StoredChecks:
    return StoredChecks(await reader.balances(), await reader.head_findings(), await reader.balance_findings())


async def assemble(reader: LedgerReader, parts: Sequence[ChainsExamined]) -> Examined:
    """The ledger's verdict from its chains checked in parts (in partner order) and its balances and
    heads read here: the same findings, in the same order, and the same digest as one pass."""
    return assembled(parts, await stored_checks(reader))


def assembled(parts: Sequence[ChainsExamined], checks: StoredChecks) -> Examined:
    """``assemble`` with the stored checks already read (a parallel verify reads them while its workers
    check the chains)."""
    result = Examined(LedgerDigest())
    for part in parts:
        for problems in part.problems:
            if len(result.findings) < MAX_FINDINGS:
                result.findings += problems
        for (partner_id, stream), (entries, chain_digest) in part.chains.items():
            result.digest.add_chain(partner_id, stream, entries, chain_digest)
    for partner_id, account, currency, balance in checks.balances:
        result.digest.add_balance(partner_id, account, currency, balance)
    result.findings += checks.head_findings
    result.findings += checks.balance_findings
    return result


async def first_difference(
    live: Examined, replayed: Examined, live_reader: LedgerReader, replay_reader: LedgerReader
) -> Finding | None:
    """Where the live ledger first differs from the replayed one (``None`` when the digests agree)."""
    if live.digest.digest == replayed.digest.digest:
        return None
    ours, theirs = live.digest.chains(), replayed.digest.chains()
    for key in sorted(set(ours) | set(theirs)):
        if ours.get(key) == theirs.get(key):
            continue
        partner_id, stream = key
        mine = [row async for row in live_reader.entries(partner_id, stream)]
        other = [row async for row in replay_reader.entries(partner_id, stream)]
        for a, b in zip(mine, other, strict=False):
            if a.entry.entry_id != b.entry.entry_id:
                return Finding(
                    "replay", partner_id, "the chains hold different entries at this position",
                    entry_id=a.entry.entry_id, stream=stream, sequence=a.sequence, field="entry_id",
                    expected=b.entry.entry_id, found=a.entry.entry_id,
                )  # fmt: skip
            difference = entry_difference(a, b)
            if difference is not None:
                return difference
        longer, which = (mine, "live") if len(mine) > len(other) else (other, "replayed")
        extra = longer[min(len(mine), len(other))]
        return Finding(
            "replay", partner_id, f"an entry only the {which} ledger holds",
            entry_id=extra.entry.entry_id, stream=stream, sequence=extra.sequence,
        )  # fmt: skip
    live_balances = {(p, a, c): v for p, a, c, v in await live_reader.balances() if v != 0}
    replay_balances = {(p, a, c): v for p, a, c, v in await replay_reader.balances() if v != 0}
    for where in sorted(set(live_balances) | set(replay_balances)):
        if live_balances.get(where) != replay_balances.get(where):
            partner_id, account, currency = where
            return Finding(
                "replay", partner_id, f"the balance of {account} {currency} differs from the replayed one",
                field="balance", expected=str(replay_balances.get(where, 0)), found=str(live_balances.get(where, 0)),
            )  # fmt: skip
    return Finding("replay", "-", "the digests differ but no chain or balance does (a digest of another format?)")
