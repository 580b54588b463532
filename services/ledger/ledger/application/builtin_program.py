"""The built-in program ``default``: version 0, in force from 1970-01-01 until a newer version is.

Its document ships with the contracts (``incentive_contracts.builtin_program``) because governance
reads its commitment benefits and spot-audit rate too; the ledger validates and serves all of it.
"""

from __future__ import annotations

from functools import cache

from incentive_contracts.builtin_program import (
    BUILTIN_EFFECTIVE_FROM,
    BUILTIN_PUBLISHED_AT,
    BUILTIN_VERSION,
    DEFAULT_PROGRAM_ID,
    default_document,
)

from ..domain.catalog import ProgramVersion
from ..domain.program_document import load_program

__all__ = [
    "BUILTIN_EFFECTIVE_FROM",
    "BUILTIN_PUBLISHED_AT",
    "BUILTIN_VERSION",
    "DEFAULT_PROGRAM_ID",
    "builtin_document",
    "builtin_version",
]


def builtin_document() -> str:
    return default_document()


@cache
def builtin_version() -> ProgramVersion:
    return ProgramVersion(
        program_id=DEFAULT_PROGRAM_ID,
        version=BUILTIN_VERSION,
        effective_from=BUILTIN_EFFECTIVE_FROM,
        published_at=BUILTIN_PUBLISHED_AT,
        program=load_program(builtin_document(), program_id=DEFAULT_PROGRAM_ID),
    )
