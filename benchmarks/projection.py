"""End-to-end projection: deal events written to the registration outbox, published by the real
relay process through Kafka, and projected by the real ledger projector process into the journal.
Side by side: the naive ORM baseline and the COPY ceiling, on the same events."""

from __future__ import annotations

import asyncio
import subprocess
from typing import Any

import asyncpg
import orjson
from incentive_contracts import topics
from incentive_contracts.envelope import CloudEvent
from incentive_contracts.registry import decode
from servicekit.db import sync_url

from . import ceiling, naive
from .processes import Process, python_module, service
from .report import ScenarioResult
from .run import APPLIED, CpuWindow, Run, wait_for_count

Row = dict[str, Any]
EVENTS_PER_DEAL = 3  # the producer writes registered, approved and won for every deal


def run_projection(run: Run) -> ScenarioResult:
    return asyncio.run(_projection(run))


async def _projection(run: Run) -> ScenarioResult:
    sizes = run.sizes
    result = ScenarioResult("projection")
    prefix = run.prefix()
    reg_url = run.stack.database("registration", "proj_reg")
    led_url = run.stack.database("ledger", "proj_led")
    reg = run.registration(reg_url, prefix, relay_poll_seconds=0.2)
    led = run.ledger(led_url, prefix)
    topic = topics.prefixed(topics.REGISTRATION, prefix)
    relay = service("registration relay", "registration", ["relay"], run.env(reg), run.logdir).start()
    projectors = [
        service(f"ledger projector {i + 1}", "ledger", ["projector"], run.env(led), run.logdir).start()
        for i in range(sizes.projectors)
    ]
    producer = python_module(
        "producer",
        "benchmarks.producer",
        [
            "outbox",
            "--database-url",
            reg_url,
            "--topic",
            topic,
            "--partners",
            str(sizes.projection_partners),
            "--events",
            str(sizes.projection_events),
        ],
        run.logdir,
    ).start(stdout=subprocess.PIPE, stdin=subprocess.PIPE)
    processes = [relay, *projectors, producer]
    run.profiler.attach(relay, "relay")
    run.profiler.attach(projectors[0], "projector")

    def alive() -> bool:
        return relay.alive() and all(p.alive() for p in projectors)

    def sample(_: int) -> None:
        for p in processes:
            p.sample_peak()

    try:
        enrol = await _line(producer)
        run.say(f"projection: {enrol['events']} partners enrolled; waiting for the ledger to project them")
        await wait_for_count(led_url, APPLIED, sizes.projection_partners, within=600, alive=alive, on_tick=sample)
        window = CpuWindow(run, processes)
        window.start()
        assert producer.popen is not None
        assert producer.popen.stdin is not None
        producer.popen.stdin.write(b"go\n")
        producer.popen.stdin.flush()
        run.say(f"projection: writing {sizes.projection_events:,} deal events to the registration outbox")
        done_at = await wait_for_count(
            led_url,
            APPLIED,
            sizes.projection_partners + sizes.projection_events,
            within=3600,
            alive=alive,
            on_tick=sample,
        )
        result.cpu_seconds = window.stop()
        deals = await _line(producer)
    finally:
        for p in processes:
            p.stop()
    result.peak_rss_mb = {p.name: p.peak_mb for p in processes}

    events = int(deals["events"])
    elapsed = done_at - float(deals["first_commit"])
    rate = events / elapsed
    drain = done_at - float(deals["last_commit"])
    produced = events / max(1e-9, float(deals["last_commit"]) - float(deals["first_commit"]))
    check = await verify(led_url)
    result.details.update(
        events=events,
        partners=sizes.projection_partners,
        seconds=elapsed,
        drain_seconds=drain,
        producer_events_per_second=produced,
        **check,
    )
    run.say(f"projection: {rate:,.0f} events/s end to end; {check['entries']:,} entries; checks {check['checks']}")

    baseline_rate = ceiling_rate = peer_rate = None
    first = await _first_events(led_url, sizes.projection_partners, sizes.baseline_events)
    try:
        baseline_rate = await _baseline(run, first, led.consumer_group)
    except Exception as exc:  # the comparison is reported as missing, the measurement stands
        result.notes.append(f"naive baseline failed: {type(exc).__name__}: {exc}")
    try:
        peer_rate = await _peer(run, led_url, first)
    except Exception as exc:
        result.notes.append(f"eventsourcing peer failed: {type(exc).__name__}: {exc}")
    try:
        ceiling_rate = await _ceiling(run, led_url, check["consumed_events"])
    except Exception as exc:
        result.notes.append(f"COPY ceiling failed: {type(exc).__name__}: {exc}")
    result.details.update(
        baseline_events_per_second=baseline_rate,
        ceiling_events_per_second=ceiling_rate,
        peer_events_per_second=peer_rate,
        won_deals_per_second=rate / EVENTS_PER_DEAL,
        peer_won_deals_per_second=peer_rate / EVENTS_PER_DEAL if peer_rate else None,
    )
    result.metric(
        "end-to-end events/s",
        rate,
        "ev/s",
        target=run.targets.projection_events_per_second,
        vs_baseline=rate / baseline_rate if baseline_rate else None,
        vs_ceiling=rate / ceiling_rate if ceiling_rate else None,
    )
    result.metric("last event sent → last entry posted", drain, "s", higher_is_better=False)
    result.metric("producer (outbox writes) events/s", produced, "ev/s")
    result.metric(f"naive ORM baseline ({sizes.baseline_events:,} events)", baseline_rate, "ev/s")
    result.metric("PostgreSQL COPY ceiling (same rows)", ceiling_rate, "ev/s")
    result.metric(f"eventsourcing peer ({sizes.baseline_events:,} events)", peer_rate, "ev/s")
    result.metric(
        "won deals/s, ours vs the eventsourcing peer",
        rate / EVENTS_PER_DEAL,
        "deals/s",
        vs_peer=rate / peer_rate if peer_rate else None,
    )
    result.metric(
        "projector peak RSS (largest)",
        max((p.peak_mb or 0) for p in projectors),
        "MiB",
        target=run.targets.projector_rss_mb,
        higher_is_better=False,
    )
    result.notes.append(
        f"{events:,} deal events (registered, approved, won per deal) for {sizes.projection_partners:,} partners, "
        f"{sizes.projectors} projector process(es) in one consumer group over {sizes.topic_partitions} partitions; "
        f"{check['entries']:,} journal entries, {check['postings']:,} postings; "
        "the producer writes the outbox in transactions of 1,000 events while the relay and projector run"
    )
    return result


