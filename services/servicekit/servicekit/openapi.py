"""The OpenAPI document tells the truth: security, error responses and headers, once for every route.

FastAPI describes a route's parameters, body and success model; what it cannot see is how this
codebase authorizes and fails. :func:`describe` completes each operation from what the route
declares:

- a ``requires(...)`` dependency: the ``bearerAuth`` (HTTP bearer, JWT) security requirement, the
  scopes it accepts (``x-required-scopes``), and 401 (with ``WWW-Authenticate``), 403 and 404 (a
  partner-bound token is answered 404 for what belongs to another partner, filters included);
- a write (POST/PUT/PATCH/DELETE) behind a token: the optional ``Idempotency-Key`` header, the
  ``Idempotent-Replayed`` header on a replayed success, 409 (a request in flight) and 422 (the key
  reused with another body), and the status of every kind of domain error, from the same table the
  handlers answer with (``servicekit.problems.DOMAIN_STATUSES``; each status names its kinds);
- a webhook (``webhook_openapi`` in its decorator): its signature headers instead of a token, and
  400, 401, 403, 413;
- path parameters: 404; any parameter or body: 422 (validation, a NUL character); a JSON body or a
  ``cursor``: 400 (malformed JSON, a cursor this API did not issue).

Every error response is ``application/problem+json`` with the shared ``Problem`` schema (RFC 9457).
Health, readiness and metrics routes declare no security.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict

from .problems import DOMAIN_STATUSES, PROBLEM_JSON

BEARER = "bearerAuth"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SIGNATURE_HEADERS = "x-signature-headers"

ERROR_TEXT = {
    400: "Malformed request (JSON, cursor or Idempotency-Key)",
    401: "No valid credentials (bearer token or webhook signature)",
    403: "The credentials do not allow this action",
    404: "No such resource for this caller",
    409: "Conflicting state, or a request with this Idempotency-Key still in flight",
    413: "The body is larger than allowed",
    422: "Invalid input (the field is named), a rule violated, or an Idempotency-Key reused",
}


class ProblemError(BaseModel):
    """One invalid field of a 422."""

    location: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details; some problems add members (``errors``, ``max_bytes``, ...)."""

    model_config = ConfigDict(extra="allow", title="Problem")

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[ProblemError | str] | None = None


def webhook_openapi(
    *signature_headers: str, media_type: str = "application/json", success_media_type: str = "application/json"
) -> dict[str, Any]:
    """``openapi_extra`` of a signed webhook route (its body is read raw, so FastAPI cannot see it)."""
    return {
        SIGNATURE_HEADERS: list(signature_headers),
        "parameters": [
            {"name": name, "in": "header", "required": True, "schema": {"type": "string"}} for name in signature_headers
        ],
        "requestBody": {"required": True, "content": {media_type: {"schema": {}}}},
        "x-success-media-type": success_media_type,
    }


def required_scopes(call: Callable[..., Any] | None) -> tuple[str, ...] | None:
    """The scopes a ``servicekit.auth.requires`` dependency accepts (None: not such a dependency)."""
    if call is None:
        return None
    scopes = getattr(call, "required_scopes", None)
    if scopes is None and getattr(call, "__qualname__", "").startswith("requires.<locals>"):
        scopes = inspect.getclosurevars(call).nonlocals.get("any_of")
    return tuple(scopes) if scopes is not None else None


def _route_scopes(dependant: Any) -> tuple[str, ...] | None:
    for sub in dependant.dependencies:
        found = required_scopes(sub.call)
        if found is None:
            found = _route_scopes(sub)
        if found is not None:
            return found
    return None


def _routes(routes: Any) -> Iterator[Any]:
    """Every route (a context with path, methods and dependant), included routers flattened."""
    for route in routes:
        nested = getattr(route, "effective_route_contexts", None)
        if nested is not None:
            yield from _routes(nested())
        elif getattr(route, "dependant", None) is not None and getattr(route, "include_in_schema", True):
            yield route


def _description(status: int) -> str:
    """The status's words, naming the kinds of domain error answered with it."""
    kinds = [kind.title for kind, code in DOMAIN_STATUSES.items() if code == status]
    return ERROR_TEXT[status] + (f" (domain errors: {', '.join(kinds)})" if kinds else "")


