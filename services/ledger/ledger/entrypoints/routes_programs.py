"""Program versions over HTTP: drafts and publication (program:admin), every version readable."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from incentive_contracts.dates import BusinessDate
from pydantic import BaseModel, Field, StrictBool
from servicekit.auth import Principal, requires
from servicekit.idempotency import run_write
from servicekit.openapi import documented
from servicekit.problems import Problem
from servicekit.unit_of_work import UnitOfWork

from ..application import programs as cases
from ..application.programs import StoredVersion
from .deps import Ledger, Queries
from .response_docs import InForceOut, ProgramListOut, ProgramOut, ProgramVersionRefOut

router = APIRouter(tags=["programs"])
ADMIN = requires("program:admin")
READERS = requires("program:admin", "ledger:read", "finance:read", "audit:read")
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain")
# ``format=yaml``: the document as stored (any YAML mapping; clients that parse YAML get an object).
YAML_DOCUMENT = {"application/yaml": {"schema": {"description": "the program document, as YAML"}}}
# The body is read raw (YAML, or JSON holding the YAML), so the document describes it here.
DOCUMENT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/yaml": {"schema": {"type": "string"}},
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["document"],
                    "properties": {"document": {"type": "string", "description": "the program's YAML"}},
                }
            },
        },
    }
}


VersionPath = Annotated[int, Path(ge=0, le=2_147_483_647, description="a program version (0 is the built-in default)")]


class PublishBody(BaseModel):
    effective_from: BusinessDate
    correction: StrictBool = False  # JSON true/false only: 0 or 1 is not a yes or no
    reason: str | None = Field(default=None, max_length=2000)


class VersionOut(BaseModel):
    program_id: str
    version: int
    status: str
    effective_from: date | None
    published_at: datetime | None
    published_by: str | None
    correction: bool
    reason: str | None
    created_at: datetime
    created_by: str
    rules: dict[str, Any]
    document: str

    @classmethod
    def of(cls, v: StoredVersion) -> VersionOut:
        return cls(
            program_id=v.program_id,
            version=v.version,
            status=v.status,
            effective_from=v.effective_from,
            published_at=v.published_at,
            published_by=v.published_by,
            correction=v.correction,
            reason=v.reason,
            created_at=v.created_at,
            created_by=v.created_by,
            rules=v.rules,
            document=v.document,
        )


class VersionListOut(BaseModel):
    items: list[VersionOut]


async def _document(request: Request) -> str:
    body = await request.body()
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise Problem(400, "Malformed JSON", "the request body is not valid JSON") from exc
        if not isinstance(data, dict) or not isinstance(data.get("document"), str):
            raise Problem(422, "Invalid request", 'send the YAML as text/yaml, or JSON {"document": "<yaml>"}')
        return str(data["document"])
    if content_type not in YAML_TYPES:
        raise Problem(415, "Unsupported media type", f"send the program as one of {', '.join(YAML_TYPES)} or JSON")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Problem(400, "Bad encoding", "the document must be UTF-8") from exc


@router.post(
    "/programs/{program_id}/versions",
    status_code=201,
    response_model=VersionOut,
    responses={415: {"description": "The body is neither YAML nor JSON"}},
    openapi_extra=DOCUMENT_BODY,
)
async def create_draft(
    program_id: str, request: Request, principal: Annotated[Principal, Depends(ADMIN)], ledger: Ledger
) -> JSONResponse:
    """Create a draft version from a YAML document (validated; every problem is listed)."""
    document = await _document(request)

    async def action(uow: UnitOfWork) -> tuple[int, VersionOut]:
        repo = ledger.unit(uow).programs
        draft = await cases.create_draft(repo, program_id, document, by=principal.subject, now=ledger.clock.now())
        return 201, VersionOut.of(draft)

    return await run_write(request, principal, ledger.uow_factory, action)


@router.post("/programs/{program_id}/versions/{version}/publish", response_model=VersionOut)
async def publish_version(
    program_id: str,
    version: VersionPath,
    body: PublishBody,
    request: Request,
    principal: Annotated[Principal, Depends(ADMIN)],
    ledger: Ledger,
) -> JSONResponse:
    """Publish a draft: effective_from at least the notice period ahead, unless a correction with a reason."""
    notice = ledger.settings.program_notice_days

    async def action(uow: UnitOfWork) -> tuple[int, VersionOut]:
        unit = ledger.unit(uow)
        published = await cases.publish(
            unit.programs,
            program_id,
            version,
            effective_from=body.effective_from,
            correction=body.correction,
            reason=body.reason,
            by=principal.subject,
            now=ledger.clock.now(),
            notice_days=notice,
            announce=unit.announcements,
        )
        return 200, VersionOut.of(published)

    return await run_write(request, principal, ledger.uow_factory, action)


@router.get("/programs")
async def list_programs(principal: Annotated[Principal, Depends(READERS)], reads: Queries) -> ProgramListOut:
    programs: dict[str, ProgramOut] = {}
    for v in await cases.list_versions(reads.programs):
        p = programs.setdefault(v.program_id, ProgramOut(program_id=v.program_id, versions=[], title=None))
        p.versions.append(ProgramVersionRefOut(version=v.version, status=v.status, effective_from=v.effective_from))
        p.title = v.rules.get("title")
    return ProgramListOut(items=list(programs.values()))


@router.get("/programs/{program_id}/versions")
async def list_versions(
    program_id: str, principal: Annotated[Principal, Depends(READERS)], reads: Queries
) -> VersionListOut:
    versions = await cases.list_versions(reads.programs, program_id)
    return VersionListOut(items=[VersionOut.of(v) for v in versions])


@router.get(
    "/programs/{program_id}/versions/{version}",
    **documented(VersionOut, media_types=YAML_DOCUMENT),
)
async def get_version(
    program_id: str,
    version: VersionPath,
    principal: Annotated[Principal, Depends(READERS)],
    reads: Queries,
    format: Annotated[str, Query(pattern="^(json|yaml)$")] = "json",
) -> VersionOut | Response:
    found = await cases.get_version(reads.programs, program_id, version)
    if format == "yaml":
        return PlainTextResponse(found.document, media_type="application/yaml")
    return VersionOut.of(found)


@router.get("/programs/{program_id}/in-force")
async def version_in_force(
    program_id: str,
    principal: Annotated[Principal, Depends(READERS)],
    ledger: Ledger,
    on: Annotated[BusinessDate | None, Query(description="business date (default today)")] = None,
) -> InForceOut:
    """Which version applies to an event dated ``on`` recorded now."""
    now = ledger.clock.now()
    day = on or now.date()
    pv = cases.in_force(await ledger.queries.published_versions([program_id]), program_id, day, now)
    if pv is None:
        raise Problem(404, "Not found", f"no version of program {program_id} is in force on {day}")
    return InForceOut(program_id=program_id, on=day, version=pv.version, effective_from=pv.effective_from)
