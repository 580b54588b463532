"""Two projector processes in one consumer group; one is killed mid-load; the survivor takes over
its partitions and every event is applied exactly once."""

from __future__ import annotations

import asyncio
from decimal import ROUND_HALF_EVEN, Decimal

import asyncpg
import orjson
import pytest
from incentive_contracts import topics
from servicekit.db import sync_url

from .outbox_events import enrolled, won, write_to_outbox
from .processes import ServiceProcess, settings_env
from .workers import eventually, relay_task

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("crash")]

PARTNERS = 24
ROUNDS = 60


def amount(partner: int, deal: int) -> Decimal:
    return Decimal(f"{500 + partner * 3 + deal}.{(partner + deal * 7) % 100:02d}")


def assignments(log_text: str, topic: str) -> list[set[int]]:
    """Every partition assignment of the registration topic one projector logged, in order."""
    seen = []
    for line in log_text.splitlines():
        if '"partitions assigned"' in line:
            entry = orjson.loads(line)
            seen.append({int(p.rsplit(":", 1)[1]) for p in entry["partitions"] if p.rsplit(":", 1)[0] == topic})
    return seen


async def test_survivor_takes_over_partitions_of_a_killed_replica(registration_settings, ledger_settings, tmp_path):
    # 6 s, not the tests' 2 s: the embedded broker forms a group's first generation from the members
    # that join within half the session timeout, and both projectors must be in it (one that started
    # a second later would first own every partition alone).
    ledger_settings = ledger_settings.model_copy(update={"kafka_session_timeout_ms": 6000, "topic_partitions": 4})
    registration_settings = registration_settings.model_copy(update={"topic_partitions": 4})
    env = settings_env(ledger_settings, "LEDGER_")
    first = ServiceProcess(["ledger", "projector"], env, tmp_path / "first.log")
    second = ServiceProcess(["ledger", "projector"], env, tmp_path / "second.log")
    topic = topics.prefixed(topics.REGISTRATION, ledger_settings.topic_prefix)
    sent: list[str] = []
    ledger = await asyncpg.connect(sync_url(ledger_settings.database_url))
    try:
        async with relay_task(registration_settings, "registration"):
            sent += await write_to_outbox(registration_settings, [enrolled(f"p{p}") for p in range(PARTNERS)])
            first.start()
            second.start()

            async def both_assigned():
                logs = [assignments(p.log.read_text(), topic) for p in (first, second)]
                return all(a and a[-1] for a in logs) and logs

            split = await eventually(both_assigned, timeout=60)
            assert split[0][-1].isdisjoint(split[1][-1]), "two members of one group never share a partition"
            assert split[0][-1] | split[1][-1] == {0, 1, 2, 3}

            for d in range(ROUNDS):
                sent += await write_to_outbox(
                    registration_settings, [won(f"p{p}", f"p{p}-d{d}", amount(p, d)) for p in range(PARTNERS)]
                )
                if d == ROUNDS // 3:
                    first.kill()  # mid-load, no goodbye to the group
                await asyncio.sleep(0.05)

            async def all_applied():
                return await ledger.fetchval("SELECT count(*) FROM consumed_events") >= len(sent)

            await eventually(all_applied, timeout=120, interval=0.25)
            await asyncio.sleep(1.5)

        survivor = assignments(second.log.read_text(), topic)
        assert survivor[-1] == {0, 1, 2, 3}, f"the survivor owns every partition at the end: {survivor}"
        assert len(survivor[0]) < 4, "the survivor started with only its share"

        ids = [r["event_id"] for r in await ledger.fetch("SELECT event_id::text FROM consumed_events")]
        assert sorted(ids) == sorted(sent)
        rebates = await ledger.fetch(
            "SELECT caused_by, count(*) AS n FROM journal_entries WHERE kind = 'rebate' GROUP BY 1"
        )
        assert len(rebates) == PARTNERS * ROUNDS
        assert {r["n"] for r in rebates} == {1}
        # Default program, tier "registered": 5 % of each won amount, half-even to the cent.
        for p in range(PARTNERS):
            expected = sum(
                (amount(p, d) * Decimal("0.05")).quantize(Decimal("0.01"), ROUND_HALF_EVEN) for d in range(ROUNDS)
            )
            owed = await ledger.fetchval(
                "SELECT -balance FROM balances WHERE partner_id = $1 AND account = $2",
                f"p{p}",
                f"partner:p{p}:rebates_payable",
            )
            assert owed == expected, f"partner p{p}"
        zero = await ledger.fetch("SELECT currency, sum(amount) AS s FROM postings GROUP BY 1")
        assert [(r["currency"], r["s"]) for r in zero] == [("USD", 0)]
    finally:
        await ledger.close()
        first.stop()
        second.stop()
