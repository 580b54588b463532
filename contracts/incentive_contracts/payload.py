"""Base class of every event payload (the CloudEvent ``data``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field


class WireModel(BaseModel):
    """Base of every model on the wire: immutable, unknown fields rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class EventPayload(WireModel):
    """A versioned payload. Subclasses set ``event_type`` and ``version``.

    A change that breaks readers is a new class with ``version + 1`` plus an upcaster from the
    old version (see :mod:`incentive_contracts.registry`); old versions stay readable forever.
    """

    event_type: ClassVar[str]
    version: ClassVar[int] = 1
    key_doc: ClassVar[str] = "partner_id"  # how the catalogue names the record key

    partner_id: str = Field(min_length=1, max_length=64, description="the partner the event is about")

    @property
    def subject(self) -> str:
        """The CloudEvent ``subject`` and ``partitionkey`` and the Kafka record key: the partner id.

        Events about something other than a partner (a program version) override it with a key in
        a namespace of their own (``program:<id>``), so it never names a partner.
        """
        return self.partner_id
