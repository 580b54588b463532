"""The typed explanations (ledger/domain/explanation.py) store and hash exactly what the hand-built
dicts did, so every journal written before them still verifies:

- golden hashes: representative journals (every kind of entry: rewards, the zero rebate, the MDF
  accrual, clawbacks in and outside the window and on a confirmed flag, holds and releases, MDF
  movements, payout steps) hash to the values the dict-built code gave (recorded from it);
- differential: for any values, each typed explanation's document is the dict the old code built
  from the same values, and an entry carrying either hashes the same.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from incentive_contracts.events import mdf
from ledger.domain.chain import ChainHead, canonical, link
from ledger.domain.explanation import (
    ClawbackExplanation,
    HeldAccrualRelease,
    HoldExplanation,
    MdfMovementExplanation,
    PayoutExplanation,
    RecordedExplanation,
    ReversalFacts,
    RewardExplanation,
    WinFacts,
)
from ledger.domain.journal import JournalEntry, Posting
from ledger.domain.payouts import PayoutAction, PayoutKind, payout_entry
from ledger_support import (
    cleared,
    confirmed,
    enrolled,
    flagged,
    incoming,
    mdf_answers,
    program,
    replay,
    request_lifecycle,
    reversed_,
    usd,
    won,
)

REWARDS = {
    "growth_accelerator": {"multiplier": "1.5", "quarterly_target": {"default": {"USD": "50000"}}},
    "registration_bonus": {"percent": "1"},
    "mdf_accrual": {"percent": "1"},
    "spiffs": [
        {
            "id": "q1-security",
            "product_lines": ["security"],
            "from": "2026-01-01",
            "to": "2026-03-31",
            "amount": {"USD": "500"},
        }
    ],
}
INFLUENCE = {"influence": {"required": True, "kinds": ["joint_demo"]}}
# Capped rewards: a per-deal cap, a partner's quarterly cap (partly, then wholly), a stacking limit.
CAPS = {
    "registration_bonus": {"percent": "1"},
    "spiffs": [
        {
            "id": "cloud-push",
            "product_lines": ["cloud"],
            "from": "2026-01-01",
            "to": "2026-12-31",
            "amount": {"USD": "250"},
        }
    ],
    "stacking": {"max_combined_percent": "6"},
    "caps": {"per_deal": {"USD": "1000"}, "per_partner_quarter": {"USD": "2000"}},
}


def _reward_events() -> list[Any]:
    return [
        enrolled(),
        won("d1", "40000.00", date(2026, 1, 10), line="security", registered=True),
        won("d2", "30000.00", date(2026, 2, 10)),  # above the quarterly target: an accelerator
        reversed_("d1", "10000.00", date(2026, 2, 1)),  # pro rata, inside the window
        reversed_("d1", "5000.00", date(2026, 2, 15)),
        won("d3", "1000.00", date(2026, 1, 12)),
        reversed_("d3", "1000.00", date(2026, 6, 30), full=True),  # outside the window
        won("d4", "2000.00", date(2026, 2, 1)),
        flagged("d4", date(2026, 2, 3)),  # held after the win
        cleared("d4", date(2026, 2, 20)),  # released
        flagged("d5", date(2026, 2, 4)),  # held before the win: the accrual too
        won("d5", "3000.00", date(2026, 2, 5)),
        cleared("d5", date(2026, 2, 25)),
        won("d6", "5000.00", date(2026, 3, 1)),
        flagged("d6", date(2026, 3, 2)),
        confirmed("d6", date(2026, 3, 5)),  # reversed in full, the accrual asked of the mdf service
    ]


def _mdf_events() -> list[Any]:
    return [
        enrolled(),
        mdf.MdfAllocated(  # not ledger_support.allocated: its id depends on the tests run before
            partner_id="acme",
            allocation_id="al-1",
            period="2026-Q1",
            amount=usd("5000.00"),
            allocated_on=date(2026, 1, 10),
        ),
        *request_lifecycle(),
        mdf.MdfFundsExpired(
            partner_id="acme",
            period="2026-Q1",
            amount=usd("3500.00"),
            reason="period closed",
            expired_on=date(2026, 4, 1),
        ),
    ]


async def _hashes(payloads: list[Any], *programs: Any) -> list[tuple[str, str]]:
    numbered = [incoming(p, f"ev-{i}") for i, p in enumerate(payloads)]
    first = await replay(numbered, *programs)
    answers = [incoming(p, f"ev-answer-{i}") for i, p in enumerate(mdf_answers(first))]
    r = await replay(numbered + answers, *programs) if answers else first
    return [(c.entry.kind, c.entry_hash) for c in r.ledger.journal]


def _payout_hashes() -> list[tuple[str, str]]:
    at = datetime(2026, 2, 28, tzinfo=UTC)
    found = []
    for kind in PayoutKind:
        action = PayoutAction(
            kind, "acme", "b1", "l1", "USD", Decimal("50.00"), at, 3, f"ev-{kind.value}", "ref", 2, "h"
        )
        found.append((kind.value, link(payout_entry(action), ChainHead()).entry_hash))
    return found


async def journals() -> dict[str, list[tuple[str, str]]]:
    return {
        "rewards": await _hashes(_reward_events(), program(REWARDS)),
        "influence": await _hashes(
            [enrolled(), won("d1", "1000.00", date(2026, 3, 1)), won("d2", "1000.00", date(2026, 3, 1))],
            program(INFLUENCE),
        ),
        "mdf": await _hashes(_mdf_events(), program({"mdf_accrual": {"percent": "2"}})),
        "caps": await _hashes(
            [
                enrolled(),
                won("c1", "30000.00", date(2026, 2, 1)),  # 1500.00 rebate: 1000.00 paid, the per-deal cap
                won("c2", "10000.00", date(2026, 2, 10), line="cloud", registered=True),  # the stacking limit
                won("c3", "20000.00", date(2026, 3, 1)),  # the quarter's cap, partly
                won("c4", "10000.00", date(2026, 3, 2)),  # the quarter's cap, wholly
            ],
            program(CAPS),
        ),
        "payouts": _payout_hashes(),
    }


# Recorded from the dict-built code (commit 9186b3a) on these same journals, and unchanged
# whatever ledger_support's id counters stand at.
GOLDEN: dict[str, list[tuple[str, str]]] = {
    # Recorded from the code of commit ef2925e (capped explanations were not pinned before).
    "caps": [
        ("rebate", "64a41d584753641fb6982c7f323c5e16debc7528945f9bf3641216a10590f40a"),
        ("spiff", "9b575a26dc9bbce96932b4d5d23ef248cc931baa8529bc0647d7b57141ba6fba"),
        ("rebate", "3f5262a8a1a99daaa28e11e62086fab9577132507cf63a1346efc4e57b84dfef"),
        ("registration_bonus", "362c28be52beaddc5a46854eb9be07f555e1087aabc729de3f76b6c67f4bb96b"),
        ("spiff", "9870e8521c1a0d8a8111f6448cb2055ba6801f39348f31ff01b35b3e36755011"),
        ("rebate", "23832073edafa281646a5ef5321f91fafbc8ee47d3aea1b791b92f6ef3d3b88c"),
        ("spiff", "9ea723581de9e928531bb2502b8bc7b55ad8573ff4fdfa004ce1fb67790e3cd4"),
        ("rebate", "ac10cdc3b4fd7094af8041bb95b44183b557eebec93c863e0732af89e77cee27"),
        ("spiff", "cff2968a8c916ede165122a4c650d59b40577a981d1dd814bfb7f8118333937f"),
    ],
    "influence": [
        ("rebate", "d68829e978b8a1c55cfd279d259079f7fd0d709568a48b8c4a96f07d41591544"),
        ("rebate", "73ea1d3836e5328bfc6d4a2ef6b6b31a8c4e6cbb174378bb891a074cca6a801c"),
    ],
    "mdf": [
        ("mdf_allocation", "1c193d2e6865cee5cb7b819756fa5861029509bc42dcbd39edfab9de695109b8"),
        ("mdf_reservation", "5f29557ac4d7c6c97fc54ddb5df1e8ec4e5eaeaeb72bd383a47fda4f2ca63a42"),
        ("mdf_disbursement", "7a5a7fb2bc1013291177b384f7f4551f442d5564b92916c713dab1f12a9478b3"),
        ("mdf_release", "513a4cd0a1aecb719455a29da08538210454335391660c8e59ccd048c39716f5"),
        ("mdf_expiry", "a786e52c79c3a5d62126e714a5efc80053e33f0a717124660e840d13bf52c60b"),
    ],
    "payouts": [
        ("payout", "59a458cd0bc5c8dbe7ffd69e18cd4e89884cb311191c3fe0be486ee2bf2ee078"),
        ("payout_settled", "d66ada0b6e1984bbfda2e2f5e6f37e602e94c503cf3f60fa7d03ec49777d9e23"),
        ("payout_failed", "e378cd9a3ffd672ec9558fdcfb20fab2703d90bd697342e3ace3db75f7c5ddef"),
    ],
    "rewards": [
        ("rebate", "558532008b345911c198fc1704d80951d588cf4e5b7d70c27a5552b959bbe557"),
        ("registration_bonus", "9ece33d68bfb04cb4a825a7d9c239b8bdcd776c82bc47fc2b83eb7039c9f2560"),
        ("spiff", "28cb5dd66a92e025efbfab8d8f731c04d62148d69a9de2ce8f1a8e5a72b867eb"),
        ("mdf_accrual", "c049aefcc138abd315ae882e95e74cb7a39ac1a63b02a515cb51c64c1c1023ca"),
        ("rebate", "1a350fd739a97e999e15425599a5e5ca2b44795472a3ca44062e7bbf4757752a"),
        ("growth_accelerator", "399e4bcb7383cee8c7544ecdba53b5ddbf5746c0e11eb79e2360d8a8a01a8636"),
        ("mdf_accrual", "d08c9d4dadd4636bd88bcdd775110543bfa42b65a4b76766f3fcdc9bfe1fc18b"),
        ("clawback", "86b7ef0f99ca6de30a750f431e97f99eb706e9904535def84e25ba89e9ed8ccf"),
        ("clawback", "5d9811960acf764d2093e5195d4ba8e3a030325f0dc7b1e859f896d042f14ec3"),
        ("clawback", "9c826ad9b8fa21291c42e040fc7ba16200b3892e1d93b2d605862012728525db"),
        ("clawback", "fa7634c848b084d4e2cb16c02318f21ca5715b6c22356b131a4e136727ad1df8"),
        ("clawback", "f29559df48eb662e78e0246c3e6b24e9e2ceb373edad5d9016bbe792fd3c84bf"),
        ("clawback", "35898be63e011b0d0447d85ebd32c42035e47994caabd4124bfcb814537791de"),
        ("rebate", "e2457b7eedb2fd31463e56ce3c38a7f184619c7b45c9f143a04a6e086dad7ba4"),
        ("growth_accelerator", "dc32f21483f5c37970b7e44f83941b1c19a5e6e999f496a03fee60adf6ebe8c5"),
        ("mdf_accrual", "f38c187ba3c44edd39e6d66085a20aecd6bc016f0683472af1c68203776d5655"),
        ("clawback", "4305f1469039dc260162d791ba676f56104bd82005cf75b9469876e406eaf206"),
        ("rebate", "d4d1f08d13601d86f0e2d2ce45ed46e24a47c7e59eccc6421ece78a6a6483fae"),
        ("growth_accelerator", "cc15289a5ddab2da2e1c010b957dc74c471928d5d7daebe7a8c4a9c11325c220"),
        ("mdf_accrual", "999ad7f708fd5fd5862050ef4f5c524d2dd02d302a1a88d895a2f370ecb1dd87"),
        ("hold", "e8c1d4110d44e05829891009ca858e3fcdd7e697028d5a563ef34b67a79b4b29"),
        ("release", "266775b39add5b58894d40572bb4d13dc72a287f8a966baac2417d9e5c8acc41"),
        ("rebate", "d092e5a7e687dbae261856c3b47ef2359441fbdf169cf6f10d77bf4506cdf72b"),
        ("growth_accelerator", "0532f4f7bb0ea722723c09645e5b7ab86882b931c9261164442c48277f3f99cc"),
        ("mdf_accrual", "512bd8f87535a610cc6bd2ce046965e5cd6ba91dcae0ffe97fc4312b8b41f44f"),
        ("release", "2c91f31c0b746dd3ba5374c0fc427c2680cdf477ac2b4084eaaecb5a318c042f"),
        ("mdf_hold_release", "c73224a2a2b96401f5749b5767fddd52eae136f54a309f1d090915f6154d96e4"),
        ("rebate", "c356ef87f661ea3ab4e9d8f26355be6e7764628f45f94d16ee5bb0a3e9f9fce2"),
        ("growth_accelerator", "fd43b6cc0dbe903648a0e1da23af82b44b478d59fb6370f8337c864b6cea1d47"),
        ("mdf_accrual", "70588d88ec7d1fe03dc4db6288288eaa8295cf2338816bc0204800510082b7f9"),
        ("hold", "ba851be47990f18472bf342e9881d7c7912fab0fd06eadf9ee8325023e0da47d"),
        ("clawback", "07cac9113f24dbb5b46db0774ddbafa6c7734dc7d6326f7bbfb6b9e962aa1bd1"),
        ("clawback", "4852f9cb45797fa8200078a9279a478d4263c793917fc9109edc5f2c25564876"),
        ("mdf_accrual_clawback", "56880fd39a73d4d65ef52688926555c2396ef9eed525d366584eaaa092834c7b"),
        ("mdf_accrual_clawback", "4c64fcf8c4bc6b2a725da19ff7003bd62f74b2dcd81d5566a0acf26590dc7d7b"),
        ("mdf_accrual_clawback", "b599ef9176becca0d66bb1072bfc4cc7928d39658cf7d0e3f6061fc6b6506755"),
    ],
}


async def test_every_kind_of_entry_hashes_as_the_dict_built_explanation_did() -> None:
    found = await journals()
    kinds = {kind for journal in found.values() for kind, _ in journal}
    assert {"rebate", "growth_accelerator", "registration_bonus", "spiff", "mdf_accrual", "clawback", "hold"} <= kinds
    assert found == GOLDEN


# The differential half: the old code's dict literals, written out once more, against the typed values.

TEXT = st.text(max_size=12)
AMOUNT = st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False).map(lambda d: format(d, "f"))
STEPS = st.lists(TEXT, max_size=4)
MAYBE = st.one_of(st.none(), TEXT)
INPUTS = st.dictionaries(TEXT, st.one_of(TEXT, st.booleans(), st.integers(), st.lists(TEXT, max_size=2)), max_size=4)
WIN = st.builds(
    WinFacts,
    event_type=TEXT,
    deal_id=TEXT,
    program=TEXT,
    program_version=st.integers(1, 50),
    currency=TEXT,
    won_amount=AMOUNT,
    closed_on=TEXT,
    product_line=TEXT,
    tier=TEXT,
    held=st.booleans(),
)
REVERSAL = st.builds(
    ReversalFacts,
    event_type=TEXT,
    deal_id=TEXT,
    program=TEXT,
    program_version=st.integers(1, 50),
    currency=TEXT,
    won_amount=AMOUNT,
    closed_on=TEXT,
    reversed_on=TEXT,
    reversed_amount=AMOUNT,
    reason=TEXT,
)


def _entry(explanation: Any) -> JournalEntry:
    postings = (Posting("a", "USD", Decimal("1.00")), Posting("b", "USD", Decimal("-1.00")))
    at = datetime(2026, 3, 31, tzinfo=UTC)
    return JournalEntry("e-1", "p-1", "rebate", "ev-1", at, "growth/rebate", 3, postings, explanation)


def _same(typed: Any, old: dict[str, Any]) -> None:
    """The typed value reads as, stores as and hashes as the old dict."""
    assert typed.document() == old
    assert typed == old
    assert dict(typed) == old
    assert canonical(_entry(typed), 5, "ab" * 32) == canonical(_entry(RecordedExplanation(old)), 5, "ab" * 32)


def _old_win(w: WinFacts) -> dict[str, Any]:
    return {
        "event_type": w.event_type,
        "deal_id": w.deal_id,
        "program": w.program,
        "program_version": w.program_version,
        "currency": w.currency,
        "won_amount": w.won_amount,
        "closed_on": w.closed_on,
        "product_line": w.product_line,
        "tier": w.tier,
        "held": w.held,
    }


@given(WIN, TEXT, TEXT, INPUTS, STEPS, AMOUNT, AMOUNT, AMOUNT, STEPS, MAYBE)
def test_a_reward_explanation_is_the_old_dict(
    win: WinFacts,
    summary: str,
    component: str,
    inputs: dict[str, Any],
    steps: list[str],
    gross: str,
    amount: str,
    capped: str,
    capped_by: list[str],
    period: str | None,
) -> None:
    typed = RewardExplanation(
        win=win,
        summary=summary,
        component=component,
        inputs=inputs,
        steps=tuple(steps),
        gross=gross,
        amount=amount,
        capped=capped,
        capped_by=tuple(capped_by),
        period=period,
    )
    old = {
        **_old_win(win),
        "summary": summary,
        "component": component,
        "inputs": inputs,
        "steps": steps,
        "gross": gross,
        "amount": amount,
        "capped": capped,
        "capped_by": list(capped_by),
    }
    if period is not None:  # the MDF accrual only
        old["period"] = period
    _same(typed, old)


def _old_reversal(r: ReversalFacts) -> dict[str, Any]:
    return {
        "event_type": r.event_type,
        "deal_id": r.deal_id,
        "program": r.program,
        "program_version": r.program_version,
        "currency": r.currency,
        "won_amount": r.won_amount,
        "closed_on": r.closed_on,
        "reversed_on": r.reversed_on,
        "reversed_amount": r.reversed_amount,
        "reason": r.reason,
    }


@given(REVERSAL, TEXT, AMOUNT, STEPS, TEXT, AMOUNT, AMOUNT, st.booleans(), TEXT)
def test_a_clawback_explanation_is_the_old_dict(
    reversal: ReversalFacts,
    summary: str,
    amount: str,
    steps: list[str],
    component: str,
    share: str,
    capped: str,
    is_reward: bool,
    period: str,
) -> None:
    clawback = ClawbackExplanation(
        reversal=reversal,
        summary=summary,
        component=component,
        share=share,
        amount=amount,
        capped=capped,
        steps=tuple(steps),
        period=None if is_reward else period,
    )
    old = {
        **_old_reversal(reversal),
        "summary": summary,
        "component": component,
        "share": share,
        "amount": amount,
        "capped": capped,
        "steps": steps,
        **({} if is_reward else {"period": period}),
    }
    _same(clawback, old)
    outside = ClawbackExplanation(reversal=reversal, summary=summary, amount=amount, steps=(summary,))
    _same(outside, {**_old_reversal(reversal), "summary": summary, "amount": amount, "steps": [summary]})


@given(TEXT, TEXT, TEXT, AMOUNT, TEXT, STEPS, st.sets(TEXT, max_size=3), TEXT, MAYBE)
def test_hold_release_and_mdf_movement_explanations_are_the_old_dicts(
    event_type: str,
    deal_id: str,
    currency: str,
    amount: str,
    summary: str,
    steps: list[str],
    flags: set[str],
    period: str,
    mdf_period: str | None,
) -> None:
    hold = HoldExplanation(event_type, deal_id, currency, amount, summary, tuple(steps), tuple(sorted(flags)))
    _same(
        hold,
        {
            "event_type": event_type,
            "deal_id": deal_id,
            "currency": currency,
            "amount": amount,
            "summary": summary,
            "steps": steps,
            "flags": sorted(flags),
        },
    )
    release = HeldAccrualRelease(event_type, deal_id, currency, amount, period, summary, tuple(steps))
    old_release = {"event_type": event_type, "deal_id": deal_id, "currency": currency, "amount": amount}
    _same(release, old_release | {"period": period, "summary": summary, "steps": steps})
    movement = MdfMovementExplanation(event_type, currency, amount, summary, (summary,), mdf_period)
    old_movement = {"event_type": event_type, "currency": currency, "amount": amount, "summary": summary}
    _same(movement, old_movement | {"steps": [summary], "period": mdf_period})  # period written even when null


@given(TEXT, TEXT, TEXT, TEXT, AMOUNT, TEXT, TEXT, STEPS, st.integers(0, 10**6), TEXT, st.booleans())
def test_a_payout_explanation_is_the_old_dict(
    event_type: str,
    batch_id: str,
    line_id: str,
    currency: str,
    amount: str,
    detail: str,
    summary: str,
    steps: list[str],
    covered: int,
    coverage: str,
    cut: bool,
) -> None:
    typed = PayoutExplanation(
        event_type,
        batch_id,
        line_id,
        currency,
        amount,
        detail,
        summary,
        tuple(steps),
        entries_covered=covered if cut else None,
        coverage_hash=coverage if cut else None,
    )
    old: dict[str, Any] = {
        "event_type": event_type,
        "batch_id": batch_id,
        "line_id": line_id,
        "currency": currency,
        "amount": amount,
        "detail": detail,
        "summary": summary,
        "steps": steps,
    }
    if cut:
        old |= {"entries_covered": covered, "coverage_hash": coverage}
    _same(typed, old)


def test_an_explanation_is_a_frozen_value_read_as_a_mapping() -> None:
    hold = HoldExplanation("deal.flagged", "d1", "USD", "1.00", "Hold", ("why",), ("self_dealing",))
    assert hold["steps"] == ["why"]
    assert "flags" in hold
    assert len(hold) == 7
    document = hold.document()
    document["amount"] = "2.00"  # a copy: the value does not change
    assert hold["amount"] == "1.00"
    with pytest.raises(AttributeError):
        hold.amount = "2.00"  # type: ignore[misc]
