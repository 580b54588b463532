"""governance.* events in the ledger: which ones post, and the guard that none posts twice.

A dispute resolved in the partner's favour posts its compensation (dispute_compensation); a monetary
commitment benefit grant posts the benefit (commitment_benefits). Both entries take their ids from
their cause, not the event id; every other governance event (plans, revocations, audits, proposals)
changes nothing here.
"""

from __future__ import annotations

from collections.abc import Iterable

from incentive_contracts.events.governance import GovernanceBenefitGranted, GovernanceDisputeResolved
from incentive_contracts.payload import EventPayload

from .commitment_benefits import benefit_entry_id, on_benefit_granted
from .dispute_compensation import AlreadyCompensated, compensation_entry_id, on_dispute_resolved
from .journal import JournalEntry
from .outcome import EventMeta, Outcome
from .state import GOVERNANCE_STREAM, PartnerLedger


def on_governance(partner: PartnerLedger, event: EventPayload, meta: EventMeta) -> Outcome:
    """The ledger's reading of a governance event: a compensation or benefit entry, or nothing."""
    if isinstance(event, GovernanceDisputeResolved):
        return on_dispute_resolved(partner, event, meta)
    if isinstance(event, GovernanceBenefitGranted):
        return on_benefit_granted(partner, event, meta)
    return Outcome(partner=partner)


def keyed_entry_ids(events: Iterable[EventPayload]) -> list[str]:
    """The entry ids these events could post that derive from their cause, not from the event id."""
    ids: list[str] = []
    for event in events:
        if isinstance(event, GovernanceDisputeResolved):
            ids.append(compensation_entry_id(event.dispute_id))
        elif isinstance(event, GovernanceBenefitGranted):
            ids.append(benefit_entry_id(event))
    return ids


def refuse_repeats(entries: Iterable[JournalEntry], posted: set[str]) -> None:
    """Raise AlreadyCompensated if an entry's id is already posted; else count these entries as posted."""
    fresh = [e.entry_id for e in entries if e.stream == GOVERNANCE_STREAM]
    repeated = [entry_id for entry_id in fresh if entry_id in posted]
    if repeated:
        raise AlreadyCompensated(f"the governance entry is already posted as entry {repeated[0]}")
    posted.update(fresh)
