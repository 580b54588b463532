"""Builders for domain commands and states used by the unit tests (plain data, no I/O)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from incentive_contracts.events.mdf import CampaignResults, ExpectedResults, ProofItem
from incentive_contracts.money import Money
from incentive_contracts.payload import EventPayload
from mdf.domain.claim import Claim, SubmitClaim, decide_submit_claim, evolve_claim
from mdf.domain.milestones import MilestonePlan
from mdf.domain.policy import MdfPolicy
from mdf.domain.request import (
    ApproveRequest,
    MdfRequest,
    SubmitRequest,
    decide_approve,
    decide_submit,
    evolve_request,
)

POLICY = MdfPolicy.build()
PLAN_AND_PROOF = (
    MilestonePlan("plan", "plan_approved", Decimal(50)),
    MilestonePlan("proof", "proof_approved", Decimal(50)),
)
HASH = "ab" * 32


def eur(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="EUR")


def submit_command(**changes: object) -> SubmitRequest:
    command = SubmitRequest(
        request_id="r1",
        partner_id="p1",
        period="2026-Q2",
        activity_type="webinar",
        title="Spring webinar",
        planned_cost=eur("10000.00"),
        requested_amount=eur("5000.00"),
        starts_on=date(2026, 5, 4),
        ends_on=date(2026, 5, 8),
        expected=ExpectedResults(registrations=300, leads=40),
        milestones=None,
        submitted_on=date(2026, 4, 10),
        submitted_by="p1:user",
    )
    return replace(command, **changes)  # type: ignore[arg-type]


def fold(state: MdfRequest | None, events: list[EventPayload]) -> MdfRequest:
    for event in events:
        state = evolve_request(state, event)
    assert state is not None
    return state


def submitted(**changes: object) -> MdfRequest:
    command = submit_command(**changes)
    events = decide_submit(None, command, available=Decimal("1000000"), tier="gold", closed=False, policy=POLICY)
    return fold(None, events)


def approved(amount: str | None = None, **changes: object) -> MdfRequest:
    state = submitted(**changes)
    command = ApproveRequest(state.request_id, eur(amount) if amount else None, date(2026, 4, 12), "manager")
    return fold(state, decide_approve(state, command, available=Decimal("1000000"), closed=False, policy=POLICY))


def claim_command(**changes: object) -> SubmitClaim:
    command = SubmitClaim(
        claim_id="c1",
        request_id="r1",
        claimed_amount=eur("5000.00"),
        actual_cost=eur("10000.00"),
        invoice_ref="INV-1",
        proof=(ProofItem(reference="s3://proof/attendance.csv", content_hash=HASH),),
        results=CampaignResults(registrations=320, attendees=150, leads=45, opportunities_influenced=3),
        submitted_on=date(2026, 5, 20),
        submitted_by="p1:user",
    )
    return replace(command, **changes)  # type: ignore[arg-type]


def claimed(request: MdfRequest, **changes: object) -> tuple[Claim, MdfRequest]:
    events = decide_submit_claim(None, request, claim_command(**changes), policy=POLICY)
    claim = evolve_claim(None, events[0])
    assert claim is not None
    return claim, fold(request, events)
