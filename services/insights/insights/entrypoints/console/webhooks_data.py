"""Outbound webhooks on the console: the viewer's subscriptions (a partner's own in its portal; the
subscriptions of no partner, a finance system's, on the manager's page), each with its delivery log.
Governance confines a partner token to its own subscriptions and deliveries; the page asks with it."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import quote

from .sources import Answer, Sources

# What governance lets one subscribe to (its domain.webhooks.SUBSCRIBABLE; it refuses anything else).
EVENT_TYPES = (
    "ledger.entry_posted", "ledger.payout_batched", "ledger.payout_settled", "ledger.payout_failed",
    "ledger.statement_ready", "program.version_published", "governance.benefit_granted",
    "governance.benefit_revoked", "governance.dispute_opened", "governance.dispute_review_started",
    "governance.dispute_escalated", "governance.dispute_resolved", "governance.plan_signed",
)  # fmt: skip


def subscription_id(form_id: str) -> str:
    """A new subscription's id: from the rendered form's id, so sending that form twice is one subscription."""
    return f"sub-{form_id[:16]}"


async def webhooks_view(sources: Sources, partner_id: str | None) -> dict[str, Any]:
    """The subscriptions (a partner's own; else those of no partner) and each one's latest deliveries."""
    found = await sources.get("governance", "/subscriptions", partner_id=partner_id, limit=200)
    subscriptions = [s for s in found.items() if isinstance(s, dict) and s.get("partner_id") == partner_id]
    logs: dict[str, Answer] = await sources.gather(**{
        str(s["subscription_id"]): sources.get(
            "governance", f"/subscriptions/{quote(str(s['subscription_id']), safe='')}/deliveries", limit=50)
        for s in subscriptions
    })  # fmt: skip
    return {"subscriptions": found, "listed": subscriptions, "deliveries": logs, "event_types": EVENT_TYPES,
            "form_id": secrets.token_hex(8)}  # fmt: skip
