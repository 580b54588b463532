"""Outbound webhooks on the console: a partner manages its own subscriptions in its portal, and a
finance system's (no partner) are managed on the manager's page. Either creates one (URL and event
types; the signing secret is shown once, on the page answering the form, and never again), deactivates
one, reads each one's delivery log and asks for a delivery to be sent again. Governance confines a
partner token to its own subscriptions and deliveries; a partner other than the signed-in one in a
form's path is not found (404)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from .deps import PortalVisit, StaffVisit, Visit
from .forms import STALE, back, cross_site, form_fields, form_values, forward, nonce_key, subscription_body
from .governance_data import form_key
from .render import admitted, page, refused
from .session import Viewer
from .sources import Answer, Sources
from .webhooks_data import EVENT_TYPES, subscription_id, webhooks_view

router = APIRouter(include_in_schema=False)
Message = Annotated[str | None, Query(max_length=300)]
Segment = Annotated[str, Path(min_length=1, max_length=64)]
STAFF = "/console/webhooks"
PORTAL = "/portal/webhooks"


def _page(request: Request, viewer: Viewer, view: dict[str, Any], done: str | None, error: str | None,
          created: dict[str, Any] | None = None) -> Response:  # fmt: skip
    action = f"/portal/{quote(str(viewer.partner_id), safe='')}/webhooks" if viewer.is_partner else STAFF
    active = "webhooks"
    return page(request, "webhooks.html", {"viewer": viewer, "active": active, "view": view, "action": action,
                                           "done": done, "error": error, "created": created})  # fmt: skip


@router.get(STAFF)
async def staff_webhooks(request: Request, visit: StaffVisit, done: Message = None, error: Message = None) -> Response:
    """The subscriptions of no partner (a finance system's) with their delivery logs."""
    if not (seen := admitted(visit)):
        return refused(request, visit)
    return _page(request, seen[0], await webhooks_view(seen[1], None), done, error)


@router.get(PORTAL)
async def portal_webhooks(request: Request, visit: PortalVisit, done: Message = None,
                          error: Message = None) -> Response:  # fmt: skip
    """The partner's own subscriptions with their delivery logs."""
    if not (seen := admitted(visit)) or seen[0].partner_id is None:
        return refused(request, visit)
    return _page(request, seen[0], await webhooks_view(seen[1], seen[0].partner_id), done, error)


def _writer(request: Request, visit: Visit, partner_id: str | None) -> tuple[Viewer, Sources, str] | Response:
    """The viewer, its sources and its page; a refusal when the form is not this viewer's to send."""
    if not (seen := admitted(visit)):
        return refused(request, visit)
    viewer, sources = seen
    if viewer.partner_id != partner_id:
        return page(request, "error.html", {"viewer": viewer, "message": "Not found.", "status": 404}, 404)
    if not viewer.is_partner and not viewer.can_govern:
        message = "Managing webhook subscriptions needs governance:write."
        return page(request, "error.html", {"viewer": viewer, "message": message}, 403)
    return viewer, sources, PORTAL if viewer.is_partner else STAFF


async def _subscribe(request: Request, visit: Visit, partner_id: str | None) -> Response:
    if isinstance(seen := _writer(request, visit, partner_id), Response):
        return seen
    viewer, sources, here = seen
    form = await form_values(request)
    fields = {k: v[0] for k, v in form.items() if v}
    key = nonce_key(fields, "subscribe", str(partner_id))
    body = subscription_body(partner_id, form, EVENT_TYPES, subscription_id(fields.get("form_id", "")))
    if cross_site(request):
        return back(here, None, "This form was sent from another site.")
    if isinstance(body, str) or key is None:
        return back(here, None, body if isinstance(body, str) else STALE)
    answer = await sources.post("governance", "/subscriptions", body, idempotency_key=key)
    if answer.error or not isinstance(answer.data, dict):
        return back(here, None, answer.error or "governance did not answer with the subscription")
    # The secret is in this answer only: shown on this page (not stored, not put in a URL); reloading
    # it sends the same form again, which governance answers from its idempotency store.
    view = await webhooks_view(sources, partner_id)
    return _page(request, viewer, view, f"Subscription {answer.data.get('subscription_id')} created", None,
                 answer.data)  # fmt: skip


async def _deactivate(request: Request, visit: Visit, partner_id: str | None, sub_id: str) -> Response:
    if isinstance(seen := _writer(request, visit, partner_id), Response):
        return seen
    _, sources, here = seen

    async def send(_: dict[str, Any]) -> Answer:
        path = f"/subscriptions/{quote(sub_id, safe='')}"
        return await sources.delete("governance", path, idempotency_key=form_key("unsubscribe", sub_id))

    return await forward(request, here, {}, send, lambda a: f"Subscription {sub_id} deactivated")


async def _redeliver(request: Request, visit: Visit, partner_id: str | None, delivery_id: str) -> Response:
    if isinstance(seen := _writer(request, visit, partner_id), Response):
        return seen
    _, sources, here = seen
    key = nonce_key(await form_fields(request), "redeliver", delivery_id)
    body: dict[str, Any] | str = {} if key else STALE
    if not delivery_id.isdigit():
        body = "Unknown delivery."

    async def send(_: dict[str, Any]) -> Answer:
        path = f"/deliveries/{quote(delivery_id, safe='')}/redeliver"
        return await sources.post("governance", path, {}, idempotency_key=str(key))

    return await forward(request, here, body, send, lambda a: f"Delivery {delivery_id} queued again")


@router.post(f"{STAFF}/subscriptions")
async def staff_subscribe(request: Request, visit: StaffVisit) -> Response:
    return await _subscribe(request, visit, None)


@router.post(f"{STAFF}/subscriptions/{{subscription_id}}/deactivation")
async def staff_deactivate(request: Request, visit: StaffVisit, subscription_id: Segment) -> Response:
    return await _deactivate(request, visit, None, subscription_id)


@router.post(f"{STAFF}/deliveries/{{delivery_id}}/redelivery")
async def staff_redeliver(request: Request, visit: StaffVisit, delivery_id: Segment) -> Response:
    return await _redeliver(request, visit, None, delivery_id)


@router.post("/portal/{partner_id}/webhooks/subscriptions")
async def portal_subscribe(request: Request, visit: PortalVisit, partner_id: Segment) -> Response:
    return await _subscribe(request, visit, partner_id)


@router.post("/portal/{partner_id}/webhooks/subscriptions/{subscription_id}/deactivation")
async def portal_deactivate(request: Request, visit: PortalVisit, partner_id: Segment,
                            subscription_id: Segment) -> Response:  # fmt: skip
    return await _deactivate(request, visit, partner_id, subscription_id)


@router.post("/portal/{partner_id}/webhooks/deliveries/{delivery_id}/redelivery")
async def portal_redeliver(request: Request, visit: PortalVisit, partner_id: Segment, delivery_id: Segment) -> Response:
    return await _redeliver(request, visit, partner_id, delivery_id)
