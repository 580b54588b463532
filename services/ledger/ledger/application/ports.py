"""What the ledger's use cases need from storage (implemented in adapters/)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Protocol

from ..domain.chain import ChainedEntry
from ..domain.projection import PartnerLedger

BalanceKey = tuple[str, str, str]  # partner_id, account, currency


class LedgerStore(Protocol):
    """One transaction of the projector: partner state, journal, balances and the outbox."""

    async def load_partners(self, partner_ids: Iterable[str]) -> dict[str, PartnerLedger]: ...
    async def save_partners(self, states: Iterable[PartnerLedger]) -> None: ...
    async def append(self, entries: list[ChainedEntry]) -> None: ...
    async def apply_balance_deltas(self, deltas: Mapping[BalanceKey, Decimal]) -> None: ...
    def publish_entry_posted(self, entry: ChainedEntry) -> None: ...
