"""The consumer's inbox (``consumed_events``): which events a consumer group has taken in.

Parsing a fetched batch, claiming its fresh events (one statement; those consumed before come back
empty-handed) and taking refused events out again so a re-drive after a fix can apply them.
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson
from aiokafka.structs import ConsumerRecord
from incentive_contracts.envelope import CloudEvent
from incentive_contracts.fast_decode import fast_decode
from incentive_contracts.registry import decode
from pydantic import ValidationError
from sqlalchemy import text

from .dead_lettering import Poison, reason_of
from .handling import Inbound
from .parking import Refusal
from .tables import consumed_events
from .unit_of_work import UnitOfWork

CLAIM_INBOX = """
    INSERT INTO consumed_events
        (event_id, consumer_group, topic, partition, "offset", event_type, subject, event_time, payload)
    SELECT event_id, :group, topic, partition, "offset", event_type, subject, event_time, payload
    FROM unnest(
        CAST(:ids AS uuid[]), CAST(:topics AS text[]), CAST(:partitions AS int[]), CAST(:offsets AS bigint[]),
        CAST(:types AS text[]), CAST(:subjects AS text[]), CAST(:times AS timestamptz[]), CAST(:payloads AS bytea[])
    ) WITH ORDINALITY AS batch(event_id, topic, partition, "offset", event_type, subject, event_time, payload, n)
    {where}
    ORDER BY n
    ON CONFLICT (consumer_group, event_id) DO NOTHING
    RETURNING event_id
"""
# A dead-lettered event leaves the inbox (so a re-drive can apply it), but a redelivered copy of it
# (a re-read after a rebalance, a relay that re-published) waits for that re-drive like the first.
CLAIM_LIVE = text(
    CLAIM_INBOX.format(
        where="""WHERE NOT EXISTS (
        SELECT 1 FROM dead_letters d
        WHERE d.consumer_group = :group AND d.event_id = batch.event_id::text AND d.redriven_at IS NULL
    )"""
    )
)
CLAIM_REDRIVEN = text(CLAIM_INBOX.format(where=""))


def parse(records: Sequence[ConsumerRecord[bytes, bytes]]) -> tuple[list[Inbound], list[Poison]]:
    """Decode records to the latest payload versions (once per event id); what does not decode is poison."""
    inbound: list[Inbound] = []
    poison: list[Poison] = []
    seen: set[str] = set()
    for record in records:
        event_id: str | None = None
        try:
            if record.value is None:
                raise ValueError("empty record")
            # The compiled decoder where it is sure; else pydantic's, which decodes or says why not.
            decoded = fast_decode(record.value)
            if decoded is None:
                envelope = CloudEvent.from_json(record.value)
                event_id = envelope.id
                payload = decode(envelope)
            else:
                envelope, payload = decoded
        except (ValueError, ValidationError, orjson.JSONDecodeError) as exc:
            poison.append(Poison(record, event_id, reason_of(exc)))
            continue
        if envelope.id in seen:
            continue
        seen.add(envelope.id)
        inbound.append(Inbound(envelope, payload, record.topic, record.partition, record.offset, record.value))
    return inbound, poison


async def claim_fresh(
    uow: UnitOfWork, group: str, inbound: Sequence[Inbound], *, redrive: bool = False
) -> list[Inbound]:
    """Insert into the inbox; only events not consumed before (nor waiting in the dead letters,
    unless this is their ``redrive``) come back."""
    if not inbound:
        return []
    # One statement with arrays (unnest keeps the batch's order for consumed_seq), instead of
    # compiling a many-row VALUES statement per chunk: the inbox is on every event's path.
    result = await uow.conn.execute(
        CLAIM_REDRIVEN if redrive else CLAIM_LIVE,
        {
            "group": group,
            "ids": [e.envelope.id for e in inbound],
            "topics": [e.topic for e in inbound],
            "partitions": [e.partition for e in inbound],
            "offsets": [e.offset for e in inbound],
            "types": [e.envelope.type for e in inbound],
            "subjects": [e.envelope.subject for e in inbound],
            "times": [e.envelope.time for e in inbound],
            "payloads": [e.raw for e in inbound],
        },
    )
    fresh_ids = {str(r) for r in result.scalars()}
    return [e for e in inbound if e.envelope.id in fresh_ids]


async def release(uow: UnitOfWork, group: str, refusals: Sequence[Refusal]) -> None:
    """Take refused events out of the inbox, so a re-drive after a fix can apply them."""
    if refusals:
        ids = [r.event_id for r in refusals]
        await uow.conn.execute(
            consumed_events.delete().where(
                consumed_events.c.consumer_group == group, consumed_events.c.event_id.in_(ids)
            )
        )
