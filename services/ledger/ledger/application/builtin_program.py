"""The built-in program ``default``: version 0, in force from 1970-01-01 until a newer version is."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from importlib import resources

from ..domain.catalog import ProgramVersion
from ..domain.program_document import load_program

DEFAULT_PROGRAM_ID = "default"
BUILTIN_VERSION = 0
BUILTIN_EFFECTIVE_FROM = date(1970, 1, 1)
BUILTIN_PUBLISHED_AT = datetime(1970, 1, 1, tzinfo=UTC)


@cache
def builtin_document() -> str:
    return resources.files("ledger.programs").joinpath("default.yaml").read_text(encoding="utf-8")


@cache
def builtin_version() -> ProgramVersion:
    return ProgramVersion(
        program_id=DEFAULT_PROGRAM_ID,
        version=BUILTIN_VERSION,
        effective_from=BUILTIN_EFFECTIVE_FROM,
        published_at=BUILTIN_PUBLISHED_AT,
        program=load_program(builtin_document(), program_id=DEFAULT_PROGRAM_ID),
    )
