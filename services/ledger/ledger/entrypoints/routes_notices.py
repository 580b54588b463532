"""Policy-change notices over HTTP: announced versions and what they change, acknowledgements."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from servicekit.auth import Principal, requires
from servicekit.container import container_dependency
from servicekit.idempotency import run_write
from servicekit.unit_of_work import UnitOfWork

from ..application import notices as cases
from ..application.notices import Acknowledgement, Notice, NoticeStatus
from ..bootstrap import LedgerContainer

router = APIRouter(tags=["notices"])
Ledger = Annotated[LedgerContainer, Depends(container_dependency(LedgerContainer))]
STAFF = requires("program:admin", "ledger:read", "audit:read")
PARTNER_READERS = requires("program:admin", "ledger:read", "partner:read", partner_bound="confine")
PARTNER_WRITERS = requires("partner:write", partner_bound="confine")
VersionPath = Annotated[int, Path(ge=0, le=2_147_483_647, description="an announced program version")]


class DifferenceOut(BaseModel):
    area: str
    text: str


class AcknowledgementOut(BaseModel):
    partner_id: str
    program_id: str
    version: int
    acknowledged_by: str
    acknowledged_at: datetime

    @classmethod
    def of(cls, ack: Acknowledgement) -> AcknowledgementOut:
        return cls(**ack.__dict__)


class NoticeOut(BaseModel):
    program_id: str
    version: int
    title: str
    effective_from: date
    published_at: datetime
    replaces_version: int | None
    differences: list[DifferenceOut]
    acknowledgement: AcknowledgementOut | None = None

    @classmethod
    def of(cls, notice: Notice) -> NoticeOut:
        return cls(
            program_id=notice.program_id,
            version=notice.version,
            title=notice.title,
            effective_from=notice.effective_from,
            published_at=notice.published_at,
            replaces_version=notice.in_force_version,
            differences=[DifferenceOut(area=d.area, text=d.text) for d in notice.differences],
            acknowledgement=AcknowledgementOut.of(notice.acknowledged) if notice.acknowledged else None,
        )


class NoticeListOut(BaseModel):
    items: list[NoticeOut]


class NoticeStatusOut(BaseModel):
    notice: NoticeOut
    acknowledged: list[AcknowledgementOut]
    not_acknowledged: list[str]

    @classmethod
    def of(cls, status: NoticeStatus) -> NoticeStatusOut:
        return cls(
            notice=NoticeOut.of(status.notice),
            acknowledged=[AcknowledgementOut.of(a) for a in status.acknowledged],
            not_acknowledged=list(status.not_acknowledged),
        )


@router.get("/programs/{program_id}/notices", response_model=NoticeListOut)
async def program_notices(
    program_id: str, ledger: Ledger, principal: Annotated[Principal, Depends(STAFF)]
) -> NoticeListOut:
    """The program's versions announced but not yet in force, with what each changes."""
    async with ledger.runtime.engine.connect() as conn:
        found = await cases.announced(ledger.notice_book(conn), program_id, ledger.runtime.clock.now())
    return NoticeListOut(items=[NoticeOut.of(n) for n in found])


@router.get("/programs/{program_id}/versions/{version}/acknowledgements", response_model=NoticeStatusOut)
async def notice_acknowledgements(
    program_id: str, version: VersionPath, ledger: Ledger, principal: Annotated[Principal, Depends(STAFF)]
) -> NoticeStatusOut:
    """Who of the program's partners has acknowledged the notice, and who has not."""
    async with ledger.runtime.engine.connect() as conn:
        status = await cases.notice_status(ledger.notice_book(conn), program_id, version, ledger.runtime.clock.now())
    return NoticeStatusOut.of(status)


@router.get("/partners/{partner_id}/notices", response_model=NoticeListOut)
async def partner_notices(
    partner_id: str, ledger: Ledger, principal: Annotated[Principal, Depends(PARTNER_READERS)]
) -> NoticeListOut:
    """The announced versions of the partner's program, each with the partner's acknowledgement."""
    principal.require_partner(partner_id)
    async with ledger.runtime.engine.connect() as conn:
        found = await cases.partner_notices(ledger.notice_book(conn), partner_id, ledger.runtime.clock.now())
    return NoticeListOut(items=[NoticeOut.of(n) for n in found])


@router.post(
    "/partners/{partner_id}/notices/{program_id}/{version}/acknowledgement",
    response_model=AcknowledgementOut,
    status_code=201,
)
async def acknowledge_notice(
    partner_id: str,
    program_id: str,
    version: VersionPath,
    request: Request,
    ledger: Ledger,
    principal: Annotated[Principal, Depends(PARTNER_WRITERS)],
) -> JSONResponse:
    """Acknowledge an announced version (again: the first acknowledgement is returned, 200)."""
    principal.require_partner(partner_id)

    async def action(uow: UnitOfWork) -> tuple[int, AcknowledgementOut]:
        book = ledger.notice_book(uow.conn)
        before = await book.acknowledgement(partner_id, program_id, version)
        ack = await cases.acknowledge(
            book,
            ledger.notice_announcements(uow),
            partner_id=partner_id,
            program_id=program_id,
            version=version,
            by=principal.subject,
            now=ledger.runtime.clock.now(),
        )
        return (200 if before else 201), AcknowledgementOut.of(ack)

    return await run_write(request, principal, ledger.runtime.uow_factory, action)
