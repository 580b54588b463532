"""What every console form shares: its fields, the same-origin check, and the redirect back to its page
with what was done or why not (post/redirect/get: reloading the page never sends the form again)."""

from __future__ import annotations

from urllib.parse import parse_qs, quote

from fastapi import Request
from fastapi.responses import RedirectResponse


async def form_fields(request: Request) -> dict[str, str]:
    """The form's fields (the first value of each); empty when the body is too large to be a form."""
    body = await request.body()
    if len(body) > 16_384:
        return {}
    return {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items() if v}


def cross_site(request: Request) -> bool:
    """The form was sent from a page of another origin."""
    origin = request.headers.get("origin") or ""
    return bool(origin) and origin.split("://", 1)[-1] != request.headers.get("host", "")


def back(page_path: str, done: str | None, problem: str | None) -> RedirectResponse:
    query = f"error={quote(problem[:250])}" if problem else f"done={quote((done or '')[:250])}"
    return RedirectResponse(f"{page_path}?{query}", status_code=303)
