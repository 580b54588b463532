"""Account names: ``owner:{id}:purpose``."""

from __future__ import annotations


def partner_account(partner_id: str, purpose: str) -> str:
    return f"partner:{partner_id}:{purpose}"


def program_account(program_id: str, purpose: str) -> str:
    return f"program:{program_id}:{purpose}"


REBATES_PAYABLE = "rebates_payable"
REBATE_EXPENSE = "rebate_expense"
