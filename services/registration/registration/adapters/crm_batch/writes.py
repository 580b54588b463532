"""Writing what a CRM batch did, in bulk: new deals and history by COPY from 100 rows on, updated
deals as one pipelined upsert, records and the claimed notification ids (with their outcomes) as
one statement each. A notification id another transaction claimed meanwhile is detected there
(:class:`ClaimLost`)."""

from __future__ import annotations

import orjson
from incentive_contracts.envelope_bytes import payload_json
from servicekit.copy import copy_rows
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from ..deals_repo import COPY_FROM_ROWS, DEAL_COLUMNS, SqlDeals, copy_record, to_row
from ..held_events import history_rows
from ..tables import deals
from .queries import CLAIM_NOTIFICATIONS, SAVE_RECORDS
from .state import BatchState, ClaimLost


async def flush(conn: AsyncConnection, state: BatchState) -> None:
    """Write what the batch did: new deals, updated deals, history, records, notification outcomes."""
    await insert_new_deals(conn, state)
    await upsert_updated_deals(conn, state)
    if state.history:
        as_text = len(state.history) >= COPY_FROM_ROWS
        if as_text:  # COPY takes the JSON as text: each payload encoded once, for its row and its envelope
            state.encoded.update((event_id, payload_json(event)) for _, event_id, event, _, _ in state.history)
        await SqlDeals(conn).record_history(history_rows(state.history, as_text=as_text, encoded=state.encoded))
    await save_records(conn, state)
    await claim_notifications(conn, state)


async def insert_new_deals(conn: AsyncConnection, state: BatchState) -> None:
    """The deals the batch registered, in registration order (by COPY from 100 rows on)."""
    if not state.new_deals:
        return
    new = []
    for deal_id in state.new_deals:
        deal = state.deals[deal_id]
        assert deal is not None
        new.append((deal, state.new_source[deal_id]))
    if len(new) >= COPY_FROM_ROWS:
        # Each row built as the COPY takes it: PostgreSQL stores the rows sent while the rest are built.
        await copy_rows(conn, "deals", DEAL_COLUMNS, (copy_record(deal, source) for deal, source in new))
    else:
        await conn.execute(insert(deals), [{**to_row(deal), "source": source} for deal, source in new])


async def upsert_updated_deals(conn: AsyncConnection, state: BatchState) -> None:
    """The existing deals the batch changed, as one pipelined upsert (in deal id order)."""
    if not state.updated:
        return
    rows = []
    for deal_id in sorted(state.updated):
        deal = state.deals[deal_id]
        assert deal is not None
        rows.append({**to_row(deal), "source": "api"})  # source is only written when inserted
    stmt = insert(deals)
    columns = [c for c in rows[0] if c not in ("deal_id", "source")]
    await conn.execute(
        stmt.on_conflict_do_update(index_elements=["deal_id"], set_={c: getattr(stmt.excluded, c) for c in columns}),
        rows,
    )


async def save_records(conn: AsyncConnection, state: BatchState) -> None:
    """Every record the batch saved, with its final fields, versions and last outcome."""
    if not state.saved_records:
        return
    keys = sorted(state.saved_records)
    saved = [state.records[k] for k in keys]
    await conn.execute(
        SAVE_RECORDS,
        {
            "sources": [k[0] for k in keys],
            "ids": [k[1] for k in keys],
            "deal_ids": [r.deal_id if r else None for r in saved],
            "fields": [orjson.dumps(r.fields).decode() if r else None for r in saved],
            "versions": [orjson.dumps(r.versions).decode() if r else None for r in saved],
            "modified": [r.modified_at if r else None for r in saved],
            "outcomes": [state.saved_records[k] for k in keys],
        },
    )


async def claim_notifications(conn: AsyncConnection, state: BatchState) -> None:
    """The notification ids the batch claimed, with their outcomes; :class:`ClaimLost` if another
    transaction claimed one of them meanwhile."""
    if not state.claimed:
        return
    keys = list(state.claimed)
    result = await conn.execute(
        CLAIM_NOTIFICATIONS,
        {
            "sources": [s for s, _ in keys],
            "ids": [d for _, d in keys],
            "records": [state.claimed[k] for k in keys],
            "outcomes": [state.outcomes.get(k) for k in keys],
        },
    )
    landed = len(result.all())
    if landed != len(keys):
        raise ClaimLost(f"{len(keys) - landed} of {len(keys)} notification ids were claimed meanwhile")
