"""The auditor's pure tools: the ledger digest, the chain check and the first differing field."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from ledger.domain.digest import LedgerDigest, balance_text
from ledger.domain.journal import Posting
from ledger.domain.verification import ChainCheck, StoredEntry, entry_difference
from ledger_support import allocated, enrolled, program, run, won

D = Decimal


async def _stored() -> list[StoredEntry]:
    r = await run([enrolled(), won("d1", "1000.00", date(2026, 2, 1)), allocated("100.00", date(2026, 2, 2)),
                   won("d2", "500.00", date(2026, 2, 3))], program())  # fmt: skip
    rows = [StoredEntry(c.entry, c.sequence, c.prev_hash, c.entry_hash) for c in r.ledger.journal]
    return sorted(rows, key=lambda s: (s.entry.partner_id, s.entry.stream, s.sequence))


def _digest(rows: list[StoredEntry], balances: list[tuple[str, str, str, Decimal]]) -> str:
    digest = LedgerDigest()
    for row in rows:
        e = row.entry
        digest.add_entry(e.partner_id, e.stream, row.sequence, e.entry_id, row.entry_hash, row.entry_hash)
    for balance in balances:
        digest.add_balance(*balance)
    return digest.digest


async def test_the_digest_ignores_how_chains_interleave_and_zero_balances_but_not_content():
    rows = await _stored()
    mdf_first = sorted(rows, key=lambda s: s.entry.stream)
    balances = [("acme", "partner:acme:rebates_payable", "USD", D("-75.00"))]
    with_zero = [*balances, ("acme", "partner:acme:rebates_held", "USD", D("0.00"))]
    assert _digest(rows, balances) == _digest(mdf_first, with_zero)
    assert _digest(rows, balances) != _digest(rows, [("acme", "partner:acme:rebates_payable", "USD", D("-75.01"))])
    assert _digest(rows, balances) != _digest(rows[:-1], balances)
    assert balance_text(D("100.00")) == balance_text(D("1E+2")) == "100"
    assert balance_text(D("-0.00")) == "0"


async def test_an_intact_chain_has_no_findings():
    check = ChainCheck()
    assert [f for row in await _stored() for f in check.feed(row)] == []


async def test_a_changed_amount_a_broken_link_and_a_gap_are_each_named():
    rows = await _stored()
    registration = [r for r in rows if r.entry.stream == "registration"]
    first, second = registration[0], registration[1]
    changed = replace(first, entry=replace(first.entry, postings=(
        Posting(first.entry.postings[0].account, "USD", D("500.00")),
        Posting(first.entry.postings[1].account, "USD", D("-500.00")),
    )))  # fmt: skip
    check = ChainCheck()
    findings = check.feed(changed) + check.feed(second)
    assert [(f.check, f.entry_id, f.field) for f in findings] == [("hash", first.entry.entry_id, "entry_hash")]

    check = ChainCheck()
    relinked = replace(second, prev_hash="f" * 64, sequence=3)
    findings = check.feed(first) + check.feed(relinked)
    assert [(f.check, f.field, f.expected) for f in findings] == [
        ("chain", "sequence", "2"),
        ("chain", "prev_hash", first.entry_hash),
        ("hash", "entry_hash", findings[2].expected),
    ]

    difference = entry_difference(changed, first)
    assert difference is not None
    assert (difference.entry_id, difference.partner_id, difference.field) == (first.entry.entry_id, "acme", "postings")
    assert entry_difference(first, first) is None
