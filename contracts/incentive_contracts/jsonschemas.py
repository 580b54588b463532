"""JSON Schemas (draft 2020-12) of the envelope and of every payload version, from the models.

Schemas describe the wire, so they are built in pydantic's serialization mode: amounts are strings.
Each payload schema's ``$id`` is the ``dataschema`` URI its events carry.
"""

from __future__ import annotations

from typing import Any

from .envelope import SCHEMA_BASE, CloudEvent, dataschema_for
from .payload import EventPayload

DIALECT = "https://json-schema.org/draft/2020-12/schema"
ENVELOPE_ID = f"{SCHEMA_BASE}:cloudevent"
ENVELOPE_FILE = "cloudevent.json"
GENERATED_NOTE = "Generated from incentive_contracts by `make schemas`; do not edit by hand."


def payload_file(event_type: str, version: int) -> str:
    return f"{event_type}.v{version}.json"


def payload_schema(model: type[EventPayload]) -> dict[str, Any]:
    """The standalone schema of one payload version (the CloudEvent ``data``)."""
    schema = model.model_json_schema(mode="serialization")
    return {
        "$schema": DIALECT,
        "$id": dataschema_for(model.event_type, model.version),
        "$comment": GENERATED_NOTE,
        **schema,
        "title": f"{model.event_type} v{model.version}",
    }


def envelope_schema() -> dict[str, Any]:
    """The standalone schema of the CloudEvents envelope (``data`` left open)."""
    return {
        "$schema": DIALECT,
        "$id": ENVELOPE_ID,
        "$comment": GENERATED_NOTE,
        **CloudEvent.model_json_schema(mode="serialization"),
    }
