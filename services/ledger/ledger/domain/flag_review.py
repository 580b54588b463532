"""deal.flag_confirmed: a reviewer confirmed the anomaly and the deal is rejected. Every reward it
still has is reversed in full, whatever the clawback window, with the deal.reversed machinery: the
held rebate and a held MDF accrual go back to the expense, an available accrual is asked of the mdf
service (ledger.mdf_accrual_reversed). The deal holds nothing afterwards.
"""

from __future__ import annotations

from decimal import Decimal

from incentive_contracts.events.deal import DealFlagConfirmed
from incentive_contracts.money import Money

from .catalog import ProgramVersion
from .clawback import Reversal, reverse
from .evolve import evolve
from .outcome import EventMeta, Outcome
from .state import DealRecord, PartnerLedger


def on_flag_confirmed(
    partner: PartnerLedger, deal: DealRecord, event: DealFlagConfirmed, meta: EventMeta, pv: ProgramVersion | None
) -> Outcome:
    """A confirmed flag rejects the deal: every reward it still has is clawed back, held or not."""
    flags = deal.flags - {event.reason.value}
    won = deal.won
    if won is None or pv is None:
        return Outcome(partner=partner, deals={deal.deal_id: evolve(deal, flags=flags)})
    why = f"flag {event.reason.value} confirmed on {event.confirmed_on} by {event.confirmed_by}: {event.note}"
    left = Money(amount=won.amount - deal.reversed_amount, currency=won.currency)
    reversal = Reversal(event.event_type, event.confirmed_on, left, True, why, windowed=False)
    outcome = reverse(partner, deal, reversal, meta, pv)
    done = outcome.deals.get(deal.deal_id, deal)
    outcome.deals[deal.deal_id] = evolve(done, flags=flags, held=False, hold_entry=None, held_amount=Decimal(0))
    return outcome
