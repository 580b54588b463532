"""A replay's deal states, in bounded memory.

A million deals' states do not fit in a worker's memory (about 3 KB each as objects), and most are
never touched again once won. The states touched most recently stay in memory; when there are more
than ``hot``, the least recently touched are written to ``ledger_deals`` (their final table: the row
a replay ends with) by COPY in chunks. An event that names a written-out deal again reads its state
back and takes its row out (``DELETE ... RETURNING``), so each deal has one row at the end, the one
of its last state: the rows are those the in-memory replay writes, and the states read back are the
live projector's own round trip through the same JSON (``codec``).

Which deals were written out is kept as a bitmap of their keys' hashes (2 MiB whatever the count):
a new deal whose bit is set costs one look-up that finds nothing, never a wrong state.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import orjson
from servicekit.db import json_text

from ..application.ports import DealKey
from ..domain.state import DealRecord
from .codec import deal_from_json, deal_to_json

HOT_DEALS = 20_000  # about 3 KB each as objects
SPILL_CHUNK = 10_000  # written out at once, so a replay over the limit writes every few batches, not every batch
BITS = 1 << 24
COLUMNS = ["partner_id", "deal_id", "state"]
READ_BACK = """
DELETE FROM ledger_deals d USING unnest($1::text[], $2::text[]) AS k(partner_id, deal_id)
WHERE d.partner_id = k.partner_id AND d.deal_id = k.deal_id
RETURNING d.partner_id, d.deal_id, d.state::text
"""


def deal_row(deal: DealRecord) -> tuple[str, str, str]:
    return deal.partner_id, deal.deal_id, json_text(deal_to_json(deal))


class SpillingDeals:
    def __init__(self, driver: Any, hot: int | None = None, chunk: int | None = None) -> None:
        self.driver = driver  # an asyncpg connection, inside the replay's transaction
        self.hot = HOT_DEALS if hot is None else hot
        self.chunk = min(SPILL_CHUNK if chunk is None else chunk, self.hot)
        self._states: dict[DealKey, DealRecord] = {}  # least recently touched first
        self._written = bytearray(BITS // 8)
        self.written_out = 0  # states written out before the end (read back ones included)
        self.read_back = 0

    def _bit(self, key: DealKey) -> tuple[int, int]:
        h = hash(key) % BITS
        return h >> 3, 1 << (h & 7)

    async def load(self, keys: Iterable[DealKey]) -> dict[DealKey, DealRecord]:
        found: dict[DealKey, DealRecord] = {}
        elsewhere: list[DealKey] = []
        for key in keys:
            state = self._states.get(key)
            if state is not None:
                found[key] = state
                continue
            byte, bit = self._bit(key)
            if self._written[byte] & bit:
                elsewhere.append(key)
        if elsewhere:
            rows = await self.driver.fetch(READ_BACK, [k[0] for k in elsewhere], [k[1] for k in elsewhere])
            for partner_id, deal_id, state in rows:
                deal = deal_from_json(partner_id, deal_id, orjson.loads(state))
                found[(partner_id, deal_id)] = self._states[(partner_id, deal_id)] = deal
            self.read_back += len(rows)
        return found

    async def save(self, deals: Iterable[DealRecord]) -> None:
        for deal in deals:
            key = (deal.partner_id, deal.deal_id)
            self._states.pop(key, None)  # to the end: touched last
            self._states[key] = deal
        if len(self._states) > self.hot:
            await self._write_out(len(self._states) - self.hot + self.chunk)

    async def _write_out(self, count: int) -> None:
        keys = [key for key, _ in zip(self._states, range(count), strict=False)]
        for key in keys:
            byte, bit = self._bit(key)
            self._written[byte] |= bit
        await self.driver.copy_records_to_table(
            "ledger_deals", columns=COLUMNS, records=[deal_row(self._states.pop(key)) for key in keys]
        )
        self.written_out += len(keys)

    async def finish(self) -> None:
        """Write what is still in memory (streamed: no list of a million rows)."""
        await self.driver.copy_records_to_table("ledger_deals", columns=COLUMNS, records=self._rows())

    def _rows(self) -> Iterator[tuple[str, str, str]]:
        states, self._states = self._states, {}
        for deal in states.values():
            yield deal_row(deal)
