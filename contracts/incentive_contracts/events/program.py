"""program.* events: the ledger's program catalogue (ledger service).

A program event is about a program, not a partner: its subject, partition key and Kafka record
key are ``program:<program_id>`` (one program's versions stay in order on one partition; the
``program:`` namespace never collides with a partner id), and it has no ``partner_id``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from pydantic import Field

from ..payload import EventPayload
from ..registry import register

PROGRAM_SUBJECT_PREFIX = "program:"


@register
class ProgramVersionPublished(EventPayload):
    """A program version was published: the program exists from now on (registration enrols into it)."""

    event_type = "program.version_published"
    version = 1
    key_doc = "program:<program_id>"

    partner_id: ClassVar[str] = ""  # type: ignore[misc]  # about a program, not a partner: no partner_id field

    program_id: str = Field(min_length=1, max_length=64)
    program_version: int = Field(ge=0, description="the published version number of the program")
    effective_from: date = Field(description="the day the version's rules take effect")
    published_at: datetime
    label: str = Field(description="the program's title, for people")
    correction: bool = Field(default=False, description="published as a correction, inside the notice period")

    @classmethod
    def of(
        cls,
        *,
        program_id: str,
        program_version: int,
        effective_from: date,
        published_at: datetime,
        label: str,
        correction: bool = False,
    ) -> ProgramVersionPublished:
        """The typed constructor: the pydantic mypy plugin still sees the base class's ``partner_id``."""
        return cls.model_validate(
            {
                "program_id": program_id,
                "program_version": program_version,
                "effective_from": effective_from,
                "published_at": published_at,
                "label": label,
                "correction": correction,
            }
        )

    @property
    def subject(self) -> str:
        return PROGRAM_SUBJECT_PREFIX + self.program_id
