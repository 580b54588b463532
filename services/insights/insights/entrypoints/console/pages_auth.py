"""Sign-in, sign-out and the console's static files (the token-free part of the console)."""

from __future__ import annotations

import mimetypes
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..deps import Container
from .render import HERE, page
from .session import COOKIE, verify

router = APIRouter(include_in_schema=False)
STATIC = HERE / "static"
MAX_FORM_BYTES = 16_384


@router.get("/sign-in")
async def sign_in_form(request: Request) -> HTMLResponse:
    return page(request, "sign_in.html", {"error": None})


@router.post("/sign-in")
async def sign_in(request: Request, container: Container) -> Response:
    """Keep a valid token in an HttpOnly, SameSite=Strict cookie; a bad one shows the form again (401)."""
    body = await request.body()
    fields = parse_qs(body[:MAX_FORM_BYTES].decode("utf-8", "replace")) if len(body) <= MAX_FORM_BYTES else {}
    token = (fields.get("token") or [""])[0].strip()
    principal = verify(request, token) if token and "\x00" not in token else None
    if principal is None:
        error = "That token was not accepted: it is expired, malformed or signed with another key."
        return page(request, "sign_in.html", {"error": error}, status_code=401)
    target = "/portal" if principal.partner_id else "/"
    response = RedirectResponse(target, status_code=303)
    chosen = container.settings.secure_cookie
    secure = chosen if chosen is not None else request.url.scheme == "https"
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=secure, max_age=12 * 3600, path="/")
    return response


@router.post("/sign-out")
async def sign_out() -> Response:
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/static/{name:path}")
async def static(name: Annotated[str, Path(max_length=200)]) -> Response:
    """The console's CSS, script and vendored Chart.js (served here, never from a CDN)."""
    target = (STATIC / name).resolve()
    if not target.is_file() or STATIC.resolve() not in target.parents:
        return Response("not found", status_code=404, media_type="text/plain")
    media = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    return Response(target.read_bytes(), media_type=media, headers={"Cache-Control": "public, max-age=3600"})
