"""The console's governance forms: what is forwarded to governance, and what is refused on the page."""

from __future__ import annotations

from insights.entrypoints.console.governance_data import (
    dispute_action_body,
    form_key,
    latest,
    money_of,
    open_dispute_body,
)


def test_money_of_keeps_the_amount_exact_and_refuses_what_is_not_money() -> None:
    assert money_of("1,250.10", "USD") == {"amount": "1250.10", "currency": "USD"}
    assert money_of("0.0001", "EUR") == {"amount": "0.0001", "currency": "EUR"}
    assert money_of("12", "usd") == "The currency must be three capital letters (USD)."
    assert money_of("abc", "USD") == "The amount is not a number."
    for bad in ("0", "-5", "1.00001", "NaN", "Infinity"):
        assert money_of(bad, "USD") == "The amount must be positive, with at most four decimal places.", bad


def test_a_resolution_needs_its_reason_and_compensation_a_rejection_its_reason() -> None:
    assert dispute_action_body("review", {}) == {}
    assert dispute_action_body("resolve", {"reason": "right", "amount": "500", "currency": "USD"}) == {
        "reason": "right",
        "compensation": {"amount": "500", "currency": "USD"},
    }
    assert dispute_action_body("resolve", {"amount": "500", "currency": "USD"}) == (
        "A resolution or a rejection needs its reason."
    )
    assert dispute_action_body("resolve", {"reason": "x", "amount": "", "currency": "USD"}) == (
        "The amount is not a number."
    )
    assert dispute_action_body("reject", {"reason": "  out of window "}) == {"reason": "out of window"}
    assert dispute_action_body("delete", {"reason": "x"}) == "Unknown dispute action."
    assert dispute_action_body("reject", {"reason": "x" * 2001}) == "The reason is longer than 2,000 characters."


def test_a_partner_dispute_names_the_signed_in_partner_whatever_the_form_says() -> None:
    form = {"subject_kind": "statement_line", "subject_ref": "entry-7", "description": "Rate is wrong",
            "partner_id": "someone-else", "amount": "120.50", "currency": "usd"}  # fmt: skip
    body = open_dispute_body("acme", form)
    assert isinstance(body, dict)
    assert body["partner_id"] == "acme"
    assert body["claimed_amount"] == {"amount": "120.50", "currency": "USD"}
    assert body["dispute_id"].startswith("dsp-")
    assert len(body["dispute_id"]) == 20
    assert open_dispute_body("acme", form) == body  # the same form twice is the same dispute
    assert open_dispute_body("acme", {**form, "subject_kind": "tier"}) == "Choose what the dispute is about."
    assert open_dispute_body("acme", {**form, "description": " "}).startswith("Describe")  # type: ignore[union-attr]
    assert open_dispute_body("acme", {**form, "subject_ref": ""}).startswith("Name")  # type: ignore[union-attr]
    assert "claimed_amount" not in open_dispute_body("acme", {**form, "amount": ""})


def test_the_latest_plan_is_the_latest_year_then_version() -> None:
    plans = [{"plan_id": "a", "year": 2026, "plan_version": 3}, {"plan_id": "b", "year": 2027, "plan_version": 1}]
    assert latest(plans) == plans[1]
    assert latest([]) is None
    assert form_key("a", "b") == form_key("a", "b") != form_key("a", "c")
