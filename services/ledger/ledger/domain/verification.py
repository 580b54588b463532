"""An auditor's checks of stored journal rows: each chain recomputed, compared with a replay.

Everything here works on rows as stored (an entry rebuilt from its row and postings, with the stored
sequence and hashes) and names the first problem it finds: the entry, its partner and what differs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from typing import Any, NamedTuple

from .chain import GENESIS, canonical
from .journal import JournalEntry


@dataclass(frozen=True)
class StoredEntry:
    entry: JournalEntry
    sequence: int
    prev_hash: str
    entry_hash: str

    @property
    def chain(self) -> tuple[str, str]:
        return (self.entry.partner_id, self.entry.stream)


@dataclass(frozen=True)
class Finding:
    """One problem: where (entry, partner, stream, sequence), which field, and the two values."""

    check: str
    partner_id: str
    detail: str
    entry_id: str | None = None
    stream: str | None = None
    sequence: int | None = None
    field: str | None = None
    expected: str | None = None
    found: str | None = None

    def describe(self) -> str:
        where = [f"partner {self.partner_id}"]
        if self.stream is not None:
            where.append(f"stream {self.stream}")
        if self.sequence is not None:
            where.append(f"sequence {self.sequence}")
        if self.entry_id is not None:
            where.insert(0, f"entry {self.entry_id}")
        text = f"{self.check}: {', '.join(where)}: {self.detail}"
        if self.field is not None:
            text += f" (field {self.field}: expected {self.expected!r}, found {self.found!r})"
        return text


class ChainLink(NamedTuple):
    """What checking a chain needs of a stored entry: its place, its stored hashes and the hash of its
    stored content, recomputed (``recomputed_hash``)."""

    partner_id: str
    stream: str
    sequence: int
    entry_id: str
    prev_hash: str
    entry_hash: str
    content_hash: str


def recomputed_hash(stored: StoredEntry) -> str:
    return hashlib.sha256(canonical(stored.entry, stored.sequence, stored.prev_hash)).hexdigest()


def link_of(stored: StoredEntry) -> ChainLink:
    e, content_hash = stored.entry, recomputed_hash(stored)
    where = (e.partner_id, e.stream, stored.sequence, e.entry_id)
    return ChainLink(*where, stored.prev_hash, stored.entry_hash, content_hash)


class ChainCheck:
    """Feed rows ordered by (partner, stream, sequence): every chain starts at genesis, each entry links
    to the one before, its sequence follows, and its hash is the hash of its stored content."""

    def __init__(self) -> None:
        self._previous: ChainLink | None = None

    def feed(self, row: StoredEntry) -> list[Finding]:
        """The row's problems; its recomputed content hash is ``row_hash`` afterwards."""
        link = link_of(row)
        self.row_hash = link.content_hash
        return self.feed_link(link)

    def feed_link(self, link: ChainLink) -> list[Finding]:
        """The problems of the entry ``link`` stands for (its content hash already recomputed)."""
        previous, self._previous = self._previous, link
        if previous is not None and previous.partner_id == link.partner_id and previous.stream == link.stream:
            expected_prev, expected_sequence = previous.entry_hash, previous.sequence + 1
        else:
            expected_prev, expected_sequence = GENESIS, 1
        sound = link.sequence == expected_sequence and link.prev_hash == expected_prev
        if sound and link.content_hash == link.entry_hash:
            return []  # the usual entry
        here = (link.partner_id, link.entry_id, link.stream, link.sequence)
        found: list[Finding] = []
        if link.sequence != expected_sequence:
            gap = "a gap or repeat in the chain"
            found.append(_at(here, "chain", gap, "sequence", str(expected_sequence), str(link.sequence)))
        if link.prev_hash != expected_prev:
            found.append(
                _at(here, "chain", "does not link to the entry before it", "prev_hash", expected_prev, link.prev_hash)
            )
        if link.content_hash != link.entry_hash:
            why = "its stored content does not hash to its stored hash (changed after posting)"
            found.append(_at(here, "hash", why, "entry_hash", link.content_hash, link.entry_hash))
        return found


def chain_findings(rows: Iterable[StoredEntry]) -> Iterator[Finding]:
    check = ChainCheck()
    for row in rows:
        yield from check.feed(row)


def _at(here: tuple[str, str, str, int], check: str, detail: str, name: str, expected: str, found: str) -> Finding:
    partner_id, entry_id, stream, sequence = here
    return Finding(
        check, partner_id, detail, entry_id=entry_id, stream=stream, sequence=sequence,
        field=name, expected=expected, found=found,
    )  # fmt: skip


def _flat(row: StoredEntry) -> dict[str, Any]:
    values: dict[str, Any] = {f.name: getattr(row.entry, f.name) for f in fields(row.entry)}
    values["postings"] = [(p.account, p.currency, format(p.amount, "f")) for p in row.entry.postings]
    values["effective_at"] = row.entry.effective_at.isoformat()
    values["explanation"] = row.entry.explanation.document()
    values |= {"sequence": row.sequence, "prev_hash": row.prev_hash, "entry_hash": row.entry_hash}
    return values


def entry_difference(live: StoredEntry, replayed: StoredEntry) -> Finding | None:
    """The first field in which a live entry differs from the replayed one."""
    a, b = _flat(live), _flat(replayed)
    for name in sorted(a, key=lambda n: (n != "entry_id", n)):
        if a[name] != b[name]:
            return Finding(
                "replay", live.entry.partner_id, "the live entry differs from the replayed one",
                entry_id=live.entry.entry_id, stream=live.entry.stream, sequence=live.sequence,
                field=name, expected=str(b[name]), found=str(a[name]),
            )  # fmt: skip
    return None
