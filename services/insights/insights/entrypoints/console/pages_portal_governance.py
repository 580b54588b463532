"""The portal's governance forms: a partner opens a dispute, submits a proposal to improve its program,
signs its joint plan's current version for its side, acknowledges a notice of its program, and reads the
handbook (the ledger's HTML or PDF, proxied with the partner's own token). A form's path names
the partner like the APIs' do, and a partner other than the signed-in one is not found (404)."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from .deps import PortalVisit
from .forms import back, cross_site, form_fields, forward, proposal_body
from .governance_data import form_key, open_dispute_body
from .render import admitted, page, refused
from .session import Viewer
from .sources import Answer

router = APIRouter(include_in_schema=False)
Segment = Annotated[str, Path(min_length=1, max_length=64)]


def _not_theirs(request: Request, viewer: Viewer, partner_id: str) -> Response | None:
    if viewer.partner_id == partner_id:
        return None
    return page(request, "error.html", {"viewer": viewer, "message": "Not found.", "status": 404}, 404)


@router.post("/portal/{partner_id}/disputes")
async def open_dispute(request: Request, visit: PortalVisit, partner_id: Segment) -> Response:
    if not (seen := admitted(visit)) or seen[0].partner_id is None:
        return refused(request, visit)
    viewer, sources = seen
    if refusal := _not_theirs(request, viewer, partner_id):
        return refusal
    body = open_dispute_body(str(viewer.partner_id), await form_fields(request))
    if cross_site(request):
        return back("/portal", None, "This form was sent from another site.")
    if isinstance(body, str):
        return back("/portal", None, body)
    answer = await sources.post("governance", "/disputes", body, idempotency_key=form_key(str(body["dispute_id"])))
    return back("/portal", f"Dispute {body['dispute_id']} opened", answer.error)


@router.post("/portal/{partner_id}/proposals")
async def submit_proposal(request: Request, visit: PortalVisit, partner_id: Segment) -> Response:
    """A proposal to improve the partner's own program (its program as the partner's record names it)."""
    if not (seen := admitted(visit)) or seen[0].partner_id is None:
        return refused(request, visit)
    viewer, sources = seen
    if refusal := _not_theirs(request, viewer, partner_id):
        return refusal
    record = await sources.get("insights", f"/partners/{quote(partner_id, safe='')}")
    program = str((record.data or {}).get("program_id") or "default") if isinstance(record.data, dict) else "default"
    body = proposal_body(partner_id, program, await form_fields(request))

    async def send(proposal: dict[str, Any]) -> Answer:
        return await sources.post(
            "governance", "/proposals", proposal, idempotency_key=form_key(proposal["proposal_id"])
        )

    return await forward(request, "/portal", body, send, lambda a: f"Proposal {(a.data or {}).get('title')} submitted")


@router.post("/portal/{partner_id}/plans/{plan_id}/signatures")
async def sign_plan(request: Request, visit: PortalVisit, partner_id: Segment, plan_id: Segment) -> Response:
    """Sign the plan's current version for the partner (governance refuses a version that is not current)."""
    if not (seen := admitted(visit)) or seen[0].partner_id is None:
        return refused(request, visit)
    viewer, sources = seen
    if refusal := _not_theirs(request, viewer, partner_id):
        return refusal
    version = (await form_fields(request)).get("plan_version", "")
    known = version.isdigit() and 0 < int(version) < 1_000_000
    body: dict[str, Any] | str = {"plan_version": int(version)} if known else "Unknown plan version."

    async def send(signature: dict[str, Any]) -> Answer:
        path = f"/plans/{quote(plan_id, safe='')}/signatures"
        return await sources.post("governance", path, signature, idempotency_key=form_key("sign", plan_id, version))

    return await forward(request, "/portal", body, send, lambda a: f"Plan {plan_id} version {version} signed")


@router.post("/portal/{partner_id}/notices/{program_id}/{version}/acknowledgement")
async def acknowledge(request: Request, visit: PortalVisit, partner_id: Segment, program_id: Segment,
                      version: Segment) -> Response:  # fmt: skip
    if not (seen := admitted(visit)) or seen[0].partner_id is None:
        return refused(request, visit)
    viewer, sources = seen
    if refusal := _not_theirs(request, viewer, partner_id):
        return refusal
    if cross_site(request):
        return back("/portal", None, "This form was sent from another site.")
    if not version.isdigit() or not 1 <= int(version) <= 1_000_000:
        return back("/portal", None, "Unknown program version.")
    partner = quote(str(viewer.partner_id), safe="")
    path = f"/partners/{partner}/notices/{quote(program_id, safe='')}/{version}/acknowledgement"
    answer = await sources.post("ledger", path, {}, idempotency_key=form_key(partner, program_id, str(version)))
    return back("/portal", f"Version {version} acknowledged", answer.error)


@router.get("/portal/handbook")
async def handbook(request: Request, visit: PortalVisit, format: Literal["html", "pdf"] = "html",
                   version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None) -> Response:  # fmt: skip
    """The handbook of the partner's program in force (or of ``version``), as the ledger writes it."""
    if not (seen := admitted(visit)) or seen[0].partner_id is None:
        return refused(request, visit)
    viewer, sources = seen
    found = await sources.document("ledger", f"/partners/{quote(str(viewer.partner_id), safe='')}/handbook",
                                   format=format, **({"version": version} if version else {}))  # fmt: skip
    if not isinstance(found, tuple):
        # like every console page, a peer that cannot answer is said on the page, never a 5xx
        status = found.status if found.status in (403, 404, 422) else 200
        return page(request, "error.html", {"viewer": viewer, "message": f"Handbook unavailable: {found.error}"},
                    status)  # fmt: skip
    content, media_type = found
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    if format == "pdf":
        headers["Content-Disposition"] = f'inline; filename="handbook{"-v" + str(version) if version else ""}.pdf"'
    else:  # the ledger's document, shown sandboxed: no script of it runs in the console's origin
        headers["Content-Security-Policy"] = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    return Response(content, media_type=media_type, headers=headers)
