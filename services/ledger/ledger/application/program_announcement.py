"""What ``program.version_published`` says about a published version: its identity and the terms
other services apply from it (event-carried state), taken from the version's validated rules."""

from __future__ import annotations

from incentive_contracts.builtin_program import commitment_terms
from incentive_contracts.events.program import DEFAULT_SPOT_AUDIT_RATE, ProgramVersionPublished

from .programs import StoredVersion


def announcement(version: StoredVersion) -> ProgramVersionPublished:
    """The event for a published version; a version stored before a section existed announces it absent
    (no commitment benefits) or at its default (the spot-audit rate)."""
    assert version.effective_from is not None
    assert version.published_at is not None
    audits = version.rules.get("spot_audits") or {}
    return ProgramVersionPublished.of(
        program_id=version.program_id,
        program_version=version.version,
        effective_from=version.effective_from,
        published_at=version.published_at,
        label=str(version.rules.get("title") or version.program_id),
        correction=version.correction,
        commitment=commitment_terms(version.rules),
        spot_audit_rate=str(audits.get("rate", DEFAULT_SPOT_AUDIT_RATE)),
    )
