"""Where a replay applies payout actions: at the partner's registration-stream position recorded
when the action happened, before the partner's next event (holds depend on what is still payable)."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable

from ..domain.payouts import PayoutAction


class PayoutSchedule:
    def __init__(self, actions: Iterable[PayoutAction] = ()) -> None:
        self._pending: dict[str, deque[PayoutAction]] = defaultdict(deque)
        for action in actions:
            self.add(action)

    def add(self, action: PayoutAction) -> None:
        """Actions of one partner must arrive in the order they happened (the ledger topic's order)."""
        self._pending[action.partner_id].append(action)

    def due(self, partner_id: str, registration_head: int) -> list[PayoutAction]:
        """The partner's actions that happened when its registration chain was at or before ``registration_head``."""
        queue = self._pending.get(partner_id)
        taken: list[PayoutAction] = []
        while queue and queue[0].registration_sequence <= registration_head:
            taken.append(queue.popleft())
        return taken

    def remaining(self) -> list[PayoutAction]:
        """Every action not applied yet, partner by partner in their order; empties the schedule."""
        left = [a for partner in sorted(self._pending) for a in self._pending[partner]]
        self._pending.clear()
        return left

    def __len__(self) -> int:
        return sum(len(q) for q in self._pending.values())
