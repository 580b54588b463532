"""Governance for managers: disputes with their review, resolution and rejection forms, the audit queue
of a period (drawing its sample, confirming or failing its items), partner feedback per program with
the answer form, and the program's notices with who acknowledged them. Every call goes to governance
(or the ledger) with the manager's own token, so the owner service decides what this manager may see
and do. Joint plans and webhooks have their own pages (``pages_plans``, ``pages_webhooks``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from .deps import StaffVisit
from .forms import answer_body, back, cross_site, draw_body, form_fields
from .governance_data import AUDIT_DECISIONS, PERIOD, PROPOSAL_STATUSES, dispute_action_body, form_key
from .render import admitted, page, refused
from .session import Viewer
from .sources import Answer, Sources
from .views import quarter_of

router = APIRouter(include_in_schema=False)
Text = Annotated[str | None, Query(max_length=64)]
Message = Annotated[str | None, Query(max_length=300)]
Segment = Annotated[str, Path(min_length=1, max_length=64)]
HERE = "/console/governance"


@router.get(HERE)
async def governance(request: Request, visit: StaffVisit, status: Text = None, period: Text = None,
                     program: Text = None, done: Message = None, error: Message = None) -> Response:  # fmt: skip
    if not (seen := admitted(visit)):
        return refused(request, visit)
    viewer, sources = seen
    chosen_period = period if period and PERIOD.match(period) else quarter_of(date.today())
    program_id = program or "default"
    found = await sources.gather(
        disputes=sources.get("governance", "/disputes", status=status or None, limit=200),
        times=sources.get("governance", "/disputes/resolution-times"),
        audit=sources.get("governance", f"/audits/{chosen_period}"),
        proposals=sources.get("governance", "/proposals", program_id=program_id, limit=200),
        notices=sources.get("ledger", f"/programs/{quote(program_id, safe='')}/notices"),
    )
    return page(request, "governance.html", {
        "viewer": viewer, "active": "governance", "found": found, "period": chosen_period, "program": program_id,
        "status": status or "", "done": done, "error": error, "statuses": PROPOSAL_STATUSES,
        "answered": ("accepted", "declined"),
        "acknowledgements": await _acknowledgements(sources, program_id, found["notices"]),
    })  # fmt: skip


async def _acknowledgements(sources: Sources, program_id: str, notices: Answer) -> dict[str, Answer]:
    """Who has and who has not acknowledged each announced version, by version."""
    versions = [str(n.get("version")) for n in notices.items() if isinstance(n, dict)]
    return await sources.gather(**{
        v: sources.get("ledger", f"/programs/{quote(program_id, safe='')}/versions/{v}/acknowledgements")
        for v in versions
    })  # fmt: skip


async def _send(request: Request, seen: tuple[Viewer, Sources], path: str, body: dict[str, Any] | str,
                done: str, here: str = HERE) -> Response:  # fmt: skip
    viewer, sources = seen
    if not viewer.can_govern:
        message = "Governance decisions need governance:write or program:admin."
        return page(request, "error.html", {"viewer": viewer, "message": message}, 403)
    if cross_site(request):
        return back(here, None, "This form was sent from another site.")
    if isinstance(body, str):
        return back(here, None, body)
    answer = await sources.post("governance", path, body, idempotency_key=form_key(path, repr(sorted(body.items()))))
    return back(here, done, answer.error)


@router.post("/console/disputes/{dispute_id}/{action}")
async def dispute_action(request: Request, visit: StaffVisit, dispute_id: Segment, action: Segment) -> Response:
    """Start the review of a dispute, resolve it with a compensation, or reject it with a reason."""
    if not (seen := admitted(visit)):
        return refused(request, visit)
    body = dispute_action_body(action, await form_fields(request))
    path = f"/disputes/{quote(dispute_id, safe='')}/{action}"
    return await _send(request, seen, path, body, f"{dispute_id}: {action} recorded")


@router.post("/console/audits/{period}/items/{item_kind}/{item_id}/{decision}")
async def audit_decision(request: Request, visit: StaffVisit, period: Segment, item_kind: Segment,
                         item_id: Segment, decision: Segment) -> Response:  # fmt: skip
    """Confirm or fail a sampled item (a failure needs its note)."""
    if not (seen := admitted(visit)):
        return refused(request, visit)
    note = (await form_fields(request)).get("note", "").strip()
    body: dict[str, Any] | str = {"note": note or None}
    if decision not in AUDIT_DECISIONS or not PERIOD.match(period):
        body = "Unknown audit decision."
    elif decision == "fail" and not note:
        body = "Failing a sampled item needs a note saying why."
    elif len(note) > 1000:
        body = "The note is longer than 1,000 characters."
    path = f"/audits/{period}/items/{quote(item_kind, safe='')}/{quote(item_id, safe='')}/{decision}"
    here = f"{HERE}?period={period}" if PERIOD.match(period) else HERE  # back to the period's queue
    return await _send(request, seen, path, body, f"{item_kind} {item_id}: {decision} recorded", here)


@router.post("/console/proposals/{proposal_id}/answers")
async def answer_proposal(request: Request, visit: StaffVisit, proposal_id: Segment) -> Response:
    """Answer a partner's proposal (under consideration, accepted or declined)."""
    if not (seen := admitted(visit)):
        return refused(request, visit)
    form = await form_fields(request)
    body = answer_body(form, PROPOSAL_STATUSES)
    path = f"/proposals/{quote(proposal_id, safe='')}/answers"
    here = f"{HERE}?program={quote(form.get('program', '')[:64], safe='')}" if form.get("program") else HERE
    return await _send(request, seen, path, body, f"{proposal_id}: answered", here)


@router.post("/console/audits")
async def draw_sample(request: Request, visit: StaffVisit) -> Response:
    """Draw a period's spot-audit sample (once per period; governance answers the drawn one after)."""
    if not (seen := admitted(visit)):
        return refused(request, visit)
    body = draw_body(await form_fields(request))
    period = body.get("period", "") if isinstance(body, dict) else ""
    return await _send(request, seen, "/audits", body, f"{period}: sample drawn", f"{HERE}?period={period}")
