"""``/dead-letters`` over HTTP (scope ``ops:admin``, never with a partner-bound token): list, read,
re-drive one or all. Every service mounts it with the consumer spec its ``consume`` command runs, so a
re-drive uses the very handler that dead-lettered the event."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from . import dead_letters as cases
from .auth import Principal, requires
from .consumer import IdempotentConsumer
from .container import runtime_of
from .idempotency import run_write
from .problems import Problem
from .runner import ConsumerSpec
from .unit_of_work import UnitOfWork

OPS = requires("ops:admin")
DeadLetterId = Annotated[int, Path(ge=1, le=2**63 - 1, description="a dead letter's id")]
RedriveAction = Callable[[UnitOfWork, IdempotentConsumer], Awaitable[tuple[int, Any]]]


class DeadLetterOut(BaseModel):
    id: int
    consumer_group: str
    event_id: str | None
    reason: str
    topic: str
    partition: int
    offset: int
    dead_lettered_at: datetime
    redriven_at: datetime | None

    @classmethod
    def of(cls, letter: cases.DeadLetter) -> DeadLetterOut:
        return cls(**vars(letter))


class DeadLetterPageOut(BaseModel):
    items: list[DeadLetterOut]
    next_cursor: str | None


class RedriveOneOut(BaseModel):
    redriven: bool  # False: it still fails (``dead_letter.reason`` is the new reason) and stays listed
    dead_letter: DeadLetterOut


class RedriveAllOut(BaseModel):
    redriven: int
    still_failing: list[DeadLetterOut]


def _problem(exc: Exception) -> Problem:
    if isinstance(exc, cases.DeadLetterNotFound):
        return Problem(404, "Not found", str(exc))
    if isinstance(exc, cases.AlreadyRedriven):
        return Problem(409, "Already re-driven", str(exc), kind="already-redriven")
    return Problem(409, "Other consumer", str(exc), kind="other-consumer")


async def _redrive(spec: ConsumerSpec, request: Request, principal: Principal, action: RedriveAction) -> JSONResponse:
    """Run ``action`` with the consumer ``spec`` builds on the app's runtime, in one idempotent write."""
    runtime = runtime_of(request)
    built = spec.build(runtime)
    try:
        return await run_write(request, principal, runtime.uow_factory, lambda uow: action(uow, built))
    except (cases.DeadLetterNotFound, cases.AlreadyRedriven, cases.NotThisConsumers) as exc:
        raise _problem(exc) from exc
    finally:
        await built.consumer.stop()  # never started: releases what the client allocated


def dead_letter_router(spec: ConsumerSpec) -> APIRouter:
    """The routes, re-driving through the consumer ``spec`` builds (no Kafka connection is made)."""
    router = APIRouter(prefix="/dead-letters", tags=["dead letters"])

    @router.get("")
    async def list_dead_letters(
        request: Request,
        principal: Annotated[Principal, Depends(OPS)],
        redriven: bool | None = None,
        cursor: str | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> DeadLetterPageOut:
        async with runtime_of(request).uow_factory() as uow:
            page = await cases.list_dead_letters(uow, redriven=redriven, cursor=cursor, limit=limit)
        return DeadLetterPageOut(items=[DeadLetterOut.of(d) for d in page.items], next_cursor=page.next_cursor)

    @router.get("/{dead_letter_id:int}")
    async def get_dead_letter(
        dead_letter_id: DeadLetterId, request: Request, principal: Annotated[Principal, Depends(OPS)]
    ) -> DeadLetterOut:
        try:
            async with runtime_of(request).uow_factory() as uow:
                return DeadLetterOut.of(await cases.get_dead_letter(uow, dead_letter_id))
        except cases.DeadLetterNotFound as exc:
            raise _problem(exc) from exc

    @router.post("/redrive", response_model=RedriveAllOut)
    async def redrive_all(request: Request, principal: Annotated[Principal, Depends(OPS)]) -> JSONResponse:
        """Re-drive every dead letter of this service's consumer not re-driven yet (Idempotency-Key honoured)."""

        async def action(uow: UnitOfWork, built: IdempotentConsumer) -> tuple[int, RedriveAllOut]:
            outcome = await cases.redrive_all(uow, built)
            return 200, RedriveAllOut(
                redriven=outcome.applied, still_failing=[DeadLetterOut.of(d) for d in outcome.still_failing]
            )

        return await _redrive(spec, request, principal, action)

    @router.post("/{dead_letter_id:int}/redrive", response_model=RedriveOneOut)
    async def redrive_one(
        dead_letter_id: DeadLetterId, request: Request, principal: Annotated[Principal, Depends(OPS)]
    ) -> JSONResponse:
        """Re-drive one dead letter, at most once: 404 for an unknown id, 409 if re-driven before."""

        async def action(uow: UnitOfWork, built: IdempotentConsumer) -> tuple[int, RedriveOneOut]:
            letter = await cases.redrive_one(uow, built, dead_letter_id)
            return 200, RedriveOneOut(redriven=letter.redriven_at is not None, dead_letter=DeadLetterOut.of(letter))

        return await _redrive(spec, request, principal, action)

    return router
