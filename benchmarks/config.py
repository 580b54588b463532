"""Benchmark sizes: the issue's sizes by default, scaled down with ``BENCH_SCALE`` or ``--scale``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ("ingest", "crm-sync", "bulk", "projection", "replay", "payout", "console")


@dataclass(frozen=True)
class Targets:
    ingest_per_second: float = 3000
    ingest_p99_ms: float = 50
    crm_sync_per_second: float = 5000  # offered on a schedule; crm-sync keeps up when its backlog does not grow
    bulk_deals_per_second: float = 30000
    # Issue 17's targets (round two): the projection also >= 0.6x the COPY ceiling of the same run.
    projection_events_per_second: float = 10000
    replay_events: int = 1_000_000
    replay_seconds: float = 60  # for replay_events (and `ledger verify --replayed` of them): the events/s it
    # implies is what a scaled replay is held to
    payout_seconds: float = 5
    projector_rss_mb: float = 300


CORES = os.cpu_count() or 1


@dataclass(frozen=True)
class Sizes:
    """Every size one run uses; ``scaled`` multiplies the counts (never below a useful minimum)."""

    ingest_seconds: float = 60
    ingest_connections: int = 32
    # The sustained load's connections: enough that the schedule, not the answers' latency, sets the rate.
    sustained_connections: int = 128
    ingest_partners: int = 200
    bulk_deals: int = 100_000
    bulk_batch: int = 5000
    bulk_clients: int = 2
    projection_events: int = 200_000  # deal events (registered, approved, won for each deal)
    projection_partners: int = 2000
    baseline_events: int = 5_000  # the naive ORM baseline runs on the first events of the same stream
    projectors: int = CORES  # ledger projector processes in one consumer group (partition-parallel)
    # registration crm-sync shard processes beside the ingest load (the service's default, one; BENCH_CRM_SYNC_SHARDS=2
    # runs two shards)
    crm_sync_shards: int = int(os.environ.get("BENCH_CRM_SYNC_SHARDS", 1))
    replay_workers: int = CORES  # `ledger replay --workers`
    replay_partners: int = 10_000
    replay_deals_per_partner: int = 100  # 10,000 x 100 won deals = 1,000,000 events, 1,000,000 rebate entries
    topic_partitions: int = 12
    console_partners: int = 10_000  # the console's API calls on a program of this many partners
    console_events: int = 1_000_000  # ... and this many events in its read models
    console_requests: int = 40  # each call this many times (p50, p95)

    def scaled(self, scale: float) -> Sizes:
        if scale == 1:
            return self

        def n(value: int, minimum: int) -> int:
            return max(minimum, int(value * scale))

        return Sizes(
            ingest_seconds=max(5.0, self.ingest_seconds * scale),
            ingest_connections=self.ingest_connections,
            sustained_connections=self.sustained_connections,
            ingest_partners=n(self.ingest_partners, 20),
            bulk_deals=n(self.bulk_deals, self.bulk_batch),
            bulk_batch=self.bulk_batch,
            bulk_clients=self.bulk_clients,
            projection_events=n(self.projection_events, 3000),
            projection_partners=n(self.projection_partners, 50),
            baseline_events=n(self.baseline_events, 500),
            replay_partners=n(self.replay_partners, 100),
            replay_deals_per_partner=self.replay_deals_per_partner,
            topic_partitions=self.topic_partitions,
            projectors=self.projectors,
            crm_sync_shards=self.crm_sync_shards,
            replay_workers=self.replay_workers,
            console_partners=n(self.console_partners, 100),
            console_events=n(self.console_events, 5000),
            console_requests=self.console_requests,
        )


def scale_from_env() -> float:
    return float(os.environ.get("BENCH_SCALE", "1"))
