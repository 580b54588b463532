"""What the console's pages are wired with: the signed-in viewer and a page's data sources."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request

from ..deps import Container
from .session import Viewer, portal_viewer, staff_viewer
from .sources import Sources, sources_for

StaffViewer = Annotated[Viewer | None, Depends(staff_viewer)]
PortalViewer = Annotated[Viewer | None, Depends(portal_viewer)]


async def _staff_sources(request: Request, viewer: StaffViewer, container: Container) -> AsyncIterator[Sources | None]:
    if viewer is None or viewer.is_partner:
        yield None
        return
    async with sources_for(request.app, container.settings, viewer.token) as sources:
        yield sources


async def _portal_sources(
    request: Request, viewer: PortalViewer, container: Container
) -> AsyncIterator[Sources | None]:
    if viewer is None or not viewer.is_partner:
        yield None
        return
    async with sources_for(request.app, container.settings, viewer.token) as sources:
        yield sources


StaffSources = Annotated[Sources | None, Depends(_staff_sources)]
PortalSources = Annotated[Sources | None, Depends(_portal_sources)]
