"""What the console's pages are wired with: one visit, the signed-in viewer and the page's sources.

A page depends on exactly one visit (so on one authorization dependency, as the route-policy test
requires): the staff visit refuses partner-bound tokens (the page sends them to their portal), the
portal visit confines them to their own partner.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from ..deps import Container
from .session import Refusal, Viewer, portal_viewer, staff_viewer
from .sources import Sources, sources_for


@dataclass(frozen=True)
class Visit:
    """Who is looking and the page's data sources, or why the page is refused."""

    viewer: Viewer | None
    sources: Sources | None
    refusal: Refusal | None = None


async def _staff_visit(
    request: Request, viewer: Annotated[Viewer | Refusal, Depends(staff_viewer)], container: Container
) -> AsyncIterator[Visit]:
    if isinstance(viewer, Refusal):
        yield Visit(None, None, viewer)
        return
    async with sources_for(request.app, container.settings, viewer.token) as sources:
        yield Visit(viewer, sources)


async def _portal_visit(
    request: Request, viewer: Annotated[Viewer | Refusal, Depends(portal_viewer)], container: Container
) -> AsyncIterator[Visit]:
    if isinstance(viewer, Refusal):
        yield Visit(None, None, viewer)
        return
    async with sources_for(request.app, container.settings, viewer.token) as sources:
        yield Visit(viewer, sources)


StaffVisit = Annotated[Visit, Depends(_staff_visit)]
PortalVisit = Annotated[Visit, Depends(_portal_visit)]
