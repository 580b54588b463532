"""Who is reading a response, so response models can show a partner what it may learn and no more.

:func:`servicekit.auth.requires` records the request's principal here; the app resets it per request
(:class:`ViewerResetMiddleware`). A field typed :data:`ActorName` shows a partner-bound viewer the
names of its own partner's users and a role (``"program manager"``) for anyone else, so staff names
never reach partners, on every route that returns the model.
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
