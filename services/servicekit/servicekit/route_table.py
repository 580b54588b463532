"""Which routes of an app serve a path: for ``Allow`` on a 405 and for naming a path parameter.

FastAPI keeps included routers as nested branches; this walks them down to the routes with a path
template and methods, and matches a request path against the templates as the router does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from starlette.routing import compile_path


@dataclass(frozen=True)
class PathMatch:
    methods: frozenset[str]
    params: dict[str, str]


def http_routes(routes: Any) -> Iterator[tuple[str, frozenset[str]]]:
    """(path template, methods) of every HTTP route, included routers flattened."""
    for route in routes:
        nested = getattr(route, "effective_route_contexts", None)
        if nested is not None:
            yield from http_routes(nested())
            continue
        path, methods = getattr(route, "path", None), getattr(route, "methods", None)
        if isinstance(path, str) and methods:
            yield path, frozenset(methods)


def matches(app: Any, path: str) -> list[PathMatch]:
    """Every route whose template matches ``path`` (any method), with its path parameters."""
    found = []
    for template, methods in http_routes(getattr(app, "routes", ())):
        match = _regex(template).match(path)
        if match is not None:
            found.append(PathMatch(methods, match.groupdict()))
    return found


def allowed_methods(app: Any, path: str) -> str:
    """The ``Allow`` value for ``path``: the methods of the resource the path names, i.e. of the most
    specific templates that match it (``/deals/expire`` is the POST-only action, not a deal id that
    ``GET /deals/{deal_id}`` would look up), as the OpenAPI document lists them."""
    found = matches(app, path)
    fewest = min((len(m.params) for m in found), default=0)
    methods: set[str] = set()
    for match in found:
        if len(match.params) == fewest:
            methods |= match.methods
    return ", ".join(sorted(methods))


@lru_cache(maxsize=1024)
def _regex(template: str) -> re.Pattern[str]:
    return compile_path(template)[0]
