"""Who is reading a response, so response models can show a partner what it may learn and no more.

:func:`servicekit.auth.requires` records the request's principal here; the app resets it per request
(:class:`ViewerResetMiddleware`). For a partner-bound viewer, on every route that returns the model:

- a field typed :data:`ActorName` shows the names of the viewer's own partner's users
  (``partner:<id>:<subject>``) and a role (``"program manager"``) for anyone else: staff names and other
  partners' users never reach a partner;
- a field typed :data:`OtherPartiesRefs` (ids of other partners' objects, e.g. a conflict's rival
  registrations) is empty: a partner learns that a conflict exists (its kind and count), never whose;
- :func:`partner_safe` applies both rules to free-form event data (a history entry's ``data``).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import PlainSerializer
from starlette.types import ASGIApp, Receive, Scope, Send

if TYPE_CHECKING:
    from .auth import Principal

STAFF_ROLE = "program manager"

viewer_var: ContextVar[Principal | None] = ContextVar("viewer", default=None)


def is_partner_viewer() -> bool:
    viewer = viewer_var.get()
    return viewer is not None and viewer.partner_id is not None


def shown_actor(name: str | None) -> str | None:
    """``name`` as the current viewer may see it: unbound viewers see it all; a partner-bound viewer sees
    its own partner's actors (``partner:<id>:<subject>``) and its own subject, a role for everyone else."""
    viewer = viewer_var.get()
    if name is None or viewer is None or viewer.partner_id is None:
        return name
    if name.startswith(f"partner:{viewer.partner_id}:"):
        return name
    return STAFF_ROLE


def _serialize(name: Any) -> Any:
    return shown_actor(name) if isinstance(name, str) else name


ActorName = Annotated[str, PlainSerializer(_serialize, return_type=str)]
"""A person's name in a response: a role instead of a staff name for partner-bound viewers."""

OptionalActorName = Annotated[str | None, PlainSerializer(_serialize, return_type=str | None)]

OTHER_PARTIES_KEYS = frozenset({"conflicts_with", "rejected_deal_ids", "released_direct_deals"})


def _names_an_actor(key: str) -> bool:
    return key in ("actor", "by") or key.endswith("_by")


def other_parties(refs: list[str]) -> list[str]:
    """Ids of other parties' objects as the current viewer may see them: none for a partner."""
    return [] if is_partner_viewer() else refs


OtherPartiesRefs = Annotated[list[str], PlainSerializer(other_parties, return_type=list[str])]


def partner_safe(data: Any) -> Any:
    """Free-form data (nested dicts and lists) with :data:`ActorName` and :data:`OtherPartiesRefs`
    rules applied to the keys that carry names or other parties' ids, for the current viewer."""
    if not is_partner_viewer():
        return data
    if isinstance(data, list):
        return [partner_safe(x) for x in data]
    if not isinstance(data, dict):
        return data
    shown: dict[str, Any] = {}
    for key, value in data.items():
        if _names_an_actor(key) and isinstance(value, str):
            shown[key] = shown_actor(value)
        elif key in OTHER_PARTIES_KEYS and isinstance(value, list):
            shown[key] = []
        else:
            shown[key] = partner_safe(value)
    return shown


PartnerSafeData = Annotated[dict[str, Any], PlainSerializer(partner_safe, return_type=dict[str, Any])]
"""Free-form data (event payloads in a history) with :func:`partner_safe` applied."""


class ViewerResetMiddleware:
    """Each request starts without a viewer (an in-process client runs requests in one task)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = viewer_var.set(None)
        try:
            await self.app(scope, receive, send)
        finally:
            viewer_var.reset(token)
