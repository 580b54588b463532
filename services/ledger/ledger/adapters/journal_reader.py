"""Reading a ledger database as an auditor does: every entry as stored (with its postings), the
balances, and where the stored projections disagree with the journal."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from decimal import Decimal
from typing import Any

import asyncpg
import orjson

from ..application.audit import EVERY_PARTNER, PartnerRange, PostingsOutOfPlace
from ..domain.chain import fast_canonical, row_document
from ..domain.explanation import RecordedExplanation
from ..domain.journal import JournalEntry, Posting
from ..domain.verification import ChainLink, Finding, StoredEntry, recomputed_hash

# An auditor's session: the pages of ENTRIES are planned before autovacuum has analysed a freshly
# replayed ledger, and then PostgreSQL's estimates (thousands of postings per entry) JIT-compile every
# page: ~0.4 s of CPU per page of 5,000 entries, more than reading it.
AUDIT_SESSION = {"jit": "off"}

# Each entry with its postings in line order, as [account, currency, amount text] (one index scan of
# the postings per entry, in the key's order: no sort).
ENTRIES = """
SELECT e.entry_id, e.partner_id, e.stream, e.sequence, e.kind, e.caused_by, e.deal_id, e.effective_at, e.rule_id,
       e.rule_version, e.reverses, e.explanation::text AS explanation, e.prev_hash, e.entry_hash,
       ARRAY(
           SELECT ARRAY[account, currency, amount::text] FROM postings WHERE entry_id = e.entry_id ORDER BY line
       ) AS postings
FROM journal_entries e
WHERE (e.partner_id, e.stream, e.sequence) > ($1, $2, $3) {chain} {before}
ORDER BY e.partner_id, e.stream, e.sequence
LIMIT {limit}
"""
# ``links``: a page's entries without their postings, and then every posting filed under the page's
# stretch of (partner, stream, sequence) keys (each posting carries its entry's place, migration 0011),
# read by partner range (an index range scan, not one index probe per entry).
LINK_ENTRIES = """
SELECT e.entry_id, e.partner_id, e.stream, e.sequence, e.kind, e.caused_by, e.deal_id, e.effective_at, e.rule_id,
       e.rule_version, e.reverses, e.explanation::text AS explanation, e.prev_hash, e.entry_hash
FROM journal_entries e
WHERE (e.partner_id, e.stream, e.sequence) > ($1, $2, $3) {before}
ORDER BY e.partner_id, e.stream, e.sequence
LIMIT {limit}
"""
LINK_POSTINGS = """
SELECT p.entry_id, array_agg(ARRAY[p.account, p.currency, p.amount::text] ORDER BY p.line) AS postings
FROM postings p
WHERE {after} AND {upto}
GROUP BY p.entry_id
"""
BALANCE_MISMATCHES = """
SELECT coalesce(b.partner_id, s.partner_id) AS partner_id, coalesce(b.account, s.account) AS account,
       coalesce(b.currency, s.currency) AS currency, b.balance, s.total
FROM balances b
FULL JOIN (SELECT partner_id, account, currency, sum(amount) AS total FROM postings GROUP BY 1, 2, 3) s
  ON s.partner_id = b.partner_id AND s.account = b.account AND s.currency = b.currency
WHERE coalesce(b.balance, 0) <> coalesce(s.total, 0)
ORDER BY 1, 2, 3 LIMIT $1
"""
# Cut points that split the partners with chains into parts of about equal size (the heads are only a
# guide: parts cut anywhere still cover every entry).
PARTNER_CUTS = """
SELECT percentile_disc($1::float8[]) WITHIN GROUP (ORDER BY partner_id) FROM chain_heads
"""
HEAD_MISMATCHES = """
SELECT coalesce(h.partner_id, t.partner_id) AS partner_id, coalesce(h.stream, t.stream) AS stream,
       h.last_sequence, h.head_hash, t.sequence, t.entry_hash
