"""Model-based test: a seeded random walk of MDF money across the real services, through Kafka.

Each round takes one step for each of a few partners (enrol at the start; allocations, won deals
flagged or not, reversals, flag clear and confirm, requests, approvals, partial and full claims,
rejections, cancellations) or a global step (time passes, a period closes). After every round the
walk waits until the services settle and checks, for every partner the round touched, that the
independent model (money_model.py), the mdf service's fund positions and the ledger's MDF accounts
agree to the cent and that nothing is negative. At the end the cross-service reconciliation must
report no difference.
"""

from __future__ import annotations

import os
import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import asyncpg
import pytest
from mdf.config import MdfSettings
from servicekit.db import sync_url
from servicekit.testing.client import auth_header

from .money_model import MoneyModel, quarter
from .stack import running_stack
from .walk_checks import assert_agree, settle
from .walk_steps import WalkSteps
from .workers import eventually

ROOT = Path(__file__).resolve().parents[2]
MDF_INI = ROOT / "services/mdf/alembic.ini"
SEED = int(os.environ.get("WALK_SEED", "20261204"))
STEPS = int(os.environ.get("WALK_STEPS", "520"))
PARTNERS = 8
PER_ROUND = 4
START = date(2025, 1, 6)


@pytest.mark.timeout(900)
async def test_random_walk_keeps_mdf_money_one_number(registration_settings, mdf_settings, ledger_settings):
    registration_settings = registration_settings.model_copy(
        update={"ledger_consumer_group": f"reg-{registration_settings.topic_prefix}"}
    )
    rng = random.Random(SEED)
    model = MoneyModel()
    headers = {
        "registration": auth_header(registration_settings, "partners:write", "deals:write", "deals:read"),
        "mdf": auth_header(mdf_settings, "mdf:write", "mdf:read"),
        "ledger": auth_header(ledger_settings, "ledger:read", "audit:read"),
    }
    async with running_stack(registration_settings, mdf_settings, ledger_settings, START) as stack:
        steps = WalkSteps(stack, model, rng, headers)
        partners = [f"w{n}" for n in range(PARTNERS)]
        await steps.setup(partners, periods=[quarter(START + timedelta(days=91 * q)) for q in range(8)])
        await settle(stack, model, partners, headers)
        await eventually(lambda: mdf_knows(mdf_settings, partners))
        taken = 0
        while taken < STEPS:
            if rng.random() < 0.12:
                taken += await steps.global_step()
                touched = partners
            else:
                touched = rng.sample(partners, PER_ROUND)
                taken += await steps.round(touched)
            await settle(stack, model, touched, headers)
        await settle(stack, model, partners, headers, final=True)
        await assert_agree(stack, model, partners, headers)
        assert steps.counts["approve_refused_over_available"] + steps.counts["approve"] > 0
        for kind in ("win", "win_flagged", "reverse", "clear", "confirm", "approve", "claim_partial", "close"):
            assert steps.counts[kind] > 0, f"the walk never took a {kind} step: {dict(steps.counts)}"


async def mdf_knows(settings: MdfSettings, partners: list[str]) -> bool:
    """The mdf service learnt the enrolments (from the registration topic) before anything is allocated."""
    conn = await asyncpg.connect(sync_url(settings.database_url))
    try:
        known = await conn.fetchval("SELECT count(*) FROM mdf_partners WHERE partner_id = ANY($1::text[])", partners)
    finally:
        await conn.close()
    return bool(known == len(partners))


def test_the_model_claws_back_only_what_is_available():
    """The model itself, worked by hand: 10,000.00 USD won -> 100.00 accrued; 60.00 reserved; reversal
    inside the window takes back the 40.00 still available, not the 100.00."""
    from .money_model import Deal

    model = MoneyModel()
    model.won(Deal("d1", "p", "USD", Decimal("10000.00"), date(2025, 2, 1), Decimal("100.00"), held=False))
    from .money_model import Request

    model.requests["r1"] = Request("r1", "p", "2025-Q1", "USD", Decimal("60.00"), date(2025, 2, 10), date(2025, 2, 12))
    model.approved("r1", Decimal("60.00"), date(2025, 4, 13))
    model.reversed("d1", date(2025, 2, 20))
    fund = model.fund("p", "2025-Q1", "USD")
    assert (fund.available, fund.reserved) == (Decimal("0.00"), Decimal("60.00"))
    assert model.ledger_accounts("p") == {("mdf_reserved", "USD"): Decimal("60.00")}
