"""The CloudEvents 1.0 envelope in structured JSON mode, with this system's extensions.

Extensions: ``partitionkey`` (the partner id), ``sequence`` (gap-free per producer and partition
key, as a decimal string because CloudEvents extension values are strings), ``correlationid`` and
``causationid``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, Field, field_validator

SPEC_VERSION = "1.0"
SCHEMA_BASE = "urn:partner-incentives:schema"


def dataschema_for(event_type: str, version: int) -> str:
    """The ``dataschema`` URI that names an event type's payload version."""
    return f"{SCHEMA_BASE}:{event_type}:v{version}"


def parse_dataschema(dataschema: str) -> tuple[str, int]:
    """Inverse of :func:`dataschema_for`; raises ``ValueError`` on anything else."""
    prefix = SCHEMA_BASE + ":"
    if not dataschema.startswith(prefix):
        raise ValueError(f"unknown dataschema {dataschema!r}")
    event_type, _, version = dataschema[len(prefix) :].rpartition(":v")
    if not event_type or not version.isdigit():
        raise ValueError(f"malformed dataschema {dataschema!r}")
    return event_type, int(version)


class CloudEvent(BaseModel):
    """One event as it travels on Kafka (the whole record value)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    specversion: str = SPEC_VERSION
    id: str = Field(description="UUID; the idempotency identity of the event")
    source: str = Field(description="URI-reference of the producing service, e.g. /registration")
    type: str = Field(pattern=r"^[a-z_]+(\.[a-z_]+)+$", description="dotted, past tense")
    subject: str = Field(min_length=1, description="the partner id (program:<program_id> for program.* events)")
    time: datetime
    datacontenttype: str = "application/json"
    dataschema: str
    data: dict[str, Any]
    partitionkey: str = Field(min_length=1)
    sequence: str = Field(pattern=r"^[0-9]+$", default="0")
    correlationid: str | None = None
    causationid: str | None = None

    @field_validator("specversion")
    @classmethod
    def _spec(cls, value: str) -> str:
        if value != SPEC_VERSION:
            raise ValueError(f"specversion must be {SPEC_VERSION}")
        return value

    @field_validator("time")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("time must carry a timezone")
        return value.astimezone(UTC)

    @property
    def schema_version(self) -> int:
        return parse_dataschema(self.dataschema)[1]

    def to_json(self) -> bytes:
        """Structured-mode JSON; optional extensions that are unset are left out. (pydantic's own
        serializer: the same bytes as ``orjson.dumps(model_dump(mode="json"))`` in half the time.)"""
        return self.model_dump_json(exclude_none=True).encode()

    @classmethod
    def from_json(cls, raw: bytes | str) -> CloudEvent:
        return cls.model_validate(orjson.loads(raw))
