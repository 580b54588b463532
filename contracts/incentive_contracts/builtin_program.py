"""The built-in program ``default``: version 0, in force from 1970-01-01 until a published version is.

One document (``programs/default.yaml``) read by two services, so their copies cannot drift: the ledger
serves and validates the whole program, and governance takes the terms it applies (commitment benefits
and the spot-audit rate) from :func:`builtin_announcement`, because version 0 is never published as an
event.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from importlib import resources
from typing import Any

import yaml

from .events.program import DEFAULT_SPOT_AUDIT_RATE, CommitmentTerms, ProgramVersionPublished

DEFAULT_PROGRAM_ID = "default"
BUILTIN_VERSION = 0
BUILTIN_EFFECTIVE_FROM = date(1970, 1, 1)
BUILTIN_PUBLISHED_AT = datetime(1970, 1, 1, tzinfo=UTC)


@cache
def default_document() -> str:
    """The built-in program's YAML, as shipped."""
    return resources.files("incentive_contracts").joinpath("programs/default.yaml").read_text(encoding="utf-8")


@cache
def builtin_announcement() -> ProgramVersionPublished:
    """Version 0 as the ledger would announce it if it ever did (the same fields a published version carries)."""
    data = yaml.safe_load(default_document())
    audits = data.get("spot_audits") or {}
    return ProgramVersionPublished.of(
        program_id=DEFAULT_PROGRAM_ID,
        program_version=BUILTIN_VERSION,
        effective_from=BUILTIN_EFFECTIVE_FROM,
        published_at=BUILTIN_PUBLISHED_AT,
        label=str(data["title"]),
        commitment=commitment_terms(data),
        spot_audit_rate=str(audits.get("rate", DEFAULT_SPOT_AUDIT_RATE)),
    )


def commitment_terms(program: dict[str, Any]) -> CommitmentTerms | None:
    """A program document's (or its JSON form's) commitment section as it travels: the window, the
    program's engagement points per kind and the rules, minimums as decimal strings."""
    section = program.get("commitment")
    if section is None:
        return None
    rules = [
        {**rule, "minimum": {str(k): str(v) for k, v in dict(rule.get("minimum") or {}).items()}}
        for rule in section.get("rules") or []
    ]
    return CommitmentTerms.model_validate(
        {
            "window_days": section.get("window_days"),
            "engagement_points": program.get("engagement_points") or {},
            "rules": rules,
        }
    )
