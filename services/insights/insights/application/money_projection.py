"""The money read models' share of the projection: each consumed event's effect on the ROI facts,
the anomaly queue, the payout lines and the alerts. Events of other types change nothing here.

Idempotence comes from the consumer's inbox (an event id is applied once); rows keyed by their
natural id (entry, line, alert) are written once whatever a producer re-sends under a new id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from incentive_contracts.events import deal as d
from incentive_contracts.events import insights as ins
from incentive_contracts.events import ledger as led
from incentive_contracts.payload import EventPayload

from ..domain import anomalies
from ..domain.drift import drift_of
from ..domain.incentives import EntryFacts, Posting
from ..domain.quarters import quarter_of
from .money_ports import MoneyWriter, PayoutLine, StoredAlert, WonDeal

DEAL_EVENTS = (d.DealWon, d.DealReversed, d.DealFlagged, d.DealFlagCleared, d.DealFlagConfirmed)


@dataclass(frozen=True)
class MoneyEvent:
    event_id: str
    payload: EventPayload
    time: datetime  # the envelope's time


def kept_posting(account: str) -> bool:
    """Expense postings (ROI) and held postings (the anomaly queue); the rest is the ledger's."""
    parts = account.split(":")
    if account == "vendor:marketing:mdf_expense":
        return True
    if len(parts) == 3 and parts[0] == "program":
        return parts[2].endswith("_expense")
    return parts[0] == "partner" and parts[-1] in anomalies.HELD_PURPOSES


async def project_money(writer: MoneyWriter, events: Sequence[MoneyEvent]) -> None:
    for event in events:
        payload = event.payload
        if isinstance(payload, DEAL_EVENTS):
            await writer.record_deal_event(event.event_id, payload.deal_id, payload.partner_id, payload.event_type)
            await _deal_event(writer, payload)
        elif isinstance(payload, led.LedgerEntryPosted):
            await _entry(writer, payload, event.time)
        elif isinstance(payload, led.LedgerPayoutBatched | led.LedgerPayoutSettled | led.LedgerPayoutFailed):
            await _payout(writer, payload, event.time)
        elif isinstance(payload, ins.InsightsAlertRaised):
            await writer.record_alert(alert_of(payload))
        elif isinstance(payload, ins.InsightsAlertAcknowledged):
            await writer.acknowledge_alert(
                payload.alert_id, payload.acknowledged_by, payload.reason, payload.acknowledged_at
            )
    await writer.flush()


async def _deal_event(writer: MoneyWriter, event: EventPayload) -> None:
    if isinstance(event, d.DealWon):
        won = WonDeal(
            event.deal_id,
            event.partner_id,
            event.product_line,
            event.amount.currency,
            event.amount.amount,
            event.closed_on,
        )
        await writer.record_win(won)
    elif isinstance(event, d.DealReversed):
        await writer.record_reversal(event.deal_id, event.amount.amount)
    elif isinstance(event, d.DealFlagged):
        await _flag(
            writer,
            event.deal_id,
            event.partner_id,
            anomalies.Flagged(event.reason.value, event.detail, event.flagged_on),
        )
    elif isinstance(event, d.DealFlagCleared):
        decided = anomalies.Decided(event.reason.value, False, event.cleared_by, event.cleared_on, event.note)
        await _flag(writer, event.deal_id, event.partner_id, decided)
    elif isinstance(event, d.DealFlagConfirmed):
        decided = anomalies.Decided(event.reason.value, True, event.confirmed_by, event.confirmed_on, event.note)
        await _flag(writer, event.deal_id, event.partner_id, decided)
        await writer.mark_rejected(event.deal_id)


async def _flag(writer: MoneyWriter, deal_id: str, partner_id: str, event: anomalies.FlagEvent) -> None:
    flags = anomalies.apply(await writer.flags_of(deal_id), event)
    await writer.save_flags(deal_id, partner_id, flags)


async def _entry(writer: MoneyWriter, event: led.LedgerEntryPosted, time: datetime) -> None:
    postings = tuple(
        Posting(p.account, p.amount.currency, p.amount.amount) for p in event.postings if kept_posting(p.account)
    )
    if not postings:
        return
    entry = EntryFacts(
        event.entry_id, event.partner_id, event.kind, event.rule_id, event.caused_by, quarter_of(time.date()), postings
    )
    await writer.record_entry(entry, time)


async def _payout(
    writer: MoneyWriter,
    event: led.LedgerPayoutBatched | led.LedgerPayoutSettled | led.LedgerPayoutFailed,
    time: datetime,
) -> None:
    if isinstance(event, led.LedgerPayoutBatched):
        line = PayoutLine(
            line_id=event.line_id,
            batch_id=event.batch_id,
            partner_id=event.partner_id,
            currency=event.amount.currency,
            amount=event.amount.amount,
            cutoff=event.cutoff,
            batched_at=time,
            payee_reference=event.payee_reference,
            entries_covered=event.entries_covered,
            status="in_payment",
        )
        await writer.record_payout_line(line)
    elif isinstance(event, led.LedgerPayoutSettled):
        await writer.settle_payout_line(event.line_id, event.payment_reference, event.paid_at)
    else:
        await writer.fail_payout_line(event.line_id, event.reason, event.failed_at)


def alert_of(event: ins.InsightsAlertRaised) -> StoredAlert:
    partner = event.scope_id if event.scope == "partner" else None
    return StoredAlert(drift=drift_of(event.model_dump()), partner_id=partner, raised_at=event.raised_at)
