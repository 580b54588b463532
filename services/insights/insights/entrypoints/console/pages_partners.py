"""Partner pages for managers: the partner list, one partner, and the anomaly review queue with its
two decisions (forwarded by insights' anomaly API to registration with the manager's own token)."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from .deps import StaffVisit
from .forms import cross_site, form_fields
from .governance_data import governance_view
from .partner_data import partner_view, rules_for, tier_progress
from .render import admitted, page, refused
from .views import indicator_points, quarter_bounds, quarter_of, shift_quarter, won_trend

router = APIRouter(include_in_schema=False)
Text = Annotated[str | None, Query(max_length=64)]
Cursor = Annotated[str | None, Query(max_length=500)]
Message = Annotated[str | None, Query(max_length=300)]
Segment = Annotated[str, Path(max_length=64)]
PartnerId = Annotated[str, Path(min_length=1, max_length=64)]
FLAG_REASONS = re.compile(r"^[a-z_]{1,64}$")


@router.get("/console/partners")
async def partners(request: Request, visit: StaffVisit, tier: Text = None,
                   region: Text = None, vertical: Text = None, cursor: Cursor = None) -> Response:  # fmt: skip
    if not (seen := admitted(visit)):
        return refused(request, visit)
    viewer, sources = seen
    found = await sources.gather(
        partners=sources.get("insights", "/partners", tier=tier, region=region, vertical=vertical, cursor=cursor,
                             limit=50),
        anomalies=sources.get("insights", "/anomalies", status="open", limit=500),
    )  # fmt: skip
    rows = found["partners"].items()
    flags: dict[str, int] = {}
    for item in found["anomalies"].items():
        flags[str(item.get("partner_id"))] = flags.get(str(item.get("partner_id")), 0) + 1
    balances = await sources.gather(**{
        str(i): sources.get("ledger", f"/partners/{quote(str(r.get('partner_id')), safe='')}/balances")
        for i, r in enumerate(rows)
    })  # fmt: skip
    for index, row in enumerate(rows):
        answer = balances[str(index)]
        row["_totals"] = [t for t in (answer.data or {}).get("totals", []) if t.get("fund") == "rewards"]
        row["_flags"] = flags.get(str(row.get("partner_id")), 0)
    since = shift_quarter(quarter_bounds(quarter_of(date.today()))[0], -1).isoformat()
    trends = await sources.gather(**{
        str(i): sources.get("insights", "/indicators", dimension="partner", value=str(r.get("partner_id")),
                            granularity="quarter", since=since,
                            currency=next((t.get("currency") for t in r["_totals"]), None))
        for i, r in enumerate(rows)
    })  # fmt: skip
    for index, row in enumerate(rows):
        row["_trend"] = won_trend(indicator_points(trends[str(index)].data))
    filters = {"tier": tier or "", "region": region or "", "vertical": vertical or ""}
    return page(request, "partners.html", {"viewer": viewer, "active": "partners", "found": found, "rows": rows,
                                           "filters": filters})  # fmt: skip


@router.get("/console/partners/{partner_id}")
async def partner(request: Request, visit: StaffVisit, partner_id: PartnerId) -> Response:
    if not (seen := admitted(visit)):
        return refused(request, visit)
    viewer, sources = seen
    view = await partner_view(sources, partner_id)
    if view["found"]["partner"].status == 404 and view["found"]["balances"].status == 404:
        return page(request, "error.html", {"viewer": viewer, "message": f"No partner {partner_id}."}, 404)
    program = str((view["found"]["partner"].data or {}).get("program_id") or "default")
    versions, rules = await rules_for(sources, program, None)
    context = {"viewer": viewer, "active": "partners", "view": view, "tier": await tier_progress(sources, view, rules),
               "versions": versions, "portal": False,
               "gov": await governance_view(sources, partner_id)}  # fmt: skip
    return page(request, "partner.html", context)


@router.get("/console/anomalies")
async def anomalies(request: Request, visit: StaffVisit, status: Text = None,
                    done: Message = None, error: Message = None) -> Response:  # fmt: skip
    if not (seen := admitted(visit)):
        return refused(request, visit)
    viewer, sources = seen
    chosen = status if status in ("open", "cleared", "confirmed") else "open"
    answer = await sources.get("insights", "/anomalies", status=chosen, limit=200)
    return page(request, "anomalies.html", {
        "viewer": viewer, "active": "anomalies", "answer": answer, "rows": answer.items(), "status": chosen,
        "done": done, "error": error,
    })  # fmt: skip


@router.post("/console/anomalies/{deal_id}/flags/{reason}/{decision}")
async def decide(request: Request, visit: StaffVisit, deal_id: PartnerId,
                 reason: Segment, decision: Segment) -> Response:  # fmt: skip
    """Clear or confirm a flag through insights' anomaly API (which forwards to registration)."""
    if not (seen := admitted(visit)):
        return refused(request, visit)
    viewer, sources = seen
    if not viewer.can_decide_flags:
        return page(request, "error.html", {"viewer": viewer, "message": "Deciding flags needs deals:write."}, 403)
    form = await form_fields(request)
    note = form.get("note", "").strip()
    problem = _refusal(decision, reason, note, request)
    if problem is None:
        body: dict[str, Any] = {"note": note or None}
        key = "console-" + hashlib.sha256(f"{deal_id}/{reason}/{decision}/{note}".encode()).hexdigest()[:32]
        answer = await sources.post("insights", f"/anomalies/{quote(deal_id, safe='')}/flags/{reason}/{decision}",
                                    body, idempotency_key=key)  # fmt: skip
        problem = answer.error
    if problem:
        return RedirectResponse(f"/console/anomalies?error={quote(problem[:250])}", status_code=303)
    verb = "cleared" if decision == "clear" else "confirmed"
    return RedirectResponse(f"/console/anomalies?done={quote(f'{deal_id}: {reason} {verb}')}", status_code=303)


def _refusal(decision: str, reason: str, note: str, request: Request) -> str | None:
    """Why the form cannot be sent (asked before anything is forwarded), or None."""
    if cross_site(request):
        return "This form was sent from another site."
    if decision not in ("clear", "confirm") or not FLAG_REASONS.match(reason):
        return "Unknown decision."
    if decision == "confirm" and not note:
        return "Confirming an anomaly needs a reason: say why the deal is rejected."
    if len(note) > 1000:
        return "The note is longer than 1,000 characters."
    return None