FROM chain_heads h
FULL JOIN (
    SELECT DISTINCT ON (partner_id, stream) partner_id, stream, sequence, entry_hash
    FROM journal_entries ORDER BY partner_id, stream, sequence DESC
) t ON t.partner_id = h.partner_id AND t.stream = h.stream
WHERE h.last_sequence IS DISTINCT FROM t.sequence OR h.head_hash IS DISTINCT FROM t.entry_hash
ORDER BY 1, 2 LIMIT $1
"""


def _document(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:  # what orjson does not read (an integer past 64 bits) the json module does
        return json.loads(text)


def _stored(row: asyncpg.Record, postings_read: Sequence[Sequence[str]] | None = None) -> StoredEntry:
    """The entry as stored; its postings from the row (``ENTRIES``) unless read apart (``links``)."""
    lines = row["postings"] if postings_read is None else postings_read
    postings = tuple(Posting(a, c, Decimal(v)) for a, c, v in lines)
    entry = JournalEntry.__new__(JournalEntry)  # as stored: even an unbalanced (tampered) entry is read
    for name, value in {
        "entry_id": row["entry_id"],
        "partner_id": row["partner_id"],
        "kind": row["kind"],
        "caused_by": row["caused_by"],
        "effective_at": row["effective_at"],
        "rule_id": row["rule_id"],
        "rule_version": row["rule_version"],
        "postings": postings,
        "explanation": RecordedExplanation(_document(row["explanation"])),
        "reverses": row["reverses"],
        "stream": row["stream"],
        "deal_id": row["deal_id"],
    }.items():
        object.__setattr__(entry, name, value)
    return StoredEntry(entry, row["sequence"], row["prev_hash"], row["entry_hash"])


# A decimal numeral as PostgreSQL writes a numeric (no exponent, no leading zeros, ASCII digits):
# ``format(Decimal(text), "f")`` gives it back unchanged.
PLAIN_AMOUNT = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")


def _hashed_postings(lines: Sequence[Sequence[str]]) -> Sequence[Sequence[str]]:
    """The postings as the hash writes them, [account, currency, format(Decimal(amount), "f")]: the lines
    as read where every amount is already written so (a plain numeral), else each amount formatted."""
    plain = PLAIN_AMOUNT.fullmatch
    for line in lines:
        if plain(line[2]) is None:
            return [[a, c, format(Decimal(v), "f")] for a, c, v in lines]
    return lines


# Amounts joined by newlines, each a plain numeral (``PLAIN_AMOUNT`` holds no newline).
PLAIN_AMOUNTS = re.compile(rf"{PLAIN_AMOUNT.pattern}(?:\n{PLAIN_AMOUNT.pattern})*")


def _all_plain(groups: Iterable[Sequence[Sequence[str]]]) -> bool:
    """Whether every amount of a page's postings is a plain numeral, so ``_hashed_postings`` keeps
    every entry's lines as read: one expression over the page's amounts, not two per entry. The
    newlines counted are the joins' own, so no amount holds one and each is matched whole."""
    amounts = [line[2] for lines in groups for line in lines]
    if not amounts:
        return True
    joined = "\n".join(amounts)
    return joined.count("\n") == len(amounts) - 1 and PLAIN_AMOUNTS.fullmatch(joined) is not None


def _link(row: asyncpg.Record, postings_read: Sequence[Sequence[str]] | None = None, plain: bool = False) -> ChainLink:
    """The row's place and hashes with the hash of its stored content: the bytes ``chain.canonical``
    gives for the entry ``_stored`` rebuilds, here built from the row's values (the same document),
    or by rebuilding the entry where orjson's bytes may not be the definition's. The postings are the
    row's (``ENTRIES``) unless read apart (``links``); ``plain``: their amounts are known to be plain
    numerals (``_all_plain``)."""
    entry_id, partner_id, stream, sequence, prev_hash = row[0], row[1], row[2], row[3], row[12]
    lines = row[14] if postings_read is None else postings_read
    try:
        explanation = orjson.loads(row[11])
    except orjson.JSONDecodeError:
        fast = None
    else:
        postings = lines if plain else _hashed_postings(lines)
        fast = fast_canonical(
            row_document(
                entry_id, partner_id, stream, sequence, row[4], row[5], row[6], row[7].isoformat(), row[8], row[9],
                row[10], postings, explanation, prev_hash,
            )
        )  # fmt: skip
    content_hash = hashlib.sha256(fast).hexdigest() if fast is not None else recomputed_hash(_stored(row, lines))
    return ChainLink(partner_id, stream, sequence, entry_id, prev_hash, row[13], content_hash)


def _postings_query(
    within: PartnerRange, after: tuple[str, str, int] | None, upto: tuple[str, str, int] | None
) -> list[object]:
    """``LINK_POSTINGS`` and its arguments: the postings filed past ``after`` (else from the range's first
    partner) up to ``upto`` inclusive (else before the range's end)."""
    args: list[object] = []

    def arg(value: object) -> str:
        args.append(value)
        return f"${len(args)}"

    key = "(p.partner_id, p.stream, p.sequence)"
    lower = upper = "true"
    if after is not None:
        partner = arg(after[0])
        lower = f"p.partner_id >= {partner} AND {key} > ({partner}, {arg(after[1])}, {arg(after[2])})"
    elif within.start is not None:
        lower = f"p.partner_id >= {arg(within.start)}"
    if upto is not None:
        partner = arg(upto[0])
        upper = f"p.partner_id <= {partner} AND {key} <= ({partner}, {arg(upto[1])}, {arg(upto[2])})"
    elif within.end is not None:
        upper = f"p.partner_id < {arg(within.end)}"
    return [LINK_POSTINGS.format(after=lower, upto=upper), *args]


