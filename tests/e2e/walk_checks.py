"""Settling and comparing: the model, the mdf service's funds and the ledger's MDF accounts."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from .money_model import ZERO, MoneyModel
from .stack import Stack

SETTLE_SECONDS = 45.0


async def observed(stack: Stack, partner_id: str, headers: dict[str, dict[str, str]]) -> tuple[dict, dict | None]:
    """(mdf positions by (period, currency), ledger MDF balances by (purpose, currency), None while
    the ledger does not know the partner)."""
    funds = await stack.mdf.get(f"/partners/{partner_id}/funds", headers=headers["mdf"])
    assert funds.status_code == 200, funds.text
    positions = {
        (period["period"], p["currency"]): (Decimal(p["available"]), Decimal(p["reserved"]), Decimal(p["disbursed"]))
        for period in funds.json()
        for p in period["positions"]
    }
    balances = await stack.ledger.get(f"/partners/{partner_id}/balances", headers=headers["ledger"])
    if balances.status_code == 404:
        return positions, None  # the ledger has not consumed the enrolment yet
    assert balances.status_code == 200, balances.text
    ledger = {
        (b["account"].rsplit(":", 1)[-1], b["currency"]): Decimal(b["balance"])
        for b in balances.json()["balances"]
        if b["account"].rsplit(":", 1)[-1].startswith("mdf_")
    }
    return positions, ledger


def differences(model: MoneyModel, partner_id: str, positions: dict, ledger: dict | None) -> list[str]:
    found: list[str] = []
    if ledger is None:
        return [f"{partner_id} is not known to the ledger yet"]
    expected = {k: (f.available, f.reserved, f.disbursed) for k, f in model.partner_funds(partner_id).items()}
    for key in sorted(set(expected) | set(positions)):
        want = expected.get(key, (ZERO, ZERO, ZERO))
        got = positions.get(key, (ZERO, ZERO, ZERO))
        if want != got:
            found.append(f"{partner_id} {key} mdf (available, reserved, disbursed) {got} != model {want}")
        if any(v < 0 for v in got):
            found.append(f"{partner_id} {key} mdf fund negative: {got}")
    want_ledger = model.ledger_accounts(partner_id)
    got_ledger = {k: v for k, v in ledger.items() if v}
    if want_ledger != got_ledger:
        found.append(f"{partner_id} ledger MDF accounts {got_ledger} != model {want_ledger}")
    found += [f"{partner_id} ledger {k} negative: {v}" for k, v in ledger.items() if v < 0]
    return found


async def assert_agree(stack: Stack, model: MoneyModel, partners: list[str], headers: dict) -> None:
    problems: list[str] = []
    for partner_id in partners:
        positions, ledger = await observed(stack, partner_id, headers)
        problems += differences(model, partner_id, positions, ledger)
    assert not problems, "\n".join(problems)


async def settle(stack: Stack, model: MoneyModel, partners: list[str], headers: dict, *, final: bool = False) -> None:
    """Wait until every partner's figures agree with the model (the events have flowed), or fail.

    ``final`` also waits for the reconciliation to report no difference.
    """
    deadline = asyncio.get_running_loop().time() + SETTLE_SECONDS
    while True:
        problems: list[str] = []
        for partner_id in partners:
            positions, ledger = await observed(stack, partner_id, headers)
            problems += differences(model, partner_id, positions, ledger)
        if not problems and final:
            problems += await reconciliation_differences(stack, headers)
        if not problems:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the services did not settle on the model's figures:\n" + "\n".join(problems))
        await asyncio.sleep(0.05)


async def reconciliation_differences(stack: Stack, headers: dict) -> list[str]:
    """What the cross-service reconciliation reports (it must report nothing)."""
    response = await stack.ledger.get("/reconciliation/services", headers=headers["ledger"])
    assert response.status_code == 200, response.text
    report = response.json()
    return [str(d) for d in report.get("differences", [])]
