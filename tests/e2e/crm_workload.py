"""A seeded CRM workload for the crm-sync shard tests, and what they compare after applying it.

Records are independent (each its own customer), so applying the deliveries on any number of
shards must leave exactly what applying them one by one leaves: the same deals, history, merged
records and per-notification outcomes. The outcomes depend on the order a record's deliveries were
applied in (an older version arriving after a newer one is recorded as such), and
:func:`order_violations` checks the order itself: for every record, each delivery committed after
the one before it (``processed_at`` is the clock at the finishing statement; deliveries finished by
one transaction were applied in id order by it).

Every name carries a prefix, so a reference run and a sharded run can share one database.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
from registration.adapters.crm_inbox_writer import InboxWriter, create_edge_pool
from registration.config import RegistrationSettings
from registration.domain.crm import CrmChange
from servicekit.auth import mint_token
from servicekit.db import sync_url

SOURCE = "generic"
PARTNERS = ("p1", "p2", "p3")
STAGES = ("open", "qualified", "proposal", "negotiation", "won")


@dataclass(frozen=True)
class Delivery:
    delivery_id: str
    changes: tuple[CrmChange, ...]


def workload(seed: int, prefix: str, *, records: int, deliveries: int) -> list[Delivery]:
    """``deliveries`` deliveries over ``records`` records; about a third carry two or three records."""
    rng = random.Random(seed)
    version = [0] * records
    stage = [0] * records
    out = []
    for d in range(deliveries):
        touched = rng.sample(range(records), rng.choice((1, 1, 2, 3)) if records >= 3 else 1)
        changes = []
        for position, k in enumerate(touched):
            version[k] += 1
            stage[k] = min(stage[k] + rng.choice((0, 1, 1)), len(STAGES) - 1)
            fields: dict[str, str | None] = {
                "partner_id": PARTNERS[k % len(PARTNERS)],
                "customer_name": f"Customer {prefix}{k}",
                "customer_domain": f"{prefix}c{k}.example",
                "product_line": "cloud",
                "amount": f"{1000 + version[k]}.00",
                "currency": "USD",
                "close_date": "2026-06-30",
                "stage": STAGES[stage[k]],
                "created_date": "2026-03-02",
            }
            at = datetime(2026, 3, 2, 9, tzinfo=UTC).replace(minute=version[k] % 60, second=version[k] // 60)
            changes.append(CrmChange(f"{prefix}r{k}", f"{prefix}d{d}/{position}", version[k], at, fields))
        out.append(Delivery(f"{prefix}d{d}", tuple(changes)))
    return out


async def enroll_partners(client: httpx.AsyncClient, settings: RegistrationSettings) -> None:
    token = mint_token(settings.token_secret.get_secret_value(), subject="test-manager", scopes=["partners:write"])
    for partner_id in PARTNERS:
        body = {
            "partner_id": partner_id,
            "name": f"{partner_id.title()} Ltd",
            "partner_type": "reseller",
            "region": "EMEA",
            "domain": f"{partner_id}.example",
            "enrolled_on": "2026-01-01",
        }
        response = await client.post("/partners", json=body, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 201, response.text


async def store_all(settings: RegistrationSettings, deliveries: list[Delivery]) -> None:
    """Store the deliveries as the webhook edge does (group commit, record buckets included)."""
    pool = await create_edge_pool(sync_url(settings.database_url), 2)
    writer = InboxWriter(pool)
    try:
        for delivery in deliveries:
            assert await writer.store(SOURCE, delivery.delivery_id, list(delivery.changes))
    finally:
        await writer.close()
        await pool.close()


async def pending(conn: asyncpg.Connection | asyncpg.Pool, prefix: str) -> int:
    return int(
        await conn.fetchval(
            "SELECT count(*) FROM crm_inbox WHERE processed_at IS NULL AND delivery_id LIKE $1", f"{prefix}%"
        )
    )


async def snapshot(conn: asyncpg.Connection, prefix: str) -> dict[str, Any]:
    """Everything applying the workload left, with the prefix taken out of every name."""

    def strip(value: Any) -> str:
        return str(value).replace(prefix, "#")

    like = f"{prefix}%"
    deal_like = f"{SOURCE}-{prefix}%"
    deals = await conn.fetch(
        """SELECT deal_id, partner_id, status, stage, expected_amount, final_amount, closed_on, conflict_kind,
                  flagged, flags::text AS flags FROM deals WHERE deal_id LIKE $1 ORDER BY deal_id""",
        deal_like,
    )
    history = await conn.fetch(
        # occurred_at is the worker's clock for some events (a registration's, an approval's): left out.
        "SELECT deal_id, event_type, actor FROM deal_history WHERE deal_id LIKE $1 ORDER BY deal_id, id",
        deal_like,
    )
    records = await conn.fetch(
        """SELECT record_id, fields::text AS fields, versions::text AS versions, modified_at, outcome
           FROM crm_records WHERE record_id LIKE $1 ORDER BY record_id""",
        like,
    )
    notifications = await conn.fetch(
        "SELECT delivery_id, record_id, outcome FROM webhook_deliveries WHERE delivery_id LIKE $1 ORDER BY delivery_id",
        like,
    )
    inbox = await conn.fetch(
        "SELECT delivery_id, outcome::text AS outcome FROM crm_inbox WHERE delivery_id LIKE $1 ORDER BY delivery_id",
        like,
    )
    return {
        name: [tuple(strip(v) for v in row.values()) for row in rows]
        for name, rows in (
            ("deals", deals),
            ("history", history),
            ("records", records),
            ("notifications", notifications),
            ("inbox", inbox),
        )
    }


async def order_violations(conn: asyncpg.Connection, deliveries: list[Delivery]) -> list[str]:
    """Records whose deliveries were not committed in arrival order (empty: every record's were)."""
    rows = await conn.fetch(
        "SELECT id, delivery_id, processed_at, xmin::text AS tx FROM crm_inbox WHERE delivery_id = ANY($1::text[])",
        [d.delivery_id for d in deliveries],
    )
    by_delivery = {r["delivery_id"]: r for r in rows}
    seen: dict[str, asyncpg.Record] = {}
    wrong = []
    for delivery in sorted(deliveries, key=lambda d: by_delivery[d.delivery_id]["id"]):
        row = by_delivery[delivery.delivery_id]
        assert row["processed_at"] is not None, f"{delivery.delivery_id} was never applied"
        for record_id in {c.record_id for c in delivery.changes}:
            before = seen.get(record_id)
            if before is not None and before["tx"] != row["tx"] and not before["processed_at"] < row["processed_at"]:
                wrong.append(f"{record_id}: {before['delivery_id']} committed after {delivery.delivery_id}")
            seen[record_id] = row
    return wrong
