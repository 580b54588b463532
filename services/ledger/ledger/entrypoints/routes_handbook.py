"""The partner handbook over HTTP: HTML, PDF or JSON, for the version in force on a date or a named one."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, Response
from incentive_contracts.dates import BusinessDate
from pydantic import BaseModel
from servicekit.auth import Principal, requires
from servicekit.container import container_dependency
from servicekit.problems import Problem

from ..application.handbook import Handbook
from ..application.handbooks import handbook
from ..bootstrap import LedgerContainer

router = APIRouter(tags=["handbook"])
Ledger = Annotated[LedgerContainer, Depends(container_dependency(LedgerContainer))]
READERS = requires("program:admin", "ledger:read", "audit:read", "partner:read", partner_bound="confine")
Format = Literal["html", "pdf", "json"]
DOCUMENTS: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "text/html": {"schema": {"type": "string"}},
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
        },
        "description": "the handbook as HTML (default), PDF (format=pdf) or JSON (format=json)",
    }
}


class TableOut(BaseModel):
    header: list[str]
    rows: list[list[str]]


class SectionOut(BaseModel):
    title: str
    paragraphs: list[str]
    tables: list[TableOut]


class HandbookOut(BaseModel):
    program_id: str
    version: int
    title: str
    effective_from: date
    status: str
    sections: list[SectionOut]

    @classmethod
    def of(cls, book: Handbook) -> HandbookOut:
        return cls(
            program_id=book.program_id,
            version=book.version,
            title=book.title,
            effective_from=book.effective_from,
            status=book.status,
            sections=[
                SectionOut(
                    title=s.title,
                    paragraphs=list(s.paragraphs),
                    tables=[TableOut(header=list(t.header), rows=[list(r) for r in t.rows]) for t in s.tables],
                )
                for s in book.sections
            ],
        )


OnQuery = Annotated[BusinessDate | None, Query(description="the rules in force on this date (default today)")]
VersionQuery = Annotated[int | None, Query(ge=0, le=2_147_483_647, description="a published or announced version")]
FormatQuery = Annotated[Format, Query(description="html (default), pdf or json")]


async def _handbook(ledger: LedgerContainer, program_id: str, on: date | None, version: int | None) -> Handbook:
    async with ledger.runtime.engine.connect() as conn:
        return await handbook(
            ledger.notice_book(conn),
            program_id,
            on=on,
            version=version,
            now=ledger.runtime.clock.now(),
            notice_days=ledger.settings.program_notice_days,
        )


def _respond(ledger: LedgerContainer, book: Handbook, format: Format) -> Response:
    if format == "json":
        return Response(HandbookOut.of(book).model_dump_json(), media_type="application/json")
    if format == "pdf":
        name = f"handbook-{book.program_id}-v{book.version}.pdf"
        return Response(
            ledger.render_handbook_pdf(book),
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{name}"'},
        )
    return HTMLResponse(ledger.render_handbook_html(book))


async def _program_of(ledger: LedgerContainer, partner_id: str) -> str:
    async with ledger.runtime.engine.connect() as conn:
        program_id = await ledger.notice_book(conn).program_of(partner_id)
    if program_id is None:
        raise Problem(404, "Not found", "no such resource for this caller")
    return program_id


@router.get("/programs/{program_id}/handbook", response_model=HandbookOut, responses=DOCUMENTS)
async def program_handbook(
    program_id: str,
    ledger: Ledger,
    principal: Annotated[Principal, Depends(READERS)],
    on: OnQuery = None,
    version: VersionQuery = None,
    format: FormatQuery = "html",
) -> Response:
    """The program's handbook; a partner-bound token reads only its own program's."""
    if principal.partner_id is not None and await _program_of(ledger, principal.partner_id) != program_id:
        raise Problem(404, "Not found", "no such resource for this caller")
    return _respond(ledger, await _handbook(ledger, program_id, on, version), format)


@router.get("/partners/{partner_id}/handbook", response_model=HandbookOut, responses=DOCUMENTS)
async def partner_handbook(
    partner_id: str,
    ledger: Ledger,
    principal: Annotated[Principal, Depends(READERS)],
    on: OnQuery = None,
    version: VersionQuery = None,
    format: FormatQuery = "html",
) -> Response:
    """The handbook of the partner's program (the version in force on ``on``, or ``version``)."""
    principal.require_partner(partner_id)
    program_id = await _program_of(ledger, partner_id)
    return _respond(ledger, await _handbook(ledger, program_id, on, version), format)
