"""The console's plan, proposal, audit and webhook forms: the body each sends to governance, and what
is refused on the page before anything is sent."""

from __future__ import annotations

from datetime import date

from insights.entrypoints.console.forms import (
    STALE,
    answer_body,
    completion_body,
    draw_body,
    next_plan_id,
    nonce_key,
    plan_content,
    proposal_body,
    subscription_body,
)
from insights.entrypoints.console.plans_data import content_fields
from insights.entrypoints.console.webhooks_data import EVENT_TYPES, subscription_id

FORM = {
    "target_segments": "Healthcare\r\n\r\n  Banks ",
    "value_propositions": "Fast onboarding",
    "co_branded_materials": "",
    "activities": "qbr-1 | qbr | First QBR | Ann | Bob | 2026-03-31\ncamp-1|campaign|Launch|Ann|Cy|2026-06-01",
    "criteria": "wins | wins | 5 | Five wins | this year\nwon | won:USD | 250000.50",
}


def test_a_plans_content_is_read_line_by_line_and_written_back_the_same_way() -> None:
    content = plan_content(FORM)
    assert isinstance(content, dict)
    assert content["target_segments"] == ["Healthcare", "Banks"]
    assert content["co_branded_materials"] == []
    assert content["activities"][1] == {
        "activity_id": "camp-1", "kind": "campaign", "title": "Launch", "partner_owner": "Ann", "vendor_owner": "Cy",
        "due_on": "2026-06-01",
    }  # fmt: skip
    assert content["criteria"] == [
        {"criterion_id": "wins", "metric": "wins", "target": "5", "description": "Five wins | this year"},
        {"criterion_id": "won", "metric": "won:USD", "target": "250000.50", "description": ""},
    ]
    assert plan_content(content_fields(content)) == content  # the edit form shows what it saves


def test_a_plan_form_names_the_line_that_is_wrong() -> None:
    assert plan_content({"activities": "a | qbr | t | o | v"}).startswith("Activity line 1: write id")  # type: ignore[union-attr]
    two = "a | qbr | t | o | v | 2026-01-01\nb | party | t | o | v | 2026-01-01"
    assert str(plan_content({"activities": two})).startswith("Activity line 2: the kind is one of qbr, ")
    assert "due date is YYYY-MM-DD" in str(plan_content({"activities": "b | qbr | t | o | v | 31/01/2026"}))
    assert "the id takes" in str(plan_content({"activities": "-b | qbr | t | o | v | 2026-01-01"}))
    assert "owners are needed" in str(plan_content({"activities": "b | qbr | t |  | v | 2026-01-01"}))
    assert "Criterion line 2" in str(plan_content({"criteria": "a | wins | 1\nb | wins | many"}))
    assert "zero or more" in str(plan_content({"criteria": "a | wins | -1"}))
    assert plan_content({}) == {"target_segments": [], "value_propositions": [], "co_branded_materials": [],
                                "activities": [], "criteria": []}  # fmt: skip


def test_a_resent_form_is_one_change_and_a_form_without_its_id_is_stale() -> None:
    assert nonce_key({"form_id": "ab" * 8}, "content", "p") == nonce_key({"form_id": "ab" * 8}, "content", "p")
    assert nonce_key({"form_id": "ab" * 8}, "content", "p") != nonce_key({"form_id": "cd" * 8}, "content", "p")
    assert nonce_key({"form_id": "not hex!"}, "content", "p") is None
    assert nonce_key({}, "content", "p") is None
    assert STALE.startswith("This form is out of date")


def test_a_proposal_belongs_to_the_signed_in_partner_and_its_program() -> None:
    form = {"title": " Roll MDF over ", "text": "Unused MDF should roll over.", "partner_id": "someone-else"}
    body = proposal_body("acme", "default", form)
    assert isinstance(body, dict)
    assert (body["partner_id"], body["program_id"], body["title"]) == ("acme", "default", "Roll MDF over")
    assert body["proposal_id"].startswith("prp-")
    assert proposal_body("acme", "default", form) == body  # the same form twice is the same proposal
    assert proposal_body("acme", "default", {**form, "title": ""}).startswith("Give")  # type: ignore[union-attr]
    assert proposal_body("acme", "default", {**form, "text": "x" * 4001}).startswith("Describe")  # type: ignore[union-attr]
    assert proposal_body("acme", "bad program", form) == "Your program is unknown."
    assert answer_body({"status": "accepted", "answer": " yes "}, ("accepted",)) == {
        "status": "accepted",
        "answer": "yes",
    }
    assert answer_body({"status": "maybe", "answer": "x"}, ("accepted",)) == "Choose the proposal's status."


def test_held_days_draws_and_next_years_plan_ids() -> None:
    today = date(2026, 6, 10)
    assert completion_body({"completed_on": "2026-06-10"}, today) == {"completed_on": "2026-06-10"}
    assert completion_body({"completed_on": "2026-06-11"}, today) == "The day it was held cannot lie in the future."
    assert completion_body({"completed_on": "June"}, today) == "The day it was held is YYYY-MM-DD."
    assert next_plan_id("plan-acme-2026", 2026) == "plan-acme-2027"
    assert next_plan_id("jp-acme", 2026) == "jp-acme-2027"
    assert next_plan_id("p" * 62, 2026).startswith("plan-")
    assert len(next_plan_id("p" * 62, 2026)) <= 64
    assert draw_body({"period": "2026-Q2"}) == {"period": "2026-Q2"}
    assert draw_body({"period": "2026-Q2", "rate": "0.25"}) == {"period": "2026-Q2"}  # the program sets the rate
    assert draw_body({"period": "2026-Q5"}) == "The period is a quarter like 2026-Q2."


def test_a_subscription_is_the_partners_own_and_asks_only_for_known_events() -> None:
    form = {"url": ["https://hooks.example/x"], "event_types": ["governance.dispute_opened", "ledger.payout_settled"],
            "partner_id": ["someone-else"]}  # fmt: skip
    body = subscription_body("acme", form, EVENT_TYPES, subscription_id("ab" * 8))
    assert body == {"subscription_id": "sub-abababababababab", "url": "https://hooks.example/x", "partner_id": "acme",
                    "event_types": ["governance.dispute_opened", "ledger.payout_settled"]}  # fmt: skip
    assert "partner_id" not in subscription_body(None, form, EVENT_TYPES, "sub-1")  # a finance system's
    assert subscription_body("acme", {**form, "event_types": []}, EVENT_TYPES, "s") == "Choose at least one event type."
    assert subscription_body("acme", {**form, "event_types": ["deal.won"]}, EVENT_TYPES, "s") == (
        "Choose at least one event type.")  # fmt: skip
    assert subscription_body("acme", {**form, "url": ["ftp://x"]}, EVENT_TYPES, "s").startswith("The URL")  # type: ignore[union-attr]
