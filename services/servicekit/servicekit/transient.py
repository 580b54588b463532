"""The HTTP edge's answer to a transient database error (``transient_errors``): the request runs
again, or is answered 503, never 500.

:class:`RetryTransient` runs such a request again, up to ``ATTEMPTS`` times in all, after a short
pause, when the error reached it before any byte of the response was sent and before anything was
committed in that attempt. Commits are counted per attempt (``request_commits``: every engine
``servicekit.db.create_engine`` makes reports them), so a request that committed one
transaction and then failed in a second is not run again: its first part would be applied twice.
The request's body is replayed to the next attempt as the app read it the first time.

Otherwise (something was committed, or the attempts ran out) the answer is a 503 problem+json with
``Retry-After``, which webhook senders and finance clients retry. An error that is not transient,
or one that comes after the response has begun, is left to the server error handler as before.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .logging import log_fields
from .problems import problem_response
from .request_commits import counting
from .transient_errors import ATTEMPTS, PAUSE_SECONDS, is_transient

RETRY_AFTER_SECONDS = 1

log = logging.getLogger("servicekit.transient")


class RetryTransient:
    """ASGI middleware: the request again on a transient database error, else a 503 (see the module)."""

    def __init__(self, app: ASGIApp, attempts: int = ATTEMPTS) -> None:
        self.app = app
        self.attempts = attempts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        read: list[Message] = []  # the request's messages as the app read them
        started = False

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        for number in range(1, self.attempts + 1):
            with counting() as commits:
                try:
                    await self.app(scope, _replaying(read, receive), watched_send)
                    return
                except Exception as exc:
                    if started or not is_transient(exc):
                        raise
                    again = commits.count == 0 and number < self.attempts
                    fields = log_fields(path=scope.get("path"), attempt=number, commits=commits.count, again=again)
                    log.warning(f"transient database error: {type(exc).__name__}", extra=fields)
                    if not again:
                        await _unavailable(scope, send)
                        return
            await asyncio.sleep(PAUSE_SECONDS * number)


def _replaying(read: list[Message], receive: Receive) -> Receive:
    """``receive`` for one attempt: the messages an earlier attempt read, then the rest as they come
    (each recorded for a later attempt)."""
    position = 0

    async def replay() -> Message:
        nonlocal position
        if position < len(read):
            position += 1
            return read[position - 1]
        message = await receive()
        read.append(message)
        position += 1
        return message

    return replay


async def _unavailable(scope: Scope, send: Send) -> None:
    response = problem_response(
        503,
        "Service temporarily unavailable",
        "the request met a transient database conflict and was not completed; retry it "
        "(with the same Idempotency-Key where the route takes one)",
        kind="transient-conflict",
        instance=scope.get("path"),
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )

    async def no_body() -> Message:
        return {"type": "http.disconnect"}

    await response(scope, no_body, send)
