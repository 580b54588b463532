"""What-if simulations: a draft program version replayed over history (nothing posted), the result kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class SimulationRequest:
    program_id: str
    document: str | None
    version: int | None
    start: date | None
    end: date | None
    partner_id: str | None  # None: every partner


class SimulationStore(Protocol):
    async def run(self, request: SimulationRequest) -> dict[str, Any]:
        """Replay under the draft and compare with the journal: the result as stored (JSON)."""
        ...

    async def store(
        self, request: dict[str, Any], result: dict[str, Any], partner_scope: str | None, by: str, now: datetime
    ) -> dict[str, Any]:
        """Keep the run; answers ``simulation_id``, ``created_at``, ``created_by`` and the result."""
        ...


async def simulate(
    store: SimulationStore, request: SimulationRequest, *, as_asked: dict[str, Any], by: str, now: datetime
) -> dict[str, Any]:
    """Run a simulation and keep it (``as_asked``: the request body, stored with it)."""
    result = await store.run(request)
    return await store.store(as_asked, result, request.partner_id, by, now)
