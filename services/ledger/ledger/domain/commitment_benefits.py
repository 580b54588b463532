"""governance.benefit_granted: a monetary commitment benefit posts one entry.

A partner whose activity reaches a commitment rule's minimum earns the rule's benefits; a benefit
the program gives a Money amount (e.g. ``free_training`` worth 1 500.00 USD) is owed to the partner:
the program's commitment benefit expense is debited and the partner's rebates_payable credited, on the
partner's governance stream, effective on the grant's ``effective_on``. The entry id derives from the
grant itself (partner, rule, benefit, effective date), not the event id, so a replay or a re-emitted
grant never posts it twice. Non-monetary benefits post nothing.

A revocation (``governance.benefit_revoked``) claws nothing back: the benefit was earned for the window
the partner sustained, so money already granted stays with the partner; the revocation only ends the
entitlement (governance's concern). A later grant of the same benefit, after a lapse, is a new grant
with a new effective date and posts again.
"""

from __future__ import annotations

from incentive_contracts.events.governance import GovernanceBenefitGranted

from . import accounts
from .errors import UnknownPartner
from .explanation import CommitmentBenefitExplanation
from .journal import JournalEntry
from .money import fmt
from .outcome import EventMeta, Outcome, entry_id
from .program_credit import program_credit
from .state import PartnerLedger

KIND = "commitment_benefit"
RULE_ID = "ledger/governance.benefit_granted"
RULE_VERSION = 1


def benefit_entry_id(event: GovernanceBenefitGranted) -> str:
    """The one entry a grant can post: derived from what was granted to whom from when."""
    grant = f"benefit:{event.partner_id}:{event.rule_id}:{event.benefit}:{event.effective_on.isoformat()}"
    return entry_id(grant, KIND)


def is_monetary(event: GovernanceBenefitGranted) -> bool:
    return event.kind == "monetary" and event.amount is not None and event.amount.amount > 0


def on_benefit_granted(partner: PartnerLedger, event: GovernanceBenefitGranted, meta: EventMeta) -> Outcome:
    """A benefit entry for a monetary grant, or nothing."""
    if not is_monetary(event):
        return Outcome(partner=partner)
    if not partner.enrolled:
        raise UnknownPartner(f"partner {event.partner_id} is not enrolled in the ledger")
    return Outcome(partner=partner, entries=[benefit_entry(partner, event, meta)])


def _figures(values: dict[str, str]) -> str:
    return ", ".join(f"{metric} {value}" for metric, value in sorted(values.items()))


def benefit_entry(partner: PartnerLedger, event: GovernanceBenefitGranted, meta: EventMeta) -> JournalEntry:
    """Program expense -> the partner's rebates_payable, explained by the rule and the partner's figures."""
    money, program_id = event.amount, partner.program_id
    if money is None or program_id is None:
        raise ValueError("a benefit entry needs an amount and an enrolled partner")
    currency, amount = money.currency, money.amount
    steps = (
        f"rule {event.rule_id} (commitment rules version {event.rules_version}), "
        f"window {event.window_from} to {event.window_to}",
        f"the partner's figures: {_figures(event.inputs)}; the rule's minimum: {_figures(event.minimum)}",
        f"benefit {event.benefit} granted from {event.effective_on}: {fmt(amount)} {currency} credited to "
        f"rebates payable, charged to program {program_id}'s commitment benefit expense",
    )
    return program_credit(
        partner,
        money,
        expense=accounts.COMMITMENT_BENEFIT_EXPENSE,
        entry_id=benefit_entry_id(event),
        kind=KIND,
        rule=(RULE_ID, RULE_VERSION),
        on=event.effective_on,
        meta=meta,
        explanation=CommitmentBenefitExplanation(
            event_type=event.event_type,
            benefit=event.benefit,
            commitment_rule=event.rule_id,
            rules_version=event.rules_version,
            window_from=event.window_from.isoformat(),
            window_to=event.window_to.isoformat(),
            inputs=dict(event.inputs),
            minimum=dict(event.minimum),
            effective_on=event.effective_on.isoformat(),
            currency=currency,
            amount=fmt(amount),
            summary=f"commitment benefit {event.benefit} ({event.rule_id}): {fmt(amount)} {currency}",
            steps=steps,
        ),
    )
