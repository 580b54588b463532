"""Event builders for the insights integration tests: the payloads the other services publish."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from incentive_contracts.events import deal as d
from incentive_contracts.events import ledger as led
from incentive_contracts.events import mdf as m
from incentive_contracts.events.engagement import EngagementKind, EngagementRecorded
from incentive_contracts.events.partner import PartnerEnrolled, PartnerTierChanged, PartnerType
from incentive_contracts.money import Money


def usd(amount: str) -> Money:
    return Money(amount=amount, currency="USD")


def enrolled(pid: str, region: str, vertical: str | None, on: date, program: str = "core") -> PartnerEnrolled:
    return PartnerEnrolled(
        partner_id=pid, name=f"Partner {pid}", partner_type=PartnerType.RESELLER, region=region,
        vertical=vertical, program_id=program, enrolled_on=on,
    )  # fmt: skip


def tier(pid: str, name: str, on: date) -> PartnerTierChanged:
    return PartnerTierChanged(
        partner_id=pid, program_id="core", previous_tier=None, tier=name, effective_at=on, reason="review",
        rule_version=1,
    )  # fmt: skip


def registered(pid: str, deal_id: str, amount: str, on: date) -> d.DealRegistered:
    return d.DealRegistered(
        partner_id=pid, deal_id=deal_id, customer_name="Acme", product_line="core", expected_amount=usd(amount),
        expected_close=date(2026, 12, 31), registered_on=on,
    )  # fmt: skip


def approved(pid: str, deal_id: str, on: date) -> d.DealApproved:
    return d.DealApproved(partner_id=pid, deal_id=deal_id, approved_on=on, approved_by="auto")


def moved(pid: str, deal_id: str, frm: str, to: str, on: date) -> d.DealStageChanged:
    return d.DealStageChanged(
        partner_id=pid, deal_id=deal_id, from_stage=d.PipelineStage(frm), to_stage=d.PipelineStage(to),
        changed_at=datetime.combine(on, time(9), UTC), forecast_close=date(2026, 9, 30), source="api",
    )  # fmt: skip


def forecast(pid: str, deal_id: str, amount: str, on: date) -> d.DealForecastChanged:
    return d.DealForecastChanged(
        partner_id=pid, deal_id=deal_id, expected_amount=usd(amount), expected_close=date(2026, 9, 30),
        changed_at=datetime.combine(on, time(9), UTC),
    )  # fmt: skip


def won(pid: str, deal_id: str, amount: str, on: date) -> d.DealWon:
    return d.DealWon(
        partner_id=pid, deal_id=deal_id, product_line="core", amount=usd(amount), closed_on=on, registered=True
    )


def lost(pid: str, deal_id: str, on: date) -> d.DealLost:
    return d.DealLost(partner_id=pid, deal_id=deal_id, lost_on=on)


def expired(pid: str, deal_id: str, on: date) -> d.DealExpired:
    return d.DealExpired(
        partner_id=pid, deal_id=deal_id, expired_on=on, last_progress_on=on, stage=d.PipelineStage.APPROVED
    )


def rejected(pid: str, deal_id: str, on: date) -> d.DealRejected:
    return d.DealRejected(partner_id=pid, deal_id=deal_id, rejected_on=on, rejected_by="mgr", reason="duplicate")


def engagement(pid: str, eid: str, kind: str, on: date) -> EngagementRecorded:
    return EngagementRecorded(
        partner_id=pid, engagement_id=eid, kind=EngagementKind(kind), occurred_on=on, evidence_ref="doc"
    )


def mdf_request(pid: str, rid: str, amount: str, on: date) -> m.MdfRequestSubmitted:
    return m.MdfRequestSubmitted(
        partner_id=pid, request_id=rid, period="2026-Q1", activity_type="webinar", title="Webinar",
        planned_cost=usd(amount), requested_amount=usd(amount), partner_share="0.50", starts_on=on, ends_on=on,
        expected_results=m.ExpectedResults(), milestones=[], submitted_on=on, submitted_by="someone",
    )  # fmt: skip


def mdf_approved(pid: str, rid: str, asked: str, granted: str, on: date) -> m.MdfRequestApproved:
    return m.MdfRequestApproved(
        partner_id=pid, request_id=rid, period="2026-Q1", requested_amount=usd(asked), approved_amount=usd(granted),
        approved_on=on, approved_by="mgr", claim_deadline=date(2026, 6, 30),
    )  # fmt: skip


def disbursed(pid: str, did: str, rid: str, amount: str, on: date) -> m.MdfDisbursed:
    return m.MdfDisbursed(
        partner_id=pid, disbursement_id=did, request_id=rid, period="2026-Q1", milestone="proof",
        trigger="proof_approved", amount=usd(amount), disbursed_on=on,
    )  # fmt: skip


def results(pid: str, rid: str, spend: str, leads: int, on: date) -> m.MdfResultsReported:
    return m.MdfResultsReported(
        partner_id=pid, result_id=f"{rid}-{on}", request_id=rid, period="2026-Q1", activity_type="webinar",
        spend=usd(spend),
        results=m.CampaignResults(
            registrations=2 * leads, attendees=leads + 5, leads=leads, opportunities_influenced=1
        ),
        reported_on=on,
    )  # fmt: skip


def posted(pid: str, entry_id: str, rule_id: str) -> led.LedgerEntryPosted:
    return led.LedgerEntryPosted(
        partner_id=pid, entry_id=entry_id, caused_by="x", kind="rebate", rule_id=rule_id, rule_version=1,
        postings=[led.PostingLine(account="expense", amount=usd("1.00"))], entry_hash="h",
    )  # fmt: skip


def flag_confirmed(pid: str, deal_id: str, on: date) -> d.DealFlagConfirmed:
    return d.DealFlagConfirmed(
        partner_id=pid, deal_id=deal_id, reason=d.FlagReason.SELF_DEALING, confirmed_on=on, confirmed_by="reviewer",
        note="the customer is the partner",
    )  # fmt: skip
