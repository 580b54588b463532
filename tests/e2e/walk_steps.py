"""The steps of the MDF money walk: each calls the real APIs and tells the model what was accepted.

The model decides money; the services decide everything else (eligibility, timing, stage rules).
A step the services refuse leaves the model as it was, with one exception that is the point of the
test: an approval above what the model holds as available must be refused.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from .money_model import ACCRUAL_RATE, Deal, MoneyModel, Request, cents, quarter
from .stack import Stack

CURRENCIES = ("USD", "EUR")
PROOF = [{"reference": "s3://proof/invoice.pdf", "content_hash": hashlib.sha256(b"proof").hexdigest()}]


def money(amount: Decimal, currency: str) -> dict[str, str]:
    return {"amount": f"{amount:.2f}", "currency": currency}


class WalkSteps:
    def __init__(self, stack: Stack, model: MoneyModel, rng: random.Random, headers: dict) -> None:
        self.stack, self.model, self.rng, self.headers = stack, model, rng, headers
        self.currency: dict[str, str] = {}
        self.counts: Counter[str] = Counter()
        self.serial = 0

    def _id(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}{self.serial}"

    @property
    def today(self) -> date:
        return self.stack.clock.today

    async def _post(self, service: str, path: str, body: dict, *, ok: bool | None = None) -> dict | None:
        client = getattr(self.stack, service)
        response = await client.post(path, json=body, headers=self.headers[service])
        assert response.status_code < 500, f"{path}: {response.status_code} {response.text}"
        if ok is True:
            assert response.status_code < 300, f"{path}: {response.status_code} {response.text}"
        if ok is False:
            assert response.status_code in (409, 422), f"{path} must be refused: {response.text}"
        return response.json() if response.status_code < 300 else None

    async def setup(self, partners: list[str], periods: list[str]) -> None:
        for n, partner_id in enumerate(partners):
            self.currency[partner_id] = CURRENCIES[n % len(CURRENCIES)]
            body = {
                "partner_id": partner_id,
                "name": f"Walk partner {n}",
                "partner_type": "reseller",
                "region": "EMEA",
                "domain": f"{partner_id}.example",
                "enrolled_on": (self.today - timedelta(days=60)).isoformat(),
            }
            await self._post("registration", "/partners", body, ok=True)
        for period in periods:
            for currency in CURRENCIES:
                response = await self.stack.mdf.put(
                    f"/budgets/{period}",
                    json={"amount": money(Decimal(10_000_000), currency)},
                    headers=self.headers["mdf"],
                )
                assert response.status_code < 300, response.text

    async def global_step(self) -> int:
        ended = sorted({p for (_, p, _) in self.model.funds if _end(p) < self.today} - self.model.closed)
        if ended and self.rng.random() < 0.3:
            period = ended[0]
            await self._post("mdf", f"/periods/{period}/close", {"as_of": self.today.isoformat()}, ok=True)
            self.model.close(period, self.today)
            self.counts["close"] += 1
            return 1
        self.stack.clock.today += timedelta(days=self.rng.randint(2, 12))
        self.counts["time"] += 1
        return 1

    async def round(self, partners: list[str]) -> int:
        await asyncio.gather(*(self.step(p) for p in partners))
        return len(partners)

    async def step(self, partner_id: str) -> None:
        choices = [
            (self.allocate, 3),
            (self.win, 4),
            (self.reverse, 2),
            (self.decide_flag, 2),
            (self.submit_request, 3),
            (self.decide_request, 3),
            (self.claim, 3),
            (self.decide_claim, 3),
        ]
        action = self.rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]
        await action(partner_id)

    async def allocate(self, partner_id: str) -> None:
        currency, period = self.currency[partner_id], quarter(self.today)
        amount = Decimal(self.rng.randint(50, 3000))
        body = {
            "allocation_id": self._id("a"),
            "partner_id": partner_id,
            "period": period,
            "amount": money(amount, currency),
        }
        if await self._post("mdf", "/allocations", body, ok=True):
            self.model.allocated(partner_id, period, currency, amount)
            self.counts["allocate"] += 1

    async def win(self, partner_id: str) -> None:
        currency, deal_id = self.currency[partner_id], self._id("deal")
        flagged = self.rng.random() < 0.3
        amount = Decimal(self.rng.randint(100_00, 1_500_000)) / 100
        body = {
            "deal_id": deal_id,
            "partner_id": partner_id,
            "customer_name": f"Customer {deal_id}",
            "customer_domain": f"{deal_id}.example",
            "product_line": "cloud",
            "expected_amount": money(amount, currency),
            "expected_close": (self.today + timedelta(days=45)).isoformat(),
            # a win two days after the registration is flagged registered_near_close; thirty days is not
            "registered_on": (self.today - timedelta(days=2 if flagged else 30)).isoformat(),
        }
        await self._post("registration", "/deals", body, ok=True)
        for stage in ("qualified", "proposal", "negotiation"):
            await self._post("registration", f"/deals/{deal_id}/stage", {"stage": stage}, ok=True)
        won = {"amount": money(amount, currency), "closed_on": self.today.isoformat()}
        deal = await self._post("registration", f"/deals/{deal_id}/won", won, ok=True)
        assert deal is not None
        open_flags = [f["reason"] for f in deal["flags"] if f["cleared_on"] is None]
        held = bool(open_flags)
        assert held == flagged, deal["flags"]
        self.model.won(Deal(deal_id, partner_id, currency, amount, self.today, cents(amount * ACCRUAL_RATE), held))
        self.counts["win_flagged" if held else "win"] += 1

    def _deals(self, partner_id: str, *, held: bool | None = None) -> list[Deal]:
        return [
            d
            for d in self.model.deals.values()
            if d.partner_id == partner_id and not d.settled and (held is None or d.held == held)
        ]

    async def reverse(self, partner_id: str) -> None:
        deals = self._deals(partner_id)
        if not deals:
            return await self.win(partner_id)
        deal = self.rng.choice(deals)
        body = {"kind": "cancelled", "reason": "customer cancelled"}
        await self._post("registration", f"/deals/{deal.deal_id}/reversal", body, ok=True)
        self.model.reversed(deal.deal_id, self.today)
        self.counts["reverse"] += 1

    async def decide_flag(self, partner_id: str) -> None:
        deals = self._deals(partner_id, held=True)
        if not deals:
            return await self.win(partner_id)
        deal, confirm = self.rng.choice(deals), self.rng.random() < 0.5
        path = f"/deals/{deal.deal_id}/flags/registered_near_close/{'confirm' if confirm else 'clear'}"
        await self._post("registration", path, {"note": "reviewed in the walk"}, ok=True)
        if confirm:
            self.model.confirmed(deal.deal_id)
        else:
            self.model.cleared(deal.deal_id)
        self.counts["confirm" if confirm else "clear"] += 1

    async def submit_request(self, partner_id: str) -> None:
        currency = self.currency[partner_id]
        starts = self.today + timedelta(days=self.rng.randint(1, 20))
        ends = starts + timedelta(days=self.rng.randint(0, 5))
        requested = Decimal(self.rng.randint(20, 2500))
        request_id = self._id("r")
        body = {
            "request_id": request_id,
            "partner_id": partner_id,
            "period": quarter(starts),
            "activity_type": "webinar",
            "title": "Walk webinar",
            "planned_cost": money(requested * 3, currency),
            "requested_amount": money(requested, currency),
            "starts_on": starts.isoformat(),
            "ends_on": ends.isoformat(),
        }
        if await self._post("mdf", "/requests", body):
            self.model.requests[request_id] = Request(
                request_id, partner_id, quarter(starts), currency, requested, starts, ends
            )
            self.counts["submit"] += 1

    def _requests(self, partner_id: str, status: str) -> list[Request]:
        return [r for r in self.model.requests.values() if r.partner_id == partner_id and r.status == status]

    async def decide_request(self, partner_id: str) -> None:
        submitted = self._requests(partner_id, "submitted")
        if not submitted:
            return await self.submit_request(partner_id)
        request = self.rng.choice(submitted)
        roll = self.rng.random()
        if roll < 0.15:
            if await self._post("mdf", f"/requests/{request.request_id}/reject", {"reason": "not this quarter"}):
                request.status = "rejected"
            return
        if roll < 0.25:
            if await self._post("mdf", f"/requests/{request.request_id}/cancel", {}):
                self.model.cancelled(request.request_id)
            return
        amount = request.requested if roll < 0.7 else cents(request.requested * Decimal("0.6"))
        available = self.model.fund(partner_id, request.period, request.currency).available
        over = amount > available
        path = f"/requests/{request.request_id}/approve"
        approved = await self._post(
            "mdf", path, {"amount": money(amount, request.currency)}, ok=False if over else None
        )
        if approved:
            self.model.approved(request.request_id, amount, date.fromisoformat(approved["claim_deadline"]))
            self.counts["approve"] += 1
        elif over:
            self.counts["approve_refused_over_available"] += 1

    async def claim(self, partner_id: str) -> None:
        ready = [r for r in self._requests(partner_id, "approved") if r.open_claim is None and r.ends_on < self.today]
        if not ready:
            return await self.cancel_approved(partner_id)
        request = self.rng.choice(ready)
        claimed = request.approved if self.rng.random() < 0.5 else cents(request.approved * Decimal("0.75"))
        claim_id = self._id("c")
        body = {
            "claim_id": claim_id,
            "claimed_amount": money(claimed, request.currency),
            "actual_cost": money(claimed * 3, request.currency),
            "invoice_ref": f"INV-{claim_id}",
            "proof": PROOF,
        }
        if await self._post("mdf", f"/requests/{request.request_id}/claims", body):
            request.open_claim = (claim_id, claimed)
            self.counts["claim"] += 1

    async def cancel_approved(self, partner_id: str) -> None:
        approved = [r for r in self._requests(partner_id, "approved") if r.open_claim is None]
        if approved and self.rng.random() < 0.3:
            request = self.rng.choice(approved)
            if await self._post("mdf", f"/requests/{request.request_id}/cancel", {}):
                self.model.cancelled(request.request_id)
                self.counts["cancel_approved"] += 1

    async def decide_claim(self, partner_id: str) -> None:
        open_claims = [r for r in self._requests(partner_id, "approved") if r.open_claim is not None]
        if not open_claims:
            return await self.claim(partner_id)
        request = self.rng.choice(open_claims)
        assert request.open_claim is not None
        claim_id, claimed = request.open_claim
        roll = self.rng.random()
        if roll < 0.2:
            if await self._post("mdf", f"/claims/{claim_id}/reject", {"reason": "proof unreadable"}, ok=True):
                request.open_claim = None
                self.counts["claim_rejected"] += 1
            return
        amount = claimed if roll < 0.6 else cents(claimed * Decimal("0.8"))
        await self._post("mdf", f"/claims/{claim_id}/approve", {"amount": money(amount, request.currency)}, ok=True)
        self.model.claim_approved(request.request_id, amount)
        self.counts["claim_partial" if amount < request.approved else "claim_full"] += 1


def _end(period: str) -> date:
    year, q = int(period[:4]), int(period[-1])
    return date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - timedelta(days=1)
