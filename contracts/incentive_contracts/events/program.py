"""program.* events: the ledger's program catalogue (ledger service).

A published version carries the terms governance applies (event-carried state): the commitment
benefits (the minimum activity per window and what it earns) and the spot-audit rate. Both fields
are optional with defaults, so a version published before they existed still reads: no commitment
section (the program grants no commitment benefits) and the default spot-audit rate.

A program event is about a program, not a partner: its subject, partition key and Kafka record
key are ``program:<program_id>`` (one program's versions stay in order on one partition; the
``program:`` namespace never collides with a partner id), and it has no ``partner_id``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, ClassVar

from pydantic import Field

from ..money import Money
from ..payload import EventPayload, WireModel
from ..registry import register

PROGRAM_SUBJECT_PREFIX = "program:"
DEFAULT_SPOT_AUDIT_RATE = "0.05"  # a program without a spot_audits section samples 5 % per period

Ident = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]
Metric = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z_]{0,39}(:[A-Z]{3})?$",
        description="engagement_points, certifications, rituals_held, mdf_claims, mdf_spend:<CCY>, "
        "pipeline:<CCY>, won:<CCY>, wins",
    ),
]
Quantity = Annotated[str, Field(pattern=r"^[0-9]{1,15}(\.[0-9]{1,4})?$", description="a decimal, as a string")]
Rate = Annotated[
    str, Field(pattern=r"^(0(\.[0-9]{1,6})?|1(\.0{1,6})?)$", description="a share between 0 and 1, as a string")
]


class CommitmentBenefit(WireModel):
    benefit: Ident
    amount: Money | None = Field(default=None, description="a monetary benefit's amount; none: non-monetary")


class CommitmentRule(WireModel):
    rule_id: Ident
    description: str = Field(default="", max_length=2000)
    minimum: dict[Metric, Quantity] = Field(min_length=1, description="every metric must reach its value")
    benefits: list[CommitmentBenefit] = Field(min_length=1)


class CommitmentTerms(WireModel):
    """The program's commitment benefits: held while the partner's activity in the trailing window
    reaches every minimum of a rule (engagement points counted with the program's points per kind)."""

    window_days: int = Field(ge=1, le=3650)
    engagement_points: dict[str, int] = Field(default_factory=dict, description="points per engagement kind")
    rules: list[CommitmentRule] = Field(default_factory=list)


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
    commitment: CommitmentTerms | None = Field(
        default=None, description="the commitment benefits of the version; none: it grants none"
    )
    spot_audit_rate: Rate = Field(
        default=DEFAULT_SPOT_AUDIT_RATE, description="share of won deals and MDF claims sampled per audit period"
    )

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
        commitment: CommitmentTerms | None = None,
        spot_audit_rate: str = DEFAULT_SPOT_AUDIT_RATE,
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
                "commitment": commitment,
                "spot_audit_rate": spot_audit_rate,
            }
        )

    @property
    def subject(self) -> str:
        return PROGRAM_SUBJECT_PREFIX + self.program_id
