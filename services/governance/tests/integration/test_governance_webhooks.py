"""Outbound webhooks: events from the broker are queued for the subscriptions that want them (never
another partner's), delivered signed to a real HTTP receiver, retried with backoff after a failure,
logged, and re-delivered on request."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
from fastapi import FastAPI, Request, Response
from governance.adapters.http_sender import HttpSender
from governance.bootstrap import bootstrap
from governance.config import GovernanceSettings
from governance.entrypoints.api import create_app
from governance.entrypoints.webhook_worker import WebhookWorker
from governance_api import GovernanceApi
from governance_kafka import fetch, publish, running_consumer, until
from incentive_contracts.events.governance import GovernanceBenefitGranted
from incentive_contracts.events.ledger import LedgerPayoutSettled
from incentive_contracts.money import Money
from servicekit.testing.client import app_client
from servicekit.testing.clock import SettableClock


def granted(partner_id: str) -> GovernanceBenefitGranted:
    return GovernanceBenefitGranted(
        partner_id=partner_id, benefit="certified_status", kind="non_monetary", effective_on=date(2026, 3, 30),
        rule_id="committed-partner", rules_version=1, window_from=date(2026, 1, 1), window_to=date(2026, 3, 30),
        inputs={"engagement_points": "21"}, minimum={"engagement_points": "20"},
    )  # fmt: skip


SETTLED = LedgerPayoutSettled(
    partner_id="p-2", batch_id="b-1", line_id="l-1", entry_id="je-9",
    amount=Money(amount=Decimal("10.00"), currency="USD"), payment_reference="SEPA-1",
    paid_at=datetime(2026, 3, 31, 9, tzinfo=UTC), registration_sequence=3,
)  # fmt: skip


class Receiver:
    """A partner's (or finance's) endpoint: checks the signature with each secret, fails when told to."""

    def __init__(self) -> None:
        self.secrets: dict[str, str] = {}
        self.received: list[tuple[str, str]] = []  # (path, event type)
        self.failing: set[str] = set()
        self.app = FastAPI()

        @self.app.post("/{hook}")
        async def hook(hook: str, request: Request) -> Response:
            body = await request.body()
            t, v1 = (part.split("=", 1)[1] for part in request.headers["X-Signature"].split(","))
            expected = hmac.new(self.secrets[hook].encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(expected, v1):
                return Response(status_code=401)
            if hook in self.failing:
                self.failing.discard(hook)
                return Response(status_code=503)
            self.received.append((hook, request.headers["X-Event-Type"]))
            return Response(status_code=204)


async def subscribe_all(api: GovernanceApi, receiver: Receiver) -> None:
    """Partners p-1 and p-2 to their benefit grants, finance to grants and settled payouts."""
    benefit = ["governance.benefit_granted"]
    for hook, partner, who, types in (
        ("p1", "p-1", api.partner("p-1"), benefit),
        ("p2", "p-2", api.partner("p-2"), benefit),
        ("finance", None, api.manager, [*benefit, "ledger.payout_settled"]),
    ):
        body = {"subscription_id": f"sub-{hook}", "partner_id": partner, "url": f"http://receiver/{hook}",
                "event_types": types}  # fmt: skip
        receiver.secrets[hook] = (await api.ok("POST", "/subscriptions", body, who))["secret"]
    refused = await api.write("POST", "/subscriptions", {**body, "subscription_id": "x", "event_types": ["deal.won"]})
    assert refused.status_code == 422


async def test_deliveries_reach_only_their_partner_signed_and_retried(kafka_settings: GovernanceSettings) -> None:
    clock = SettableClock(date(2026, 4, 1))
    receiver = Receiver()
    async with app_client(create_app(kafka_settings, clock=clock)) as client:
        api = GovernanceApi(client, kafka_settings)
        await subscribe_all(api, receiver)

        await publish(kafka_settings, "/governance", [(granted("p-1"), date(2026, 3, 30))])
        await publish(kafka_settings, "/ledger", [(SETTLED, date(2026, 3, 31))])
        async with running_consumer(kafka_settings, "gov-hooks") as consumer:

            async def both() -> bool:
                return consumer.applied == 2

            await until(both)
        queued = await fetch(kafka_settings, "SELECT subscription_id, event_type FROM webhook_deliveries ORDER BY 1, 2")
        assert [tuple(r) for r in queued] == [
            ("sub-finance", "governance.benefit_granted"),
            ("sub-finance", "ledger.payout_settled"),
            ("sub-p1", "governance.benefit_granted"),  # p-2's subscription never gets p-1's event
        ]

        receiver.failing.add("p1")
        container = bootstrap(kafka_settings, clock=clock)
        transport = httpx.ASGITransport(app=receiver.app)
        async with httpx.AsyncClient(transport=transport) as http:
            worker = WebhookWorker(container, HttpSender(http))
            assert await worker.run_once() == 2
            log = await api.get("/subscriptions/sub-p1/deliveries", api.partner("p-1"))
            first = log["items"][0]
            assert (first["status"], first["attempts"], first["last_status_code"]) == ("pending", 1, 503)
            assert first["next_attempt_at"] == (clock.now() + timedelta(seconds=30)).isoformat().replace("+00:00", "Z")
            assert await worker.run_once() == 0  # not due yet
            clock.set(date(2026, 4, 2))
            assert await worker.run_once() == 1
            await container.runtime.close()
        assert sorted(receiver.received) == [
            ("finance", "governance.benefit_granted"),
            ("finance", "ledger.payout_settled"),
            ("p1", "governance.benefit_granted"),
        ]
        delivered = (await api.get("/subscriptions/sub-p1/deliveries", api.partner("p-1")))["items"][0]
        assert (delivered["status"], delivered["attempts"]) == ("delivered", 2)

        other = api.partner("p-2")
        assert (await client.get("/subscriptions/sub-p1/deliveries", headers=other)).status_code == 404
        again = await api.write("POST", f"/deliveries/{delivered['delivery_id']}/redeliver", {}, other)
        assert again.status_code == 404
        redone = await api.ok("POST", f"/deliveries/{delivered['delivery_id']}/redeliver", {}, api.partner("p-1"))
        assert redone["status"] == "pending"
        own = await api.get("/subscriptions", other)
        assert [s["subscription_id"] for s in own["items"]] == ["sub-p2"]
        assert "secret" not in own["items"][0]
