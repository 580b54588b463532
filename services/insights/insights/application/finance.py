"""Finance views: the ledger's quarterly reconciliation, read with the caller's own token (the
ledger stays the one source of each figure)."""

from __future__ import annotations

from typing import Any, Protocol


class LedgerReconciliation(Protocol):
    """The ledger's ``GET /reconciliation?period=``."""

    async def reconciliation(self, period: str, token: str) -> dict[str, Any]: ...


async def quarter_reconciliation(ledger: LedgerReconciliation, period: str, token: str) -> dict[str, Any]:
    return await ledger.reconciliation(period, token)
