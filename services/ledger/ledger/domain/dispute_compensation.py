"""governance.* events: a dispute resolved in the partner's favour posts its compensation.

One entry per dispute: the program's dispute compensation expense is debited and the partner's
rebates_payable credited, in the compensation's currency, on the partner's governance stream. Its id
derives from the dispute id (not the event id), so a replay or a re-delivery of the resolution
never posts it twice. A rejection, a resolution without compensation, and every other governance
event but a monetary benefit grant (governance_postings) change nothing in the ledger.
"""

from __future__ import annotations

from incentive_contracts.events.governance import GovernanceDisputeResolved

from . import accounts
from .errors import InvalidEvent, UnknownPartner
from .explanation import DisputeCompensationExplanation
from .journal import JournalEntry
from .money import fmt
from .outcome import EventMeta, Outcome, entry_id
from .program_credit import program_credit
from .state import PartnerLedger

KIND = "dispute_compensation"
RULE_ID = "ledger/governance.dispute_resolved"
RULE_VERSION = 1
IN_PARTNER_FAVOUR = "partner_favour"


def compensation_entry_id(dispute_id: str) -> str:
    """The one entry a dispute can post: derived from the dispute, whatever event carried it."""
    return entry_id(f"dispute:{dispute_id}", KIND)


class AlreadyCompensated(InvalidEvent):
    """A second event for a governance entry the journal holds already (a dispute compensated, a
    benefit granted): never posted twice."""


def on_dispute_resolved(partner: PartnerLedger, event: GovernanceDisputeResolved, meta: EventMeta) -> Outcome:
    """A compensation entry for a resolution in the partner's favour, or nothing."""
    if not _compensates(event):
        return Outcome(partner=partner)
    if not partner.enrolled:
        raise UnknownPartner(f"partner {event.partner_id} is not enrolled in the ledger")
    return Outcome(partner=partner, entries=[compensation(partner, event, meta)])


def _compensates(event: GovernanceDisputeResolved) -> bool:
    return event.outcome == IN_PARTNER_FAVOUR and event.compensation is not None and event.compensation.amount > 0


def compensation(partner: PartnerLedger, event: GovernanceDisputeResolved, meta: EventMeta) -> JournalEntry:
    """Program expense -> the partner's rebates_payable, explained by the dispute it settles."""
    money, program_id = event.compensation, partner.program_id
    if money is None or program_id is None:
        raise ValueError("a compensation needs an amount and an enrolled partner")
    currency, amount = money.currency, money.amount
    contested = f"{event.subject_kind} {event.subject_ref}"
    steps = (
        f"dispute {event.dispute_id} on {contested} resolved in the partner's favour "
        f"on {event.resolved_on} by {event.resolved_by}: {event.reason}",
        f"compensation {fmt(amount)} {currency} credited to rebates payable, "
        f"charged to program {program_id}'s dispute compensation expense",
    )
    return program_credit(
        partner,
        money,
        expense=accounts.DISPUTE_COMPENSATION_EXPENSE,
        entry_id=compensation_entry_id(event.dispute_id),
        kind=KIND,
        rule=(RULE_ID, RULE_VERSION),
        on=event.resolved_on,
        meta=meta,
        explanation=DisputeCompensationExplanation(
            event_type=event.event_type,
            dispute_id=event.dispute_id,
            subject_kind=event.subject_kind,
            subject_ref=event.subject_ref,
            reason=event.reason,
            resolved_on=event.resolved_on.isoformat(),
            resolved_by=event.resolved_by,
            currency=currency,
            amount=fmt(amount),
            summary=f"dispute {event.dispute_id} ({contested}) compensated: {fmt(amount)} {currency}",
            steps=steps,
        ),
    )
