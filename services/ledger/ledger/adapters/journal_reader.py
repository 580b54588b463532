"""Reading a ledger database as an auditor does: every entry as stored (with its postings), the
balances, and where the stored projections disagree with the journal."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import asyncpg
import orjson

from ..application.audit import EVERY_PARTNER, PartnerRange
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


def _stored(row: asyncpg.Record) -> StoredEntry:
    postings = tuple(Posting(a, c, Decimal(v)) for a, c, v in row["postings"])
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


def _link(row: asyncpg.Record) -> ChainLink:
    """The row's place and hashes with the hash of its stored content: the bytes ``chain.canonical``
    gives for the entry ``_stored`` rebuilds, here built from the row's values (the same document),
    or by rebuilding the entry where orjson's bytes may not be the definition's."""
    entry_id, partner_id, stream, sequence, prev_hash = row[0], row[1], row[2], row[3], row[12]
    try:
        explanation = orjson.loads(row[11])
    except orjson.JSONDecodeError:
        fast = None
    else:
        postings = [[a, c, format(Decimal(v), "f")] for a, c, v in row[14]]
        fast = fast_canonical(
            row_document(
                entry_id, partner_id, stream, sequence, row[4], row[5], row[6], row[7].isoformat(), row[8], row[9],
                row[10], postings, explanation, prev_hash,
            )
        )  # fmt: skip
    content_hash = hashlib.sha256(fast).hexdigest() if fast is not None else recomputed_hash(_stored(row))
    return ChainLink(partner_id, stream, sequence, entry_id, prev_hash, row[13], content_hash)


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

    async def links(self, within: PartnerRange = EVERY_PARTNER) -> AsyncIterator[list[ChainLink]]:
        """What checking the chains needs of the entries ``within`` the range (``entries``' rows, in
        their order), a page at a time: each entry's hash recomputed from its stored content."""
        async for rows in self._pages(None, None, within):
            yield [_link(row) for row in rows]

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
