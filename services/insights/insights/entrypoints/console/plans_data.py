"""Joint plans on the manager's page: the plans (of one partner, or all), and the chosen plan with its
cadence and progress, plus its content written back into the edit form's fields (one item a line;
activities and criteria with their fields separated by ``|``, as ``forms.plan_content`` reads them)."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any
from urllib.parse import quote

from .governance_data import latest, signed_by
from .sources import Answer, Sources

CONTENT_LISTS = ("target_segments", "value_propositions", "co_branded_materials")


def content_fields(content: dict[str, Any] | None) -> dict[str, str]:
    """The edit form's fields for a plan's content."""
    content = content or {}
    fields = {name: "\n".join(str(v) for v in content.get(name) or []) for name in CONTENT_LISTS}
    fields["activities"] = "\n".join(
        " | ".join(str(a.get(k, "")) for k in ("activity_id", "kind", "title", "partner_owner", "vendor_owner",
                                               "due_on"))
        for a in content.get("activities") or [] if isinstance(a, dict)
    )  # fmt: skip
    fields["criteria"] = "\n".join(
        " | ".join(str(c.get(k, "")) for k in ("criterion_id", "metric", "target", "description")).rstrip(" |")
        for c in content.get("criteria") or [] if isinstance(c, dict)
    )  # fmt: skip
    return fields


async def plans_view(sources: Sources, partner_id: str | None, plan_id: str | None) -> dict[str, Any]:
    """The plans listed (newest year first) and the chosen one in detail (by default the partner's latest)."""
    plans = await sources.get("governance", "/plans", partner_id=partner_id, limit=500)
    items = [p for p in plans.items() if isinstance(p, dict)]
    chosen = plan_id or (str((latest(items) or {}).get("plan_id") or "") if partner_id else "")
    plan: Answer | None = await sources.get("governance", f"/plans/{quote(chosen, safe='')}") if chosen else None
    detail = plan.data if plan and plan.ok and isinstance(plan.data, dict) else None
    return {
        "plans": plans,
        "listed": sorted(items, key=lambda p: (-int(p.get("year") or 0), str(p.get("partner_id")))),
        "plan": plan, "detail": detail, "signed_by": signed_by(detail),
        "fields": content_fields(detail.get("content") if detail else None),
        "form_id": secrets.token_hex(8), "today": date.today().isoformat(),
    }  # fmt: skip
