"""RFC 9457 problem+json errors: clear messages, no stack traces, no partial writes."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from incentive_kernel.errors import (
    AlreadyExists,
    Conflict,
    DomainError,
    InvalidDocument,
    InvalidRequest,
    InvalidTransition,
    Malformed,
    NotFound,
    NotPermitted,
    RuleViolation,
)
from starlette.exceptions import HTTPException as StarletteHTTPException

from .pagination import InvalidCursor
from .route_table import allowed_methods
from .viewer import is_partner_viewer

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://partner-incentives.example/problems/"


class Problem(Exception):
    """Raise anywhere in an entrypoint to answer with problem+json."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        kind: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.kind = kind or title.lower().replace(" ", "-")
        self.headers = headers or {}
        self.extra = extra


def problem_response(
    status: int,
    title: str,
    detail: str,
    *,
    kind: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """The problem+json answer; a 401 always names its scheme (``WWW-Authenticate``, RFC 9110)."""
    body: dict[str, Any] = {
        "type": TYPE_BASE + (kind or title.lower().replace(" ", "-")),
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    headers = dict(headers or {})
    if status == 401 and not any(name.lower() == "www-authenticate" for name in headers):
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers or None)


def route_path(scope: Any) -> str:
    """The path routes match (``root_path`` removed)."""
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    return path[len(root_path) :] if root_path and path.startswith(root_path) else path


ID_UNAVAILABLE = ("Id unavailable", "this id cannot be used; choose another (or let the service choose one)")
"""What a partner-bound caller hears when the id it chose is taken, whoever holds it (its own partner or
another): the same words either way, naming no owner and nothing of the object."""


CRASH = ("Internal error", "the request could not be completed; nothing was changed")

DOMAIN_STATUSES: dict[type[DomainError], int] = {
    NotFound: 404,
    AlreadyExists: 409,
    InvalidTransition: 409,
    Conflict: 409,
    RuleViolation: 422,
    InvalidRequest: 422,
    InvalidDocument: 422,
    Malformed: 400,
    NotPermitted: 403,
}
"""The status code of each kind of the kernel's error vocabulary (a service's subclass answers its kind's
code under its own ``title``); the OpenAPI document declares these statuses from this same table."""


def domain_status(error_type: type[BaseException]) -> int | None:
    """The status code of a domain error type: its nearest kind's (None: not a kind of the vocabulary)."""
    for kind in error_type.__mro__:
        if issubclass(kind, DomainError) and kind in DOMAIN_STATUSES:
            return DOMAIN_STATUSES[kind]
    return None


def install_problem_handlers(
    app: FastAPI,
    domain_errors: dict[type[Exception], tuple[int, str]] | None = None,
    undisclosed_to_partners: tuple[type[Exception], ...] = (),
) -> None:
    """Map Problem, HTTP errors, validation errors, domain errors and crashes to problem+json.

    The kernel's domain errors are mapped by kind (``DOMAIN_STATUSES``); ``domain_errors`` adds
    (status, title) for other exception types of a service. An error of ``undisclosed_to_partners``
    answers a partner-bound caller with neutral words (``ID_UNAVAILABLE``).
    """
    _install_request_handlers(app)
    mapped: dict[type[Exception], tuple[int, str]] = {DomainError: (0, ""), **(domain_errors or {})}
    for error_type, (status, title) in mapped.items():
        app.add_exception_handler(error_type, _domain_handler(status, title, undisclosed_to_partners))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(500, *CRASH)


def _domain_handler(
    status: int, title: str, undisclosed: tuple[type[Exception], ...]
) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
    """The handler of one mapped type (status 0: a kernel kind, whose status and title the error gives)."""

    async def _domain(request: Request, exc: Exception) -> JSONResponse:
        code, words = status, title
        if not code:
            code, words = domain_status(type(exc)) or 0, getattr(exc, "title", "")
            if not code:  # a DomainError of no kind: a bug, answered as any crash
                log.error("unmapped domain error on %s %s", request.method, request.url.path, exc_info=exc)
                return problem_response(500, *CRASH)
        if isinstance(exc, undisclosed) and is_partner_viewer():
            return problem_response(code, *ID_UNAVAILABLE, instance=request.url.path)
        extra = getattr(exc, "problem_extra", {}) or {}
        return problem_response(code, words, str(exc), instance=request.url.path, **extra)

    return _domain


def _install_request_handlers(app: FastAPI) -> None:
    """Raised problems, HTTP errors (404, 405), invalid requests and foreign cursors."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(
            exc.status,
            exc.title,
            exc.detail,
            kind=exc.kind,
            instance=request.url.path,
            headers=exc.headers,
            **exc.extra,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "HTTP error")
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request.app, route_path(request.scope)) or headers.get("Allow", "")
        return problem_response(exc.status_code, title, str(exc.detail), instance=request.url.path, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"location": ".".join(str(p) for p in err.get("loc", ())), "message": err.get("msg", "")}
            for err in exc.errors()
        ]
        if any(err.get("type") == "json_invalid" for err in exc.errors()):
            return problem_response(
                400, "Malformed JSON", "the request body is not valid JSON", instance=request.url.path
            )
        return problem_response(
            422,
            "Invalid request",
            "; ".join(f"{e['location']}: {e['message']}" for e in errors),
            kind="validation-error",
            instance=request.url.path,
            errors=errors,
        )

    @app.exception_handler(InvalidCursor)
    async def _cursor(request: Request, exc: InvalidCursor) -> JSONResponse:
        return problem_response(400, "Bad cursor", str(exc), instance=request.url.path)
