"""NUL characters are refused at the edge (422 naming the field), on every service.

PostgreSQL stores no NUL (``\\u0000``) in ``text`` or ``jsonb``, so a NUL that reaches a query is a
500 with nothing useful said. :class:`NulGuard` refuses it before any route runs:

- in the path (answered before routing; the path parameter is named when a route matches) and in
  the query string (the parameter is named);
- in a JSON body: the guard watches the body as the app reads it (nothing is buffered or read on
  the app's behalf, so a route that caps its body still reads no more than its cap) and, when the
  last chunk holds a ``\\u0000`` escape, raises :class:`NulInBody` from ``receive``. The app's
  handler answers it like a validation error, with the location of the first offending string.

A NUL the guard cannot see (inside a YAML document, say) is still no 500: PostgreSQL's refusal of a
character it cannot store (SQLSTATE 22021 / 22P05) is answered 422, the transaction rolled back.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .problems import problem_response, route_path
from .route_table import matches

NUL = "\x00"
ESCAPED_NUL = b"\\u0000"
MESSAGE = "NUL characters (\\u0000) are not accepted"
UNSTORABLE_CHARACTER = {"22021", "22P05"}  # character_not_in_repertoire, untranslatable_character


class NulInBody(HTTPException):
    """A JSON body holds a NUL character (an HTTPException, so FastAPI passes it on as it is)."""

    def __init__(self, location: str) -> None:
        super().__init__(422, MESSAGE)
        self.location = location


def nul_problem(location: str, instance: str) -> JSONResponse:
    return problem_response(
        422,
        "Invalid request",
        f"{location}: {MESSAGE}",
        kind="validation-error",
        instance=instance,
        errors=[{"location": location, "message": MESSAGE}],
    )


def install_nul_guard(app: FastAPI) -> None:
    """Add the guard (outside any middleware the service adds later) and its handler."""
    app.add_middleware(NulGuard)

    async def _nul(request: Request, exc: Exception) -> JSONResponse:
        location = exc.location if isinstance(exc, NulInBody) else "body"
        return nul_problem(location, request.url.path)

    app.add_exception_handler(NulInBody, _nul)

    async def _unstorable(request: Request, exc: Exception) -> JSONResponse:
        orig = getattr(exc, "orig", exc)
        if (getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)) not in UNSTORABLE_CHARACTER:
            raise exc  # any other database error is the server error handler's (500)
        return problem_response(
            422,
            "Invalid request",
            "the request holds a character that cannot be stored (such as NUL, \\u0000); nothing was changed",
            kind="validation-error",
            instance=request.url.path,
            errors=[{"location": "request", "message": MESSAGE}],
        )

    app.add_exception_handler(DBAPIError, _unstorable)
    app.add_exception_handler(asyncpg.PostgresError, _unstorable)


class NulGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        location = _nul_in_path(scope) or _nul_in_query(scope["query_string"])
        if location is not None:
            await nul_problem(location, scope["path"].replace(NUL, "%00"))(scope, receive, send)
            return
        await self.app(scope, _watching(receive), send)


def _nul_in_path(scope: Scope) -> str | None:
    path = route_path(scope)
    if NUL not in path:
        return None
    for match in matches(scope.get("app"), path):
        for name, value in match.params.items():
            if NUL in value:
                return f"path.{name}"
    return "path"


def _nul_in_query(query_string: bytes) -> str | None:
    if b"%00" not in query_string and b"\x00" not in query_string:
        return None
    for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True, encoding="latin-1"):
        if NUL in name or NUL in value:
            return f"query.{name.replace(NUL, '')}"
    return "query"


def _watching(receive: Receive) -> Receive:
    """``receive`` that checks the whole body once its last chunk has arrived."""
    chunks: list[bytes] = []

    async def watched() -> Message:
        message = await receive()
        if message["type"] != "http.request":
            return message
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
            chunks.clear()
            if ESCAPED_NUL in body:
                location = _nul_in_json(body)
                if location is not None:
                    raise NulInBody(location)
        return message

    return watched


def _nul_in_json(body: bytes) -> str | None:
    """Where the first NUL is (``body.a.0.b``), or None (not JSON, or the escape was itself escaped)."""
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):
        return None  # the app answers a malformed body itself
    return _find(parsed, "body")


def _find(value: Any, location: str) -> str | None:
    if isinstance(value, str):
        return location if NUL in value else None
    items: Any = ()
    if isinstance(value, dict):
        for key in value:
            if NUL in key:
                return f"{location}.{key.replace(NUL, '')}"
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    for key, item in items:
        found = _find(item, f"{location}.{key}")
        if found is not None:
            return found
    return None
