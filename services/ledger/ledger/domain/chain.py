"""Tamper evidence: each partner stream's entries form a SHA-256 hash chain.

A partner has one chain per producing stream (``registration``, ``mdf``): Kafka orders a partner's
events within one topic only, so chaining per stream keeps a replay's hashes independent of how
the two topics interleave.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from .journal import JournalEntry

GENESIS = "0" * 64


@dataclass(frozen=True)
class ChainHead:
    last_sequence: int = 0
    head_hash: str = GENESIS


@dataclass(frozen=True)
class ChainedEntry:
    entry: JournalEntry
    sequence: int
    prev_hash: str
    entry_hash: str


def canonical(entry: JournalEntry, sequence: int, prev_hash: str) -> bytes:
    """The exact bytes hashed: sorted keys, decimal strings, UTC ISO timestamps."""
    document: dict[str, Any] = {
        "entry_id": entry.entry_id,
        "partner_id": entry.partner_id,
        "stream": entry.stream,
        "sequence": sequence,
        "kind": entry.kind,
        "caused_by": entry.caused_by,
        "deal_id": entry.deal_id,
        "effective_at": entry.effective_at.isoformat(),
        "rule_id": entry.rule_id,
        "rule_version": entry.rule_version,
        "reverses": entry.reverses,
        "postings": [[p.account, p.currency, format(p.amount, "f")] for p in entry.postings],
        "explanation": entry.explanation,
        "prev_hash": prev_hash,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), default=str).encode()


def link(entry: JournalEntry, head: ChainHead) -> ChainedEntry:
    sequence = head.last_sequence + 1
    digest = hashlib.sha256(canonical(entry, sequence, head.head_hash)).hexdigest()
    return ChainedEntry(entry=entry, sequence=sequence, prev_hash=head.head_hash, entry_hash=digest)
