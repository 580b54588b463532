"""The console's main API calls on a big program: p50/p95 of each insights call the console's pages make,
against one ``insights api`` process whose read models hold 10,000 partners and 1,000,000 events.

The read models are filled by the consumer's own projection code (``project`` and ``project_money``,
what ``insights consume`` runs for each batch) straight from generated events, in batches of 5,000, so
the fill does not wait for a broker; the calls then go to a real API process over HTTP, one at a time
(the latency a user waits for), each repeated ``console_requests`` times with varied partners.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import httpx
from incentive_contracts.events.deal import DealFlagged, DealLost, DealStageChanged, FlagReason
from incentive_contracts.events.ledger import LedgerEntryPosted, PostingLine
from incentive_contracts.money import Money
from incentive_contracts.payload import EventPayload
from insights.adapters.money_store import SqlMoneyWriter
from insights.adapters.read_models import SqlReadModels
from insights.application.money_projection import MoneyEvent, project_money
from insights.application.projection import Consumed, project
from insights.config import InsightsSettings
from servicekit.auth import mint_token
from servicekit.db import create_engine
from servicekit.embedded import free_port
from servicekit.settings import DEV_TOKEN_SECRET

from .events import deal_events, enrolment, event_time, partner_id
from .processes import service, settings_env
from .report import ScenarioResult
from .run import Run

BATCH = 5000


def _lifecycle(partner: int, deal: int) -> list[EventPayload]:
    """A deal's events: registered, approved, a stage, then won (with its rebate entry), lost, or still open;
    one deal in 97 is flagged at the win (the anomaly queue)."""
    registered, approved, won = deal_events(partner, deal)
    pid, deal_id = won.partner_id, won.deal_id  # type: ignore[attr-defined]
    stage = DealStageChanged(partner_id=pid, deal_id=deal_id, from_stage="approved", to_stage="qualified",
                             changed_at=datetime(2025, 1, 20, 10, tzinfo=UTC), forecast_close=won.closed_on,  # type: ignore[attr-defined]
                             source="api")  # fmt: skip
    fate = (partner + deal) % 4
    if fate == 0:
        return [registered, approved, stage]
    if fate == 1:
        lost_on = won.closed_on  # type: ignore[attr-defined]
        lost = DealLost(partner_id=pid, deal_id=deal_id, lost_on=lost_on, reason="price")
        return [registered, approved, stage, lost]
    amount: Money = won.amount  # type: ignore[attr-defined]
    rebate = Money(amount=(amount.amount * Decimal("0.05")).quantize(Decimal("0.01")), currency=amount.currency)
    account = "rebates_held" if deal % 97 == 0 else "rebates_payable"
    entry = LedgerEntryPosted(
        partner_id=pid, entry_id=f"e-{deal_id}", caused_by=f"won-{deal_id}", kind="rebate",
        postings=[PostingLine(account="program:default:rebate_expense", amount=rebate),
                  PostingLine(account=f"partner:{pid}:{account}", amount=Money(amount=-rebate.amount,
                                                                               currency=rebate.currency))],
        rule_id="default/rebate", rule_version=0, entry_hash="0" * 64,
    )  # fmt: skip
    flagged = []
    if deal % 97 == 0:
        closed_on = won.closed_on  # type: ignore[attr-defined]
        flagged = [DealFlagged(partner_id=pid, deal_id=deal_id, reason=FlagReason.REGISTERED_NEAR_CLOSE,
                               detail="registered days before the close", flagged_on=closed_on)]  # fmt: skip
    return [registered, approved, stage, *flagged, won, entry]


def program(partners: int, events: int) -> Iterator[tuple[str, EventPayload]]:
    """(event id, payload): every enrolment, then deals round-robin over the partners until ``events``."""
    for index in range(partners):
        yield f"enrol-{index}", enrolment(index)
    sent, deal = partners, 0
    while sent < events:
        for partner in range(partners):
            for payload in _lifecycle(partner, deal):
                if sent >= events:
                    return
                deal_id = getattr(payload, "deal_id", "")
                won = payload.event_type == "deal.won"  # its rebate entry names it as the cause
                yield (f"won-{deal_id}" if won else f"{payload.event_type}-{deal_id}-{sent}"), payload
                sent += 1
        deal += 1


async def fill(url: str, partners: int, events: int) -> float:
    """Project the generated program into a fresh insights database; seconds taken."""
    engine = create_engine(url)
    started = time.perf_counter()
    batch: list[tuple[str, EventPayload]] = []
    try:
        for item in program(partners, events):
            batch.append(item)
            if len(batch) == BATCH:
                await _apply(engine, batch)
                batch = []
        if batch:
            await _apply(engine, batch)
    finally:
        await engine.dispose()
    return time.perf_counter() - started


async def _apply(engine: object, batch: list[tuple[str, EventPayload]]) -> None:
    async with engine.begin() as conn:  # type: ignore[attr-defined]
        consumed = [Consumed(payload, event_time(payload)) for _, payload in batch]
        await project(SqlReadModels(conn), consumed)
        await project_money(SqlMoneyWriter(conn), [MoneyEvent(i, p, event_time(p)) for i, p in batch])


def calls(partners: int, n: int) -> dict[str, list[str]]:
    """The console's main calls, each ``n`` times (partner-specific ones spread over the book)."""
    step = max(1, partners // n)
    some = [partner_id((k * step) % partners) for k in range(n)]
    return {
        "overview: GET /indicators": ["/indicators?granularity=quarter&since=2025-01-01&until=2025-12-31"] * n,
        "overview: GET /anomalies": ["/anomalies?status=open&limit=200"] * n,
        "partners: GET /partners": ["/partners?limit=50"] * n,
        "partner: GET /indicators (partner)": [
            f"/indicators?dimension=partner&value={p}&since=2025-01-01&until=2025-12-31" for p in some],
        "partner: GET /partners/{id}/pipeline": [f"/partners/{p}/pipeline?limit=200" for p in some],
        "cohorts: GET /cohorts?by=tier": ["/cohorts?by=tier&period=2025-Q3"] * n,
        "cohorts: GET /cohorts?by=region": ["/cohorts?by=region&period=2025-Q3"] * n,
        "roi: GET /roi": ["/roi?currency=USD&limit=500"] * n,
        "finance: GET /finance/payout-batches": ["/finance/payout-batches?limit=50"] * n,
    }  # fmt: skip


def measure(base: str, token: str, partners: int, n: int) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
        for name, paths in calls(partners, n).items():
            timings, statuses = [], set()
            for path in [paths[0], *paths]:  # the first warms the connection and the plan cache
                started = time.perf_counter()
                try:
                    status = client.get(path).status_code
                except httpx.HTTPError:  # the process dropped the connection: reported, the next call goes on
                    status = 599
                timings.append((time.perf_counter() - started) * 1000)
                statuses.add(status)
            timings = timings[1:]
            timings.sort()
            out[name] = {"p50": statistics.median(timings), "p95": timings[max(0, int(len(timings) * 0.95) - 1)],
                         "max": timings[-1], "statuses": float(max(statuses))}  # fmt: skip
    return out


def run_console(run: Run) -> ScenarioResult:
    sizes = run.sizes
    partners, events = sizes.console_partners, sizes.console_events
    url = run.stack.database("insights", "console")
    run.say(f"console: projecting {events:,} events of {partners:,} partners into the insights read models")
    seconds = asyncio.run(fill(url, partners, events))
    run.say(f"console: filled in {seconds:.0f} s ({events / seconds:,.0f} events/s)")
    settings = InsightsSettings(environment="development", database_url=url, log_level="WARNING",
                                kafka_bootstrap_servers=run.stack.bootstrap, topic_prefix=run.prefix())  # fmt: skip
    port = free_port()
    api = service("insights api (console)", "insights", ["api", "--host", "127.0.0.1", "--port", str(port)],
                  settings_env(settings, "INSIGHTS_"), run.logdir)  # fmt: skip
    api.start()
    base = f"http://127.0.0.1:{port}"
    token = mint_token(DEV_TOKEN_SECRET, subject="console-bench", scopes=["insights:read", "finance:read"])
    result = ScenarioResult("console")
    try:
        _wait_ready(base)
        figures = measure(base, token, partners, sizes.console_requests)
        api.sample_peak()
    finally:
        api.stop()
    result.peak_rss_mb = {api.name: api.peak_mb}
    for name, f in figures.items():
        result.metric(f"{name} p95", f["p95"], "ms", target=200, higher_is_better=False)
    result.details.update(partners=partners, events=events, fill_seconds=seconds, calls=figures)
    bad = [f"{n} ({f['statuses']:.0f})" for n, f in figures.items() if f["statuses"] >= 400]
    result.notes.append(
        f"{partners:,} partners, {events:,} events projected in {seconds:.0f} s; each call {sizes.console_requests}x "
        f"one at a time against one insights api process" + (f"; NOT 2xx: {', '.join(bad)}" if bad else "")
    )
    return result


def _wait_ready(base: str) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise TimeoutError("insights api not ready after 90 s")