async def _line(process: Process) -> dict[str, Any]:
    assert process.popen is not None
    assert process.popen.stdout is not None
    line = await asyncio.to_thread(process.popen.stdout.readline)
    if not line:
        raise RuntimeError(f"{process.name} ended early; see {process.log}")
    return dict(orjson.loads(line))


async def verify(url: str) -> dict[str, Any]:
    """What must hold after any projection: nothing dead-lettered, postings zero-sum, balances = postings."""
    conn = await asyncpg.connect(sync_url(url))
    try:
        dead = await conn.fetchval("SELECT count(*) FROM dead_letters")
        unbalanced = await conn.fetchval(
            "SELECT count(*) FROM (SELECT entry_id FROM postings GROUP BY entry_id, currency HAVING sum(amount) <> 0) x"
        )
        mismatched = await conn.fetchval(
            """
            SELECT count(*) FROM balances b
            FULL JOIN (SELECT partner_id, account, currency, sum(amount) AS s FROM postings GROUP BY 1, 2, 3) p
              USING (partner_id, account, currency)
            WHERE b.balance IS DISTINCT FROM p.s
            """
        )
        entries = await conn.fetchval("SELECT count(*) FROM journal_entries")
        postings = await conn.fetchval("SELECT count(*) FROM postings")
        consumed = await conn.fetchval("SELECT count(*) FROM consumed_events")
    finally:
        await conn.close()
    ok = dead == 0 and unbalanced == 0 and mismatched == 0
    return {
        "entries": entries,
        "postings": postings,
        "consumed_events": consumed,
        "dead_letters": dead,
        "unbalanced_entries": unbalanced,
        "balances_not_matching_postings": mismatched,
        "checks": "passed" if ok else "FAILED",
    }


