"""Joint partner plans for managers: the plans and the chosen one with its signatures, content, cadence
(held on time, late, missed) and progress against its criteria; forms to change its content (a change to
a version either side signed becomes the next version, as governance decides), sign it for the vendor,
record a held activity and carry it into the next year. Every call carries the manager's own token."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from .deps import StaffVisit
from .forms import STALE, completion_body, form_fields, forward, next_plan_id, nonce_key, plan_content
from .governance_data import form_key
from .plans_data import plans_view
from .render import admitted, page, refused
from .session import Viewer
from .sources import Answer, Sources

router = APIRouter(include_in_schema=False)
Text = Annotated[str | None, Query(max_length=64)]
Message = Annotated[str | None, Query(max_length=300)]
Segment = Annotated[str, Path(min_length=1, max_length=64)]
HERE = "/console/governance/plans"


def _here(plan_id: str) -> str:
    return f"{HERE}?plan={quote(plan_id, safe='')}"


def _plan_path(plan_id: str, *rest: str) -> str:
    return "/".join((f"/plans/{quote(plan_id, safe='')}", *(quote(r, safe="") for r in rest)))


def _version(answer: Answer) -> str:
    return str((answer.data or {}).get("plan_version", "?")) if isinstance(answer.data, dict) else "?"


@router.get(HERE)
async def plans(request: Request, visit: StaffVisit, partner: Text = None, plan: Text = None, done: Message = None,
                error: Message = None) -> Response:  # fmt: skip
    if not (seen := admitted(visit)):
        return refused(request, visit)
    viewer, sources = seen
    view = await plans_view(sources, partner or None, plan or None)
    return page(request, "plans.html", {"viewer": viewer, "active": "governance", "view": view,
                                        "partner": partner or "", "done": done, "error": error})  # fmt: skip


def _governing(request: Request, visit: StaffVisit) -> tuple[Viewer, Sources] | Response:
    if not (seen := admitted(visit)):
        return refused(request, visit)
    if not seen[0].can_govern:
        message = "Changing joint plans needs governance:write."
        return page(request, "error.html", {"viewer": seen[0], "message": message}, 403)
    return seen


@router.post("/console/plans/{plan_id}/content")
async def revise(request: Request, visit: StaffVisit, plan_id: Segment) -> Response:
    """Save the plan's content: a draft is amended; a signed version is followed by a new version."""
    if isinstance(seen := _governing(request, visit), Response):
        return seen
    form = await form_fields(request)
    key = nonce_key(form, "content", plan_id)
    body: dict[str, Any] | str = plan_content(form) if key else STALE

    async def send(content: dict[str, Any]) -> Answer:
        return await seen[1].put("governance", _plan_path(plan_id, "content"), content, idempotency_key=str(key))

    return await forward(request, _here(plan_id), body, send, lambda a: f"{plan_id}: version {_version(a)} saved")


@router.post("/console/plans/{plan_id}/signatures")
async def sign(request: Request, visit: StaffVisit, plan_id: Segment) -> Response:
    """Sign the plan's current version for the vendor."""
    if isinstance(seen := _governing(request, visit), Response):
        return seen
    version = (await form_fields(request)).get("plan_version", "")
    body: dict[str, Any] | str = {"plan_version": int(version), "side": "vendor"} if version.isdigit() and (
        0 < int(version) < 1_000_000) else "Unknown plan version."  # fmt: skip

    async def send(signature: dict[str, Any]) -> Answer:
        key = form_key("sign", plan_id, version, "vendor")
        return await seen[1].post("governance", _plan_path(plan_id, "signatures"), signature, idempotency_key=key)

    return await forward(request, _here(plan_id), body, send,
                         lambda a: f"{plan_id}: version {version} signed for the vendor")  # fmt: skip


@router.post("/console/plans/{plan_id}/activities/{activity_id}/completion")
async def complete(request: Request, visit: StaffVisit, plan_id: Segment, activity_id: Segment) -> Response:
    """Record the day a joint activity was held."""
    if isinstance(seen := _governing(request, visit), Response):
        return seen
    body = completion_body(await form_fields(request), date.today())

    async def send(held: dict[str, Any]) -> Answer:
        path = _plan_path(plan_id, "activities", activity_id, "completion")
        return await seen[1].post("governance", path, held, idempotency_key=form_key(path, held["completed_on"]))

    return await forward(request, _here(plan_id), body, send, lambda a: f"{activity_id}: held")


@router.post("/console/plans/{plan_id}/extend")
async def extend(request: Request, visit: StaffVisit, plan_id: Segment) -> Response:
    """Carry the plan into the next year (a new draft both sides sign)."""
    if isinstance(seen := _governing(request, visit), Response):
        return seen
    year = (await form_fields(request)).get("year", "")
    known = year.isdigit() and 1970 <= int(year) < 2999
    new_id = next_plan_id(plan_id, int(year)) if known else ""
    body: dict[str, Any] | str = {"plan_id": new_id} if known else "Unknown plan year."

    async def send(new: dict[str, Any]) -> Answer:
        key = form_key("extend", plan_id, new_id)
        return await seen[1].post("governance", _plan_path(plan_id, "extend"), new, idempotency_key=key)

    return await forward(
        request, _here(plan_id), body, send, lambda a: f"{plan_id}: extended into {int(year) + 1} as {new_id}"
    )
