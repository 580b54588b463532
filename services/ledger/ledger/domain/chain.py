"""Tamper evidence: each partner's entries form a SHA-256 hash chain."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from .journal import JournalEntry

GENESIS = "0" * 64


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
        "sequence": sequence,
        "kind": entry.kind,
        "caused_by": entry.caused_by,
        "effective_at": entry.effective_at.isoformat(),
        "rule_id": entry.rule_id,
        "rule_version": entry.rule_version,
        "reverses": entry.reverses,
        "postings": [[p.account, p.currency, format(p.amount, "f")] for p in entry.postings],
        "explanation": entry.explanation,
        "prev_hash": prev_hash,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), default=str).encode()


def link(entry: JournalEntry, sequence: int, prev_hash: str) -> ChainedEntry:
    digest = hashlib.sha256(canonical(entry, sequence, prev_hash)).hexdigest()
    return ChainedEntry(entry=entry, sequence=sequence, prev_hash=prev_hash, entry_hash=digest)
