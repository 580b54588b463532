"""The entry governance events post: an amount the program owes a partner, charged to one of the
program's expense accounts and credited to the partner's rebates_payable on its governance stream."""

from __future__ import annotations

from datetime import date

from incentive_contracts.money import Money

from . import accounts
from .explanation import Explanation
from .journal import JournalEntry, transfer
from .outcome import EventMeta, business_time
from .state import GOVERNANCE_STREAM, PartnerLedger


def program_credit(
    partner: PartnerLedger,
    money: Money,
    *,
    expense: str,
    entry_id: str,
    kind: str,
    rule: tuple[str, int],
    on: date,
    meta: EventMeta,
    explanation: Explanation,
) -> JournalEntry:
    """``money`` from the partner's program's ``expense`` account to its rebates_payable, dated ``on``."""
    if partner.program_id is None:
        raise ValueError("a program credit needs an enrolled partner")
    rule_id, rule_version = rule
    return JournalEntry(
        entry_id=entry_id,
        partner_id=partner.partner_id,
        kind=kind,
        caused_by=meta.event_id,
        effective_at=business_time(on),
        rule_id=rule_id,
        rule_version=rule_version,
        postings=transfer(
            accounts.program_account(partner.program_id, expense),
            accounts.partner_account(partner.partner_id, accounts.REBATES_PAYABLE),
            money.currency,
            money.amount,
        ),
        explanation=explanation,
        stream=GOVERNANCE_STREAM,
    )
