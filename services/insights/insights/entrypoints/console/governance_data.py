"""Governance on the console's pages: the partner's plan and benefits (fetched with the viewer's token,
so a partner token only ever reaches its own), and the pure checks of the governance forms, asked
before anything is forwarded (a bad form is a message on the page, never a 5xx)."""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from .sources import Sources

DISPUTE_SUBJECTS = ("statement_line", "missing_reward", "conflict_decision", "mdf_claim")
DISPUTE_ACTIONS = ("review", "resolve", "reject", "escalate")
AUDIT_DECISIONS = ("confirm", "fail")
PROPOSAL_STATUSES = ("under_consideration", "accepted", "declined")
CURRENCY = re.compile(r"^[A-Z]{3}$")
PERIOD = re.compile(r"^\d{4}-Q[1-4]$")


def form_key(*parts: str) -> str:
    """The Idempotency-Key of a console form: the same form sent twice is one change."""
    return "console-" + hashlib.sha256("/".join(parts).encode()).hexdigest()[:32]


def money_of(amount: str, currency: str) -> dict[str, str] | str:
    """A Money body from a form's amount and currency, or what is wrong with them."""
    if not CURRENCY.match(currency):
        return "The currency must be three capital letters (USD)."
    try:
        value = Decimal(amount.replace(",", ""))
    except InvalidOperation:
        return "The amount is not a number."
    if not value.is_finite() or value <= 0 or value.as_tuple().exponent < -4:  # type: ignore[operator]
        return "The amount must be positive, with at most four decimal places."
    return {"amount": str(value), "currency": currency}


def dispute_action_body(action: str, form: dict[str, str]) -> dict[str, Any] | str:
    """The body of a manager's dispute action, or why it cannot be sent."""
    reason = form.get("reason", "").strip()
    if action not in DISPUTE_ACTIONS:
        return "Unknown dispute action."
    if len(reason) > 2000:
        return "The reason is longer than 2,000 characters."
    if action in ("review", "escalate"):
        return {}
    if not reason:
        return "A resolution or a rejection needs its reason."
    if action == "reject":
        return {"reason": reason}
    compensation = money_of(form.get("amount", "").strip(), form.get("currency", "").strip().upper())
    return compensation if isinstance(compensation, str) else {"reason": reason, "compensation": compensation}


def open_dispute_body(partner_id: str, form: dict[str, str]) -> dict[str, Any] | str:
    """The body of a partner's new dispute, or why it cannot be sent."""
    kind, ref = form.get("subject_kind", ""), form.get("subject_ref", "").strip()
    description = form.get("description", "").strip()
    if kind not in DISPUTE_SUBJECTS:
        return "Choose what the dispute is about."
    if not ref or len(ref) > 200:
        return "Name the statement line, deal, decision or claim (up to 200 characters)."
    if not description or len(description) > 4000:
        return "Describe the dispute (up to 4,000 characters)."
    body: dict[str, Any] = {
        "dispute_id": "dsp-" + form_key(partner_id, kind, ref, description)[8:24],
        "partner_id": partner_id, "subject_kind": kind, "subject_ref": ref, "description": description,
    }  # fmt: skip
    if form.get("amount", "").strip():
        claimed = money_of(form["amount"].strip(), form.get("currency", "").strip().upper())
        if isinstance(claimed, str):
            return claimed
        body["claimed_amount"] = claimed
    return body


def latest(items: list[Any]) -> dict[str, Any] | None:
    """The plan of the latest year (plans are listed oldest first)."""
    plans = [p for p in items if isinstance(p, dict)]
    return max(plans, key=lambda p: (int(p.get("year") or 0), int(p.get("plan_version") or 0)), default=None)


async def governance_view(sources: Sources, partner_id: str) -> dict[str, Any]:
    """The partner's benefits (held and their history), disputes, proposals with their answers, and its
    latest plan with cadence and progress."""
    quoted = quote(partner_id, safe="")
    found = await sources.gather(
        benefits=sources.get("governance", f"/partners/{quoted}/benefits"),
        plans=sources.get("governance", "/plans", partner_id=partner_id, limit=500),
        disputes=sources.get("governance", "/disputes", partner_id=partner_id, limit=100),
        proposals=sources.get("governance", "/proposals", partner_id=partner_id, limit=100),
    )
    chosen = latest(found["plans"].items())
    plan = await sources.get("governance", f"/plans/{quote(str(chosen['plan_id']), safe='')}") if chosen else None
    return {**found, "plan": plan, "signed_by": signed_by(plan.data if plan and isinstance(plan.data, dict) else None)}


def signed_by(plan: dict[str, Any] | None) -> dict[str, str]:
    """Who signed the plan's current version, by side (``{"vendor": "demo-manager"}``)."""
    signatures = (plan or {}).get("signatures") or []
    return {str(s.get("side")): str(s.get("signed_by")) for s in signatures if isinstance(s, dict)}
