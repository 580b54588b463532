"""Account names: ``owner:{id}:purpose``, and what each partner account means to the partner."""

from __future__ import annotations


def partner_account(partner_id: str, purpose: str) -> str:
    return f"partner:{partner_id}:{purpose}"


def program_account(program_id: str, purpose: str) -> str:
    return f"program:{program_id}:{purpose}"


def purpose_of(account: str) -> str:
    return account.rsplit(":", 1)[-1]


# Partner accounts (credit-normal: what the vendor owes or has paid the partner).
REBATES_PAYABLE = "rebates_payable"  # earned rewards, payable
REBATES_HELD = "rebates_held"  # rewards of flagged deals, not payable until cleared
REBATES_IN_PAYMENT = "rebates_in_payment"  # in an open payout batch
REBATES_PAID = "rebates_paid"  # settled payouts
REBATES_CAPPED = "rebates_capped"  # earned above a cap or the stacking limit: recorded, never paid
MDF_AVAILABLE = "mdf_available"
MDF_HELD = "mdf_held"  # MDF accrued on a flagged deal: not spendable (unknown to the mdf service) until cleared
MDF_RESERVED = "mdf_reserved"
MDF_DISBURSED = "mdf_disbursed"

# Program and vendor accounts (debit-normal expense and memo accounts).
REBATE_EXPENSE = "rebate_expense"
REWARDS_CAPPED = "rewards_capped"
MDF_ACCRUAL_EXPENSE = "mdf_accrual_expense"
DISPUTE_COMPENSATION_EXPENSE = "dispute_compensation_expense"  # disputes resolved in the partner's favour
COMMITMENT_BENEFIT_EXPENSE = "commitment_benefit_expense"  # monetary commitment benefits granted
VENDOR_MDF_EXPENSE = "vendor:marketing:mdf_expense"

CATEGORIES: dict[str, tuple[str, str]] = {
    REBATES_PAYABLE: ("rewards", "available"),
    REBATES_HELD: ("rewards", "held"),
    REBATES_IN_PAYMENT: ("rewards", "pending"),
    REBATES_PAID: ("rewards", "paid"),
    REBATES_CAPPED: ("rewards", "capped"),
    MDF_AVAILABLE: ("mdf", "available"),
    MDF_HELD: ("mdf", "held"),
    MDF_RESERVED: ("mdf", "pending"),
    MDF_DISBURSED: ("mdf", "paid"),
}


def expense_purpose(component: str) -> str:
    """``rebate`` -> ``rebate_expense``, ``spiff:q3`` -> ``spiff_expense``."""
    return f"{component.split(':', 1)[0]}_expense"
