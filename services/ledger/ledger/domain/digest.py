"""A deterministic digest of a ledger: its journal and its balances.

Two ledgers have the same digest exactly when they hold the same entries and the same non-zero
balances. Each entry contributes its id, its position and two hashes: the hash of its content (as
stored, recomputed) and the hash it carries; so an entry changed after posting changes the digest
even when its stored hash was left alone. Entries are digested per chain (partner, stream) in
sequence order and the chains in (partner, stream) order, so a reader may meet the chains in any
interleaving; balances are fed in (partner, account, currency) order.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


def balance_text(amount: Decimal) -> str:
    """One spelling per value: ``100.00``, ``100.0`` and ``1E+2`` are all ``100``."""
    normalized = amount.normalize()
    return "0" if normalized.is_zero() else format(normalized, "f")


def entry_line(sequence: int, entry_id: str, content_hash: str, entry_hash: str) -> str:
    """What an entry adds to its chain's digest."""
    return f"{sequence}|{entry_id}|{content_hash}|{entry_hash}\n"


@dataclass
class _Chain:
    digest: Any = field(default_factory=hashlib.sha256)
    entries: int = 0


@dataclass(frozen=True)
class _Finished:
    value: str

    def hexdigest(self) -> str:
        return self.value


@dataclass
class LedgerDigest:
    _chains: dict[tuple[str, str], _Chain] = field(default_factory=dict)
    _balances: Any = field(default_factory=hashlib.sha256)
    balances: int = 0

    def add_entry(
        self, partner_id: str, stream: str, sequence: int, entry_id: str, content_hash: str, entry_hash: str
    ) -> None:
        """Entries of one chain in sequence order."""
        self.add_entries(partner_id, stream, [entry_line(sequence, entry_id, content_hash, entry_hash)])

    def add_entries(self, partner_id: str, stream: str, lines: list[str]) -> None:
        """The next entries of one chain, each as ``entry_line`` writes it: the digest ``add_entry`` gives
        for each in turn (SHA-256 fed the lines one by one or joined is fed the same bytes)."""
        chain = self._chains.setdefault((partner_id, stream), _Chain())
        chain.digest.update("".join(lines).encode())
        chain.entries += len(lines)

    def add_chain(self, partner_id: str, stream: str, entries: int, chain_digest: str) -> None:
        """A chain digested elsewhere (a worker of a parallel replay or verify): its ``chains()`` item."""
        if (partner_id, stream) in self._chains:
            raise ValueError(f"chain {partner_id}/{stream} was digested twice")
        self._chains[(partner_id, stream)] = _Chain(_Finished(chain_digest), entries)

    def add_balance(self, partner_id: str, account: str, currency: str, balance: Decimal) -> None:
        """Balances in (partner, account, currency) order; zero balances are left out (a row that went
        back to zero and a row never written mean the same)."""
        if balance.is_zero():
            return
        self._balances.update(f"{partner_id}|{account}|{currency}|{balance_text(balance)}\n".encode())
        self.balances += 1

    def chains(self) -> dict[tuple[str, str], tuple[int, str]]:
        """Each chain's entry count and digest (to find the first chain in which two ledgers differ)."""
        return {key: (chain.entries, chain.digest.hexdigest()) for key, chain in self._chains.items()}

    @property
    def entries(self) -> int:
        return sum(c.entries for c in self._chains.values())

    @property
    def journal_digest(self) -> str:
        digest = hashlib.sha256()
        for (partner_id, stream), chain in sorted(self._chains.items()):
            digest.update(f"{partner_id}|{stream}|{chain.entries}|{chain.digest.hexdigest()}\n".encode())
        return digest.hexdigest()

    @property
    def balances_digest(self) -> str:
        return str(self._balances.hexdigest())

    @property
    def digest(self) -> str:
        """SHA-256 over both sections (their digests and sizes)."""
        summary = f"journal:{self.entries}:{self.journal_digest}\nbalances:{self.balances}:{self.balances_digest}\n"
        return hashlib.sha256(summary.encode()).hexdigest()

    def summary(self) -> dict[str, str | int]:
        return {
            "digest": self.digest,
            "entries": self.entries,
            "journal_digest": self.journal_digest,
            "balances": self.balances,
            "balances_digest": self.balances_digest,
        }
