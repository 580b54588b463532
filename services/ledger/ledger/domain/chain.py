"""Tamper evidence: each partner stream's entries form a SHA-256 hash chain.

A partner has one chain per producing stream (``registration``, ``mdf``): Kafka orders a partner's
events within one topic only, so chaining per stream keeps a replay's hashes independent of how
the two topics interleave.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from incentive_contracts.sorted_json import orjson_sorted

from .explanation import as_text
from .frozen import quick_init
from .journal import JournalEntry

GENESIS = "0" * 64


@quick_init
@dataclass(frozen=True)
class ChainHead:
    last_sequence: int = 0
    head_hash: str = GENESIS


@quick_init
@dataclass(frozen=True)
class ChainedEntry:
    entry: JournalEntry
    sequence: int
    prev_hash: str
    entry_hash: str


def canonical(entry: JournalEntry, sequence: int, prev_hash: str) -> bytes:
    """The exact bytes hashed: sorted keys, decimal strings, UTC ISO timestamps."""
    encoded = entry.explanation.encoded  # encoded once, shared with the stored row
    explanation = orjson.Fragment(encoded) if encoded is not None else entry.explanation.document()
    fast = fast_canonical(_document(entry, sequence, prev_hash, explanation))
    if fast is not None:
        return fast
    return reference_canonical(canonical_document(entry, sequence, prev_hash))


def fast_canonical(document: dict[str, Any]) -> bytes | None:
    """``reference_canonical(document)`` by orjson where the two agree byte for byte (see there); None
    where they may not: a value orjson does not write, or escapes (non-ASCII, control characters)."""
    return orjson_sorted(document, default=as_text, option=_ORJSON_OPTIONS)


def canonical_document(entry: JournalEntry, sequence: int, prev_hash: str) -> dict[str, Any]:
    """What is hashed of an entry at its place in the chain."""
    return _document(entry, sequence, prev_hash, entry.explanation.document())


def _document(entry: JournalEntry, sequence: int, prev_hash: str, explanation: object) -> dict[str, Any]:
    return {
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
        "explanation": explanation,
        "prev_hash": prev_hash,
    }


def row_document(
    entry_id: str, partner_id: str, stream: str, sequence: int, kind: str, caused_by: str, deal_id: str | None,
    effective_at: str, rule_id: str, rule_version: int, reverses: str | None, postings: Sequence[Sequence[str]],
    explanation: object, prev_hash: str,
) -> dict[str, Any]:  # fmt: skip
    """``_document`` from the values as a stored row holds them (an auditor's reader hashes rows without
    building entries): ``effective_at`` in ISO form, each posting as [account, currency, amount text]."""
    return {
        "entry_id": entry_id,
        "partner_id": partner_id,
        "stream": stream,
        "sequence": sequence,
        "kind": kind,
        "caused_by": caused_by,
        "deal_id": deal_id,
        "effective_at": effective_at,
        "rule_id": rule_id,
        "rule_version": rule_version,
        "reverses": reverses,
        "postings": postings,
        "explanation": explanation,
        "prev_hash": prev_hash,
    }


def reference_canonical(document: dict[str, Any]) -> bytes:
    """The definition of the hashed bytes. ``canonical`` gives the same bytes faster (orjson) for the
    documents where the two libraries agree byte for byte: plain ASCII, nothing escaped, and only
    strings, integers, booleans, None, lists and dicts, plus Decimals and dates written as ``str()``."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), default=str).encode()


_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def link(entry: JournalEntry, head: ChainHead) -> ChainedEntry:
    sequence = head.last_sequence + 1
    digest = hashlib.sha256(canonical(entry, sequence, head.head_hash)).hexdigest()
    return ChainedEntry(entry=entry, sequence=sequence, prev_hash=head.head_hash, entry_hash=digest)
