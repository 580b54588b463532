"""The projection's fold on an in-memory store: what each event changes, in order, within a batch."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import insights_events as ev
from insights.application.ports import ReadModelRows, Referenced
from insights.application.projection import Consumed, project

AT = datetime(2026, 1, 1, tzinfo=UTC)
D = date


class MemoryStore:
    def __init__(self) -> None:
        self.rows = ReadModelRows()

    async def load(self, referenced: Referenced) -> ReadModelRows:
        return ReadModelRows(
            partners={k: v for k, v in self.rows.partners.items() if k in referenced.partner_ids},
            deals={k: v for k, v in self.rows.deals.items() if k in referenced.deal_ids},
            requests={k: v for k, v in self.rows.requests.items() if k in referenced.request_ids},
            results={k: v for k, v in self.rows.results.items() if k in referenced.request_ids},
        )

    async def save(self, changed: ReadModelRows) -> None:
        for name in ("partners", "deals", "requests", "results"):
            getattr(self.rows, name).update(getattr(changed, name))
        for name in ("stages", "engagements", "spend", "reward_programs"):
            stored = getattr(self.rows, name)
            for key, value in getattr(changed, name).items():
                stored.setdefault(key, value)


async def apply(store: MemoryStore, *payloads: object) -> list[int]:
    waiting = await project(store, [Consumed(p, AT) for p in payloads])  # type: ignore[arg-type]
    return [w.index for w in waiting]


async def test_a_deal_through_its_stages_across_batches() -> None:
    store = MemoryStore()
    await apply(store, ev.enrolled("p", "emea", None, D(2026, 1, 1)), ev.registered("p", "a", "100.00", D(2026, 1, 2)))
    await apply(
        store,
        ev.approved("p", "a", D(2026, 1, 3)),
        ev.moved("p", "a", "approved", "qualified", D(2026, 1, 5)),
        ev.moved("p", "a", "qualified", "approved", D(2026, 1, 6)),  # back and forth: the first day is kept
        ev.moved("p", "a", "approved", "qualified", D(2026, 1, 7)),
        ev.forecast("p", "a", "150.00", D(2026, 1, 8)),
    )
    await apply(store, ev.won("p", "a", "160.00", D(2026, 2, 1)), ev.lost("p", "a", D(2026, 2, 2)))  # closed: stays won
    deal = store.rows.deals["a"]
    assert (deal.stage, deal.expected_amount, deal.won_amount, deal.closed_on) == (
        "won", Decimal("150.00"), Decimal("160.00"), D(2026, 2, 1),
    )  # fmt: skip
    assert {s: day for (_, s), day in store.rows.stages.items()} == {
        "registered": D(2026, 1, 2), "approved": D(2026, 1, 3), "qualified": D(2026, 1, 5), "won": D(2026, 2, 1),
    }  # fmt: skip
    await apply(store, ev.flag_confirmed("p", "a", D(2026, 3, 1)))
    assert (store.rows.deals["a"].stage, store.rows.deals["a"].closed_on) == ("rejected", D(2026, 3, 1))


async def test_a_tier_waits_for_its_partner_and_unknown_subjects_change_nothing() -> None:
    store = MemoryStore()
    assert await apply(store, ev.tier("p", "gold", D(2026, 1, 1)), ev.approved("p", "nope", D(2026, 1, 1))) == [0]
    assert store.rows.partners == {} and store.rows.deals == {} and store.rows.stages == {}  # noqa: PT018
    assert (
        await apply(store, ev.enrolled("p", "emea", "health", D(2026, 1, 1)), ev.tier("p", "gold", D(2026, 2, 1))) == []
    )
    partner = store.rows.partners["p"]
    assert (partner.tier, partner.tier_since, partner.vertical) == ("gold", D(2026, 2, 1), "health")
    await apply(store, ev.enrolled("p", "amer", None, D(2026, 1, 1)))  # re-enrolment keeps the tier
    assert replace(store.rows.partners["p"]) == replace(partner, region="amer", vertical=None)


async def test_mdf_results_keep_the_latest_report_and_rewards_name_their_program() -> None:
    store = MemoryStore()
    await apply(
        store,
        ev.mdf_request("p", "r", "100.00", D(2026, 1, 1)),
        ev.mdf_approved("p", "r", "100.00", "80.00", D(2026, 1, 2)),
        ev.results("p", "r", "80.00", 9, D(2026, 3, 1)),
        ev.results("p", "r", "40.00", 4, D(2026, 2, 1)),  # an older report arriving late
        ev.disbursed("p", "s", "r", "80.00", D(2026, 1, 20)),
        ev.posted("p", "e1", "core-pilot/spiff"),
        ev.posted("p", "e2", "ledger/payouts"),
    )
    assert (store.rows.requests["r"].status, store.rows.requests["r"].approved_amount) == ("approved", Decimal("80.00"))
    assert (store.rows.results["r"].leads, store.rows.results["r"].spend) == (9, Decimal("80.00"))
    assert list(store.rows.spend) == ["s"]
    assert list(store.rows.reward_programs) == [("p", "core-pilot")]