async def _first_events(source_url: str, partners: int, count: int) -> tuple[list[Row], list[Row]]:
    """The enrolments and the first ``count`` deal events of the stream our projection consumed."""
    conn = await asyncpg.connect(sync_url(source_url))
    try:
        rows = await conn.fetch(
            'SELECT topic, "partition", "offset", payload FROM consumed_events ORDER BY consumed_seq LIMIT $1',
            partners + count,
        )
    finally:
        await conn.close()
    records = [dict(r) for r in rows]
    enrolments = [r for r in records if b'"partner.enrolled"' in r["payload"]]
    deals = [r for r in records if b'"partner.enrolled"' not in r["payload"]][:count]
    return enrolments, deals


async def _baseline(run: Run, events: tuple[list[Row], list[Row]], group: str) -> float:
    """The naive ORM projection of the first deal events of the same stream."""
    enrolments, deals = events
    target = run.stack.database("ledger", "proj_naive")
    topic = "bench.naive.ledger"
    run.say(f"projection: naive ORM baseline on {len(deals):,} of the same events")
    await naive.project_naively(target, enrolments, group=group, topic=topic)
    seconds = await naive.project_naively(target, deals, group=group, topic=topic)
    run.stack.drop(target)
    return len(deals) / seconds


async def _peer(run: Run, source_url: str, events: tuple[list[Row], list[Row]]) -> float:
    """The eventsourcing library's idiomatic projection of the same first deal events."""
    from . import peer  # a benchmark-only dependency: imported only when the peer runs

    enrolments, deals = events
    target = run.stack.database("ledger", "proj_peer")
    run.say(f"projection: eventsourcing peer on {len(deals):,} of the same events")
    catalog = await peer.catalog_of(source_url, enrolments + deals)
    application = peer.application(target)
    await asyncio.to_thread(peer.project_with_peer, application, enrolments, catalog)
    seconds = await asyncio.to_thread(peer.project_with_peer, application, deals, catalog)
    stored = await asyncio.to_thread(peer.stored_events, application)
    partners = {decode(CloudEvent.from_json(r["payload"])).partner_id for r in enrolments + deals}
    heads = await asyncio.to_thread(peer.chain_heads, application, partners)
    run.stack.drop(target)
    if not heads:
        raise RuntimeError("the peer posted no entries: nothing to compare")
    differing = await _heads_differing(source_url, heads)
    if differing:
        raise RuntimeError(f"the peer's chain heads differ from our journal for {differing} partner streams")
    run.say(f"projection: peer stored {stored:,} domain events in {seconds:.2f}s; its chain heads match our journal")
    return len(deals) / seconds


async def _heads_differing(source_url: str, heads: dict[tuple[str, str], tuple[int, str]]) -> int:
    """How many of the peer's chain heads name an entry hash our journal does not have at that place."""
    conn = await asyncpg.connect(sync_url(source_url))
    try:
        rows = await conn.fetch(
            "SELECT partner_id, stream, sequence, entry_hash FROM journal_entries"
            " WHERE (partner_id, stream, sequence) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]))",
            [p for p, _ in heads],
            [s for _, s in heads],
            [h[0] for h in heads.values()],
        )
    finally:
        await conn.close()
    ours = {(r["partner_id"], r["stream"]): (r["sequence"], r["entry_hash"]) for r in rows}
    return sum(1 for key, head in heads.items() if ours.get(key) != head)


async def _ceiling(run: Run, source_url: str, events: int) -> float:
    target = run.stack.database("ledger", "proj_copy")
    run.say("projection: COPY ceiling of the same rows")
    seconds, counts = await ceiling.copy_rows(source_url, target)
    run.stack.drop(target)
    run.say(f"projection: COPY of {sum(counts.values()):,} rows in {seconds:.2f}s")
    return events / seconds
