"""Every payload model by (type, version), upcasters, and conversions to and from the envelope."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from .envelope import CloudEvent, dataschema_for, parse_dataschema
from .event_ids import new_event_id
from .money import RECORDED
from .payload import EventPayload

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

_MODELS: dict[tuple[str, int], type[EventPayload]] = {}
_UPCASTERS: dict[tuple[str, int], Upcaster] = {}


class UnknownEventError(ValueError):
    """The event's type or version is not known to this reader."""


def register(model: type[EventPayload]) -> type[EventPayload]:
    """Class decorator: make a payload model readable and writable."""
    key = (model.event_type, model.version)
    if key in _MODELS and _MODELS[key] is not model:
        raise RuntimeError(f"{key} registered twice")
    _MODELS[key] = model
    return model


def upcaster(event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    """Decorator: a pure function turning version ``from_version`` data into ``from_version + 1``."""

    def decorate(fn: Upcaster) -> Upcaster:
        _UPCASTERS[(event_type, from_version)] = fn
        return fn

    return decorate


def models() -> dict[tuple[str, int], type[EventPayload]]:
    _load_all()
    return dict(sorted(_MODELS.items()))


def latest_version(event_type: str) -> int:
    _load_all()
    versions = [v for (t, v) in _MODELS if t == event_type]
    if not versions:
        raise UnknownEventError(f"unknown event type {event_type!r}")
    return max(versions)


def latest_model(event_type: str) -> type[EventPayload]:
    return _MODELS[(event_type, latest_version(event_type))]


def decode(event: CloudEvent) -> EventPayload:
    """Validate an envelope's data, upcast it to the latest version, and return the payload."""
    try:
        schema_type, version = parse_dataschema(event.dataschema)
    except ValueError as exc:
        raise UnknownEventError(str(exc)) from exc
    if schema_type != event.type:
        raise UnknownEventError(f"dataschema names {schema_type!r} but type is {event.type!r}")
    _load_all()
    if (event.type, version) not in _MODELS:
        raise UnknownEventError(f"unknown event {event.type!r} version {version}")
    target = latest_version(event.type)
    data = dict(event.data)
    while version < target:
        step = _UPCASTERS.get((event.type, version))
        if step is None:
            raise UnknownEventError(f"no upcaster for {event.type!r} v{version}")
        data = step(data)
        version += 1
    # Recorded events are read tolerantly on money (see incentive_contracts.money.RECORDED).
    payload = _MODELS[(event.type, target)].model_validate(data, context=RECORDED)
    if payload.subject != event.subject:
        raise ValueError("subject must equal the payload's partner_id (program:<program_id> for program events)")
    return payload


def encode(
    payload: EventPayload,
    *,
    source: str,
    time: datetime,
    sequence: int = 0,
    event_id: str | None = None,
    correlation_id: str | None = None,
    causation_id: str | None = None,
) -> CloudEvent:
    """Wrap a payload in its envelope, keyed by the payload's partner."""
    return CloudEvent(
        id=event_id or new_event_id(),
        source=source,
        type=payload.event_type,
        subject=payload.subject,
        time=time,
        dataschema=dataschema_for(payload.event_type, payload.version),
        data=payload.model_dump(mode="json"),
        partitionkey=payload.subject,
        sequence=str(sequence),
        correlationid=correlation_id,
        causationid=causation_id,
    )


def _load_all() -> None:
    # Importing the event modules runs their @register decorators.
    from . import events  # noqa: F401
