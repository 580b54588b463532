"""Projecting events as the projector's consumer does: each event logged in consumed_events (with a
topic and offset) and projected, in one transaction, so replays and simulations can read the log."""

from __future__ import annotations

import itertools
from datetime import datetime

from incentive_contracts import topics
from incentive_contracts.payload import EventPayload
from incentive_contracts.registry import encode
from ledger.adapters.store import SqlLedgerStore
from ledger.application.projector import Incoming, project
from ledger.config import LedgerSettings
from ledger.entrypoints.audit_cli import run_replay, run_verify
from servicekit.tables import consumed_events
from servicekit.unit_of_work import UnitOfWorkFactory
from sqlalchemy.dialects.postgresql import insert

_offsets = itertools.count(1)


async def consume(
    uow_factory: UnitOfWorkFactory, payloads: list[EventPayload], recorded_at: datetime, first_offset: int | None = None
) -> list[str]:
    """Log and project the events (offsets from ``first_offset`` on, else unique ones); returns their ids."""
    offsets = itertools.count(first_offset) if first_offset is not None else _offsets
    envelopes = [encode(p, source=_source(p), time=recorded_at, sequence=next(offsets)) for p in payloads]
    async with uow_factory() as uow:
        await uow.conn.execute(
            insert(consumed_events),
            [
                {
                    "event_id": e.id,
                    "consumer_group": "ledger",
                    "topic": topics.topic_for_source(e.source),
                    "partition": 0,
                    "offset": int(e.sequence),
                    "event_type": e.type,
                    "subject": e.subject,
                    "event_time": e.time,
                    "payload": e.to_json(),
                }
                for e in envelopes
            ],
        )
        incoming = [Incoming(e.id, p, e.time) for e, p in zip(envelopes, payloads, strict=True)]
        assert await project(SqlLedgerStore(uow), incoming) == []
        await uow.commit()
    return [e.id for e in envelopes]


def _source(payload: EventPayload) -> str:
    """The producing service of an event type (mdf.*, governance.*, else registration)."""
    prefix = payload.event_type.split(".", 1)[0]
    return f"/{prefix}" if prefix in ("mdf", "governance") else "/registration"


async def replay_matches_live(settings: LedgerSettings, target: str, events: int) -> None:
    """Replay the consumed log into ``target`` and verify it: every one of ``events`` applied, no
    finding, and the replayed digest equal to the live journal's."""
    report = await run_replay(settings, target, from_database=settings.database_url, quiet=True)
    assert (report.events, report.rejected) == (events, [])
    verdict = await run_verify(settings.database_url, target, quiet=True)
    assert verdict.findings == []
    assert verdict.live.digest.digest == report.digest["digest"]
