"""The projection's fold on an in-memory store: what each event changes, in order, within a batch."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import insights_events as ev
from insights.application.ports import ReadModelRows, Referenced
from insights.application.projection import Consumed, project
from insights.domain.indicators import Facts
from insights.domain.monthly import (
    Key,
    add,
    change,
    deal_contributions,
    engagement_contributions,
    request_contributions,
    result_contributions,
    spend_contributions,
)
from insights_builders import deal

AT = datetime(2026, 1, 1, tzinfo=UTC)
D = date


class MemoryStore:
    def __init__(self) -> None:
        self.rows = ReadModelRows()
        self.changes = 0

    async def note_change(self) -> None:
        self.changes += 1

    async def load(self, referenced: Referenced) -> ReadModelRows:
        return ReadModelRows(
            partners={k: v for k, v in self.rows.partners.items() if k in referenced.partner_ids},
            deals={k: v for k, v in self.rows.deals.items() if k in referenced.deal_ids},
            requests={k: v for k, v in self.rows.requests.items() if k in referenced.request_ids},
            results={k: v for k, v in self.rows.results.items() if k in referenced.request_ids},
        )

    async def save(self, changed: ReadModelRows) -> None:
        for key, value in changed.monthly.items():
            self.rows.monthly[key] = self.rows.monthly.get(key, Decimal(0)) + value
        for name in ("partners", "deals", "requests", "results"):
            getattr(self.rows, name).update(getattr(changed, name))
        for name in ("stages", "engagements", "spend", "reward_programs"):
            stored = getattr(self.rows, name)
            for key, value in getattr(changed, name).items():
                stored.setdefault(key, value)


async def apply(store: MemoryStore, *payloads: object) -> list[int]:
    waiting = await project(store, [Consumed(p, AT) for p in payloads])  # type: ignore[arg-type]
    return [w.index for w in waiting]


async def test_a_batch_that_changed_the_read_models_counts_one_change() -> None:
    store = MemoryStore()
    # A tier change of a partner not known yet waits: nothing changed, the version stays.
    assert await apply(store, ev.tier("early", "gold", D(2026, 1, 2))) == [0]
    assert store.changes == 0
    await apply(store, ev.enrolled("p", "emea", None, D(2026, 1, 1)), ev.registered("p", "a", "100.00", D(2026, 1, 2)))
    assert store.changes == 1


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


BOOK = [
    ev.enrolled("p", "emea", None, D(2026, 1, 1)),
    ev.registered("p", "a", "100.00", D(2026, 1, 5)),
    ev.registered("p", "b", "300.00", D(2026, 1, 9)),
    ev.approved("p", "a", D(2026, 1, 6)),
    ev.approved("p", "b", D(2026, 1, 10)),
    ev.moved("p", "a", "approved", "qualified", D(2026, 2, 10)),
    ev.forecast("p", "b", "350.00", D(2026, 2, 11)),
    ev.won("p", "a", "120.00", D(2026, 3, 3)),
    ev.lost("p", "b", D(2026, 3, 4)),
    ev.engagement("p", "g", "certification", D(2026, 2, 1)),
    ev.mdf_request("p", "r", "100.00", D(2026, 1, 1)),
    ev.mdf_approved("p", "r", "100.00", "80.00", D(2026, 1, 2)),
    ev.results("p", "r", "40.00", 4, D(2026, 2, 1)),
    ev.results("p", "r", "80.00", 9, D(2026, 3, 1)),
    ev.disbursed("p", "s", "r", "80.00", D(2026, 1, 20)),
    ev.flag_confirmed("p", "a", D(2026, 4, 1)),
]


async def test_monthly_sums_do_not_depend_on_how_events_are_batched() -> None:
    one_by_one, all_at_once = MemoryStore(), MemoryStore()
    for payload in BOOK:
        await apply(one_by_one, payload)
    await apply(all_at_once, *BOOK)
    assert _nonzero(one_by_one.rows.monthly) == _nonzero(all_at_once.rows.monthly)
    rows = one_by_one.rows
    facts = Facts(list(rows.deals.values()), list(rows.requests.values()), list(rows.spend.values()),
                  list(rows.results.values()), list(rows.engagements.values()))  # fmt: skip
    recomputed = {k: v for k, v in _flat(facts).items() if v}
    assert {k: v for (_, k), v in _nonzero(rows.monthly).items()} == recomputed


def _nonzero(sums: dict[tuple[str, Key], Decimal]) -> dict[tuple[str, Key], Decimal]:
    return {k: v for k, v in sums.items() if v}


def _flat(facts: Facts) -> dict[Key, Decimal]:
    return add(
        {},
        [
            *(deal_contributions(d) for d in facts.deals),
            *(request_contributions(r) for r in facts.mdf_requests),
            *(spend_contributions(s) for s in facts.mdf_spend),
            *(result_contributions(r) for r in facts.mdf_results),
            *(engagement_contributions(e) for e in facts.engagements),
        ],
    )


def test_a_deals_pipeline_moves_with_its_stages() -> None:
    a = deal("a", D(2026, 1, 5), "100", stages={"approved": D(2026, 1, 6), "qualified": D(2026, 2, 10)},
             closed=("won", D(2026, 3, 3)), won="120")  # fmt: skip
    c = {k: v for k, v in deal_contributions(a).items() if k[2] in ("pipeline", "open") and v}
    jan, feb, mar = D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)
    # Jan: in at registered, on to approved the next day (registered nets to zero); Feb: approved ->
    # qualified; Mar: the win takes it out of the pipeline
    assert c == {
        ("USD", jan, "pipeline", "approved"): Decimal(100), ("USD", jan, "open", "approved"): 1,
        ("USD", feb, "pipeline", "approved"): Decimal(-100), ("USD", feb, "open", "approved"): -1,
        ("USD", feb, "pipeline", "qualified"): Decimal(100), ("USD", feb, "open", "qualified"): 1,
        ("USD", mar, "pipeline", "qualified"): Decimal(-100), ("USD", mar, "open", "qualified"): -1,
    }  # fmt: skip
    won = deal_contributions(a)
    assert (won[("USD", mar, "won", "")], won[("USD", mar, "won_revenue", "")]) == (1, Decimal(120))
    assert won[("USD", mar, "days", "57")] == 1  # Jan 5 to Mar 3
    assert change(won, won) == {}
