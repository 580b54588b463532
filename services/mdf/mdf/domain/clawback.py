"""The ledger reversed (part of) an MDF accrual: the fund gives back what it still can.

The mdf service is the single writer of the fund, so it decides: it takes at most what the fund has
available (and never more than was accrued); what is already reserved or spent stays spent and is
reported as ``unrecovered``. The ledger posts the taken amount when it applies the event.
"""

from __future__ import annotations

from datetime import date

from incentive_contracts.events.ledger import LedgerMdfAccrualReversed
from incentive_contracts.events.mdf import MdfAccrualClawedBack

from .amounts import ZERO, money
from .fund import Fund


def decide_clawback(fund: Fund, reversed_: LedgerMdfAccrualReversed, *, on: date) -> MdfAccrualClawedBack:
    asked = reversed_.amount.amount
    taken = max(min(asked, fund.available, fund.accrued), ZERO)
    return MdfAccrualClawedBack(
        partner_id=reversed_.partner_id,
        deal_id=reversed_.deal_id,
        reversal_entry_id=reversed_.entry_id,
        reverses=reversed_.reverses,
        period=reversed_.period,
        amount=money(taken, fund.currency),
        requested=reversed_.amount,
        unrecovered=money(asked - taken, fund.currency),
        clawed_on=on,
    )
