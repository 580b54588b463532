"""An event's structured-mode CloudEvent JSON, written straight to bytes.

``encode_json(payload, ...)`` returns exactly ``registry.encode(payload, ...).to_json()``: the same
bytes, without building and validating a :class:`~.envelope.CloudEvent` and re-serializing the
payload's ``model_dump`` through it (a 5,000-deal bulk registration writes 10,000 envelopes to the
outbox; that round trip was about half of the time each envelope cost).

How the bytes stay the same:

- the envelope's fields are written in the model's field order, optional extensions left out when
  unset (``to_json`` drops them with ``exclude_none``, which does not reach into ``data``);
- ``data`` is the payload's own JSON (its pydantic serializer), which is what serializing its
  ``model_dump(mode="json")`` as ``Any`` gives (tested over every example and generated payloads);
- ``time`` is written by pydantic's own datetime serializer (cached per instant: a unit stamps
  its events with one time), after the conversion to UTC the envelope's validator makes;
- a string is written as-is between quotes only when it is printable ASCII without ``"`` or ``\\``
  (which JSON writes verbatim); any other goes through pydantic's string serializer.

Anything the envelope would refuse (a timezone-less time, a negative sequence, an empty subject, a
type the envelope's pattern rejects) takes the plain path, so it fails exactly as before.

A producer that writes many events from values it already trusts (the ledger's projector announces
every journal entry) may hand over a :class:`PayloadDocument` instead of a model: the payload's
``model_dump(mode="json")`` document, built directly. Its envelope is written by one ``orjson.dumps``
(whose strings are pydantic's, byte for byte: tested), with no model constructed, validated or
dumped per event. What orjson cannot write, or the envelope would refuse, goes through the model
validated from the document (:meth:`PayloadDocument.model`), the reference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import orjson
from pydantic import TypeAdapter

from .envelope import SPEC_VERSION, dataschema_for
from .event_ids import new_event_id
from .money import RECORDED
from .payload import EventPayload
from .registry import encode, models

_TYPE_PATTERN = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")
_STRINGS = TypeAdapter(str)
_TIMES = TypeAdapter(datetime)
_OPEN = b'{"specversion":"' + SPEC_VERSION.encode() + b'","id":'
_CONTENT = b',"datacontenttype":"application/json","dataschema":'


def json_string(value: str) -> bytes:
    """``value`` as a JSON string, byte for byte as pydantic writes it."""
    if value.isascii() and value.isprintable() and '"' not in value and "\\" not in value:
        return b'"' + value.encode() + b'"'
    return _STRINGS.dump_json(value)


@lru_cache(maxsize=256)
def _time_json(time: datetime) -> bytes:
    return _TIMES.dump_json(time.astimezone(UTC))


@lru_cache(maxsize=1024)
def _type_json(event_type: str, version: int) -> tuple[bytes, bytes] | None:
    """The ``type`` and ``dataschema`` values of an event type, or None when the envelope refuses the type."""
    if not _TYPE_PATTERN.match(event_type):
        return None
    return json_string(event_type), json_string(dataschema_for(event_type, version))


def payload_json(payload: EventPayload) -> bytes:
    """The payload's own JSON (its pydantic serializer: the bytes of ``model_dump_json()``), the
    envelope's ``data``; a caller that stores it elsewhere too (a history row) encodes it once."""
    return payload.__pydantic_serializer__.to_json(payload)


@dataclass(slots=True)  # not frozen: that costs a third of a microsecond per event on a hot path
class PayloadDocument:
    """A payload as the document its model dumps (``model_dump(mode="json")``: strings, ints, bools,
    None, lists and dicts with the fields in declaration order), built by its producer from trusted
    values. ``subject`` is what the model's ``subject`` would be (its ``partner_id`` for most)."""

    event_type: str
    version: int
    subject: str
    data: dict[str, Any]

    def model(self) -> EventPayload:
        """The payload model the document is the dump of (validated as a recorded event: tolerant on money,
        as ``Money.recorded`` is)."""
        return models()[(self.event_type, self.version)].model_validate(self.data, context=RECORDED)


def encode_json(
    payload: EventPayload | PayloadDocument,
    *,
    source: str,
    time: datetime,
    sequence: int = 0,
    event_id: str | None = None,
    correlation_id: str | None = None,
    causation_id: str | None = None,
    data_json: bytes | None = None,
) -> bytes:
    """``registry.encode(payload, ...).to_json()``, byte for byte (see the module's docstring).

    ``data_json``, when given, is ``payload_json(payload)`` computed earlier by the caller."""
    event_id = event_id or new_event_id()
    subject = payload.subject
    named = _type_json(payload.event_type, payload.version)
    refused = not subject or time.tzinfo is None or sequence < 0
    if isinstance(payload, PayloadDocument):
        if named is not None and not refused:
            written = _document_json(payload, named[1], source, time, sequence, event_id, correlation_id, causation_id)
            if written is not None:
                return written
        payload = payload.model()
    if named is None or refused:
        ids = {"event_id": event_id, "correlation_id": correlation_id, "causation_id": causation_id}
        return encode(payload, source=source, time=time, sequence=sequence, **ids).to_json()
    event_type, dataschema = named
    key = json_string(subject)
    parts = [
        _OPEN,
        json_string(event_id),
        b',"source":',
        json_string(source),
        b',"type":',
        event_type,
        b',"subject":',
        key,
        b',"time":',
        _time_json(time),
        _CONTENT,
        dataschema,
        b',"data":',
        payload_json(payload) if data_json is None else data_json,
        b',"partitionkey":',
        key,
        b',"sequence":"',
        str(sequence).encode(),
        b'"',
    ]
    if correlation_id is not None:
        parts += (b',"correlationid":', json_string(correlation_id))
    if causation_id is not None:
        parts += (b',"causationid":', json_string(causation_id))
    parts.append(b"}")
    return b"".join(parts)


def _document_json(
    document: PayloadDocument,
    dataschema: bytes,
    source: str,
    time: datetime,
    sequence: int,
    event_id: str,
    correlation_id: str | None,
    causation_id: str | None,
) -> bytes | None:
    """The envelope of ``document`` by one ``orjson.dumps``; None where orjson cannot write it as pydantic
    would (an integer beyond 64 bits, a key that is not a string, a lone surrogate). Documents hold no
    floats (no contract has one: money travels as decimal strings)."""
    envelope: dict[str, Any] = {
        "specversion": SPEC_VERSION,
        "id": event_id,
        "source": source,
        "type": document.event_type,
        "subject": document.subject,
        "time": orjson.Fragment(_time_json(time)),
        "datacontenttype": "application/json",
        "dataschema": orjson.Fragment(dataschema),
        "data": document.data,
        "partitionkey": document.subject,
        "sequence": str(sequence),
    }
    if correlation_id is not None:
        envelope["correlationid"] = correlation_id
    if causation_id is not None:
        envelope["causationid"] = causation_id
    try:
        return orjson.dumps(envelope)
    except TypeError:  # orjson.JSONEncodeError is one
        return None