def _problem_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": _description(status),
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    if status == 401:
        response["headers"] = {
            "WWW-Authenticate": {"description": "the challenge (RFC 9110)", "schema": {"type": "string"}}
        }
    return response


def _complete(operation: dict[str, Any], route: Any, method: str) -> None:
    dependant = route.dependant
    extra = route.openapi_extra or {}
    scopes = _route_scopes(dependant)
    signature_headers = extra.get(SIGNATURE_HEADERS)
    operation.pop(SIGNATURE_HEADERS, None)
    statuses: set[int] = set()
    if dependant.path_params:
        statuses |= {404, 422}
    if dependant.query_params or dependant.header_params or dependant.body_params:
        statuses.add(422)
    if dependant.body_params or any(p.name == "cursor" for p in dependant.query_params):
        statuses.add(400)
    if scopes is not None:
        operation["security"] = [{BEARER: []}]
        operation["x-required-scopes"] = list(scopes)
        statuses |= {401, 403, 404}  # 404: what a partner-bound token may not see does not exist for it
        if method in WRITE_METHODS:
            statuses |= {400, 409, 422} | set(DOMAIN_STATUSES.values())
            _add_idempotency_key(operation)
    elif signature_headers:
        operation["security"] = []
        statuses |= {400, 401, 403, 413}
        media_type = extra.get("x-success-media-type", "application/json")
        operation.pop("x-success-media-type", None)
        for code, response in operation["responses"].items():
            if code.startswith("2") and media_type != "application/json":
                response["content"] = {media_type: {"schema": {"type": "string"}}}
    responses = operation.setdefault("responses", {})
    for status in sorted(statuses):
        responses[str(status)] = _problem_response(status)
    for code, response in responses.items():  # a route's own error statuses (415, ...) answer problems too
        if code.startswith("4") and not response.get("content"):
            response["content"] = _problem_response(400)["content"]


def _add_idempotency_key(operation: dict[str, Any]) -> None:
    parameters = operation.setdefault("parameters", [])
    if not any(p.get("name", "").lower() == "idempotency-key" for p in parameters):
        parameters.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": "Replays the first response to the same request with the same key (per caller)",
                "schema": {"type": "string", "minLength": 1, "maxLength": 255},
            }
        )
    for code, response in operation.get("responses", {}).items():
        if code.startswith("2"):
            response.setdefault("headers", {})["Idempotent-Replayed"] = {
                "description": "true when this answer replays an earlier request with the same key",
                "schema": {"type": "string", "enum": ["true"]},
            }


def describe(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document, completed (see the module docstring)."""
    document = get_openapi(title=app.title, version=app.version, routes=app.routes, description=app.description)
    for route in _routes(app.routes):
        for method in sorted(route.methods or ()):
            operation = document.get("paths", {}).get(route.path_format, {}).get(method.lower())
            if operation is not None:
                _complete(operation, route, method)
    components = document.setdefault("components", {})
    components.setdefault("securitySchemes", {})[BEARER] = {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A scoped token (servicekit mint-token); partner tokens are bound to one partner",
    }
    schemas = components.setdefault("schemas", {})
    problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem_schema.pop("$defs", {}))
    schemas["Problem"] = problem_schema
    _drop_unused(document, ("HTTPValidationError", "ValidationError"))
    return document


def _drop_unused(document: dict[str, Any], names: tuple[str, ...]) -> None:
    text = json.dumps(document.get("paths", {}))
    schemas = document["components"]["schemas"]
    for name in names:
        if f"#/components/schemas/{name}" not in text:
            schemas.pop(name, None)


def install_openapi(app: FastAPI) -> None:
    """Serve the completed document (built once, on first use)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = describe(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def documented(model: Any, *statuses: int, media_types: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Decorator arguments of a route that builds its JSON itself (a dict or a ``JSONResponse``):
    the document shows ``model`` for each success status (200 unless given), and the route's JSON
    is sent as built, never re-serialized (so what clients receive does not change). ``media_types``
    adds other representations of the same answer (``{"text/csv": {"schema": {"type": "string"}}}``).
    """
    responses: dict[int | str, dict[str, Any]] = {}
    for status in statuses or (200,):
        responses[status] = {"model": model, "description": "Successful Response"}
        if media_types:
            responses[status]["content"] = dict(media_types)
    return {"response_model": None, "responses": responses}


TEXT_CSV = {"text/csv": {"schema": {"type": "string"}}}