class JournalReader:
    def __init__(self, conn: asyncpg.Connection, batch_size: int = 5000) -> None:
        self.conn = conn
        self.batch_size = batch_size

    async def count(self) -> int:
        return int(await self.conn.fetchval("SELECT count(*) FROM journal_entries"))

    async def entries(
        self, partner_id: str | None = None, stream: str | None = None, within: PartnerRange = EVERY_PARTNER
    ) -> AsyncIterator[StoredEntry]:
        """Entries ordered by (partner, stream, sequence); of one chain when both are given, else of
        the partners ``within`` the range."""
        async for rows in self._pages(partner_id, stream, within):
            for row in rows:
                yield _stored(row)

    async def links(
        self, within: PartnerRange = EVERY_PARTNER, by_entry: bool = False
    ) -> AsyncIterator[list[ChainLink]]:
        """What checking the chains needs of the entries ``within`` the range (``entries``' rows, in
        their order), a page at a time: each entry's hash recomputed from its stored content. The
        postings are read by each page's stretch of keys (``_linked_pages``), or with ``by_entry`` as
        ``entries`` reads them (the reference: one index probe per entry)."""
        if by_entry:
            async for rows in self._pages(None, None, within):
                plain = _all_plain(row[14] for row in rows)
                yield [_link(row, None, plain) for row in rows]
            return
        async for rows, postings in self._linked_pages(within):
            plain = _all_plain(postings.values())
            yield [_link(row, postings.get(row[0], ()), plain) for row in rows]

    async def _linked_pages(
        self, within: PartnerRange
    ) -> AsyncIterator[tuple[list[asyncpg.Record], dict[str, list[list[str]]]]]:
        """``_pages``' pages (without postings), each with the postings filed under its stretch of keys:
        from past the page before (or the range's first partner) to its last entry (or, for the last
        page, the range's end). The stretches of a range's pages, and of ranges that tile the partners,
        tile every key, so each posting is read once, with the page its filed place falls in. Each must
        belong to an entry of that page: then every entry's postings are all read, and read as
        ``entries`` reads them. Otherwise (a posting moved to another entry or partner, or one without
        an entry) ``PostingsOutOfPlace`` is raised: an entry elsewhere may be missing the posting."""
        key: tuple[str, str, int] = (within.start or "", "", 0)
        before, tail = ("AND e.partner_id < $4", [within.end]) if within.end is not None else ("", [])
        entries = LINK_ENTRIES.format(before=before, limit=int(self.batch_size))
        after: tuple[str, str, int] | None = None
        while True:
            async with self.conn.transaction(isolation="repeatable_read", readonly=True):  # one snapshot
                rows = await self.conn.fetch(entries, *key, *tail)
                full = len(rows) == self.batch_size
                upto = (rows[-1][1], rows[-1][2], rows[-1][3]) if full else None
                postings = {r[0]: r[1] for r in await self.conn.fetch(*_postings_query(within, after, upto))}
            ids = {row[0] for row in rows}
            strays = [entry_id for entry_id in postings if entry_id not in ids]
            if strays:
                raise PostingsOutOfPlace(f"postings of entry {strays[0]} are filed under another entry's place")
            yield rows, postings
            if upto is None:
                return
            after = key = upto

    async def _pages(
        self, partner_id: str | None, stream: str | None, within: PartnerRange
    ) -> AsyncIterator[list[asyncpg.Record]]:
        # (start, "", 0) precedes every entry of the partner ``start``: sequences start at 1.
        key: tuple[str, str, int] = (within.start or "", "", 0)
        args: list[object] = []
        chain = before = ""
        if partner_id is not None and stream is not None:
            chain, args = "AND e.partner_id = $4 AND e.stream = $5", [partner_id, stream]
        elif within.end is not None:
            before, args = "AND e.partner_id < $4", [within.end]
        query = ENTRIES.format(chain=chain, before=before, limit=int(self.batch_size))
        while True:
            rows = await self.conn.fetch(query, *key, *args)
            yield rows
            if len(rows) < self.batch_size:
                return
            last = rows[-1]
            key = (last["partner_id"], last["stream"], last["sequence"])

    async def partner_cuts(self, parts: int) -> list[str]:
        """Partner ids that cut the ledger's chains into about ``parts`` ranges of equal size."""
        if parts < 2:
            return []
        cuts = await self.conn.fetchval(PARTNER_CUTS, [i / parts for i in range(1, parts)])
        return [c for c in cuts or [] if c is not None]

    async def balances(self) -> list[tuple[str, str, str, Decimal]]:
        rows = await self.conn.fetch("SELECT partner_id, account, currency, balance FROM balances")
        return sorted((r["partner_id"], r["account"], r["currency"], r["balance"]) for r in rows)

    async def balance_findings(self, limit: int = 10) -> list[Finding]:
        """Balances that are not the sum of their postings."""
        return [
            Finding(
                "balance",
                r["partner_id"],
                f"balance of {r['account']} {r['currency']} is not the sum of its postings",
                field="balance",
                expected=str(r["total"] if r["total"] is not None else 0),
                found=str(r["balance"] if r["balance"] is not None else "(no row)"),
            )
            for r in await self.conn.fetch(BALANCE_MISMATCHES, limit)
        ]

    async def head_findings(self, limit: int = 10) -> list[Finding]:
        """Chain heads that are not the last entry of their chain."""
        return [
            Finding(
                "chain head",
                r["partner_id"],
                "the stored chain head is not the chain's last entry",
                stream=r["stream"],
                field="head",
                expected=f"{r['sequence']}:{r['entry_hash']}",
                found=f"{r['last_sequence']}:{r['head_hash']}",
            )
            for r in await self.conn.fetch(HEAD_MISMATCHES, limit)
        ]
