"""Reading a request body no larger than a limit, refusing it (413) before reading it whole.

A ``Content-Length`` over the limit is refused without reading a byte; a body without one
(chunked) is read only until it passes the limit.
"""

from __future__ import annotations

from starlette.requests import Request

from .problems import Problem


def too_large(limit: int) -> Problem:
    return Problem(413, "Payload too large", f"the body must be at most {limit} bytes", max_bytes=limit)


async def read_capped(request: Request, limit: int) -> bytes:
    """The body, or :class:`Problem` 413 once it is known to exceed ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and (len(declared) > 18 or int(declared) > limit):
        raise too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)
