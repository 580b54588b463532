"""The partner portal: a partner-bound token sees its own pipeline with stage gates and forecast
closes, its statement with explanations, MDF funds and requests, its tier and what the next one needs,
and the program rules in force and announced. Every call carries the partner's own token (the APIs
confine it), except the program rules, read with the console's ledger:read token and cut down to the
rules every partner of the program may know."""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ..deps import Container
from .deps import PortalVisit
from .governance_data import DISPUTE_SUBJECTS, governance_view
from .partner_data import partner_view, rules_for, settings_reader_token, tier_progress
from .render import admitted, page, refused
from .sources import sources_for
from .views import GATES, gate_position, partner_safe_rules

router = APIRouter(include_in_schema=False)
Message = Annotated[str | None, Query(max_length=300)]


@router.get("/portal")
async def portal(request: Request, visit: PortalVisit, container: Container, done: Message = None,
                 error: Message = None) -> Response:  # fmt: skip
    if not (seen := admitted(visit)) or seen[0].partner_id is None:
        return refused(request, visit)
    viewer, sources = seen
    view = await partner_view(sources, str(viewer.partner_id))
    program = str((view["found"]["partner"].data or {}).get("program_id") or "default")
    settings = container.settings
    token = settings_reader_token(settings)
    async with AsyncExitStack() as stack:
        reader = await stack.enter_async_context(sources_for(request.app, settings, token)) if token else None
        versions, rules = await rules_for(sources, program, reader)
    today = view["today"].isoformat()
    published = [v for v in versions.items() if v.get("status") == "published"]
    in_force = [v for v in published if str(v.get("effective_from")) <= today][-1:]
    announced = [v for v in published if str(v.get("effective_from")) > today]
    context = {
        "viewer": viewer, "active": "portal", "view": view, "portal": True, "gates": GATES,
        "gate_position": gate_position, "tier": await tier_progress(sources, view, rules),
        "rules": partner_safe_rules(rules), "in_force": [_safe(v) for v in in_force],
        "announced": [_safe(v) for v in announced], "rules_error": versions.error, "done": done, "error": error,
        "gov": await governance_view(sources, str(viewer.partner_id)), "dispute_subjects": DISPUTE_SUBJECTS,
        "notices": await sources.get("ledger", f"/partners/{quote(str(viewer.partner_id), safe='')}/notices"),
    }  # fmt: skip
    return page(request, "portal.html", context)


def _safe(version: dict[str, object]) -> dict[str, object]:
    rules = version.get("rules")
    return {**{k: v for k, v in version.items() if k != "rules"},
            "rules": partner_safe_rules(rules if isinstance(rules, dict) else None)}  # fmt: skip
