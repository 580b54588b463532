"""A bulk registration encodes each payload once, for its history row and its envelope: the outbox
holds the bytes the plain encoding (``registry.encode(...).to_json()``) gives for each event, and
each history row the payload's own JSON."""

from __future__ import annotations

import orjson
from incentive_contracts.envelope import CloudEvent
from incentive_contracts.registry import decode, encode

from .helpers import deal_body, enroll, fetch, manager


async def test_bulk_envelopes_and_history_rows_are_the_plain_encodings(registration_client, registration_settings):
    client, settings = registration_client, registration_settings
    await enroll(client, settings, "p1", "p2")
    deals = [
        deal_body(f"d{n}", ("p1", "p2")[n % 2], customer_name=f'Café «{n // 2}» "Ünïcode"\\', customer_domain=None)
        for n in range(120)  # over the COPY threshold; two partners per customer: conflicts, flags
    ]
    response = await client.post("/deals/bulk", json={"deals": deals}, headers=manager(settings))
    assert response.status_code == 201, response.text
    assert "conflict" in response.json()["by_status"]
    rows = await fetch(settings, "SELECT event_id, payload FROM outbox WHERE event_type LIKE 'deal.%' ORDER BY id")
    assert len(rows) >= 240
    history = {
        r["event_id"]: orjson.loads(r["data"])
        for r in await fetch(settings, "SELECT event_id, data::text AS data FROM deal_history")
    }
    for row in rows:
        stored = bytes(row["payload"])
        envelope = CloudEvent.from_json(stored)
        payload = decode(envelope)
        plain = encode(
            payload,
            source=envelope.source,
            time=envelope.time,
            sequence=int(envelope.sequence),
            event_id=envelope.id,
            correlation_id=envelope.correlationid,
            causation_id=envelope.causationid,
        ).to_json()
        assert stored == plain
        assert history[envelope.id] == payload.model_dump(mode="json") == orjson.loads(payload.model_dump_json())
