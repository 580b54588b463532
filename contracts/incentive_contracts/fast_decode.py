"""A schema-compiled decoder for recorded events: the same envelope and payload objects as
``CloudEvent.from_json`` + ``registry.decode``, without pydantic's validation per event.

The pydantic models stay the definition. Each registered model (at its latest version) whose fields
are all of the plain kinds below is compiled once, from its own ``model_fields``, into a checker
that accepts a strict subset of what pydantic accepts and builds the very values pydantic would
(equal objects, the same fields set). Anything the checker is not sure of (a missing or unknown
member, another JSON type, a date or time in a format it does not read, an older version that needs
an upcaster, a pattern it does not evaluate) makes :func:`fast_decode` return ``None``; the caller
then takes the pydantic path, which decodes the event or raises the reason it is refused. So invalid
input is rejected exactly as before, by the same code. ``tests/test_contract_fast_decode.py``
compares both paths on every example and on generated payloads (hypothesis).

Compiled kinds: ``str`` (``min_length``/``max_length``), ``bool``, ``int`` (``ge``), ``date``,
:class:`~incentive_contracts.money.Money` (read as recorded: grammar only, as ``decode`` reads it),
``StrEnum`` members, nested wire models, ``list[...]`` of those (``min_length``) and ``X | None``.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, Union, get_args, get_origin

import annotated_types
import orjson
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from .envelope import SCHEMA_BASE, SPEC_VERSION, CloudEvent
from .money import Money, parse_decimal
from .payload import EventPayload, WireModel
from .registry import models
from .trusted import built


class Refused(Exception):
    """The fast path is not sure: the pydantic path decides."""


Check = Callable[[Any], Any]  # value -> decoded value; raises Refused

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})")
_TYPE = re.compile(r"[a-z_]+(\.[a-z_]+)+")
_DIGITS = re.compile(r"[0-9]+")
_CODE = re.compile(r"[A-Z]{3}")


def _day(value: Any) -> date:
    if type(value) is not str or not _DAY.fullmatch(value):
        raise Refused
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Refused from None


def _money(value: Any) -> Money:
    if type(value) is not dict or len(value) != 2:
        raise Refused
    amount, currency = value.get("amount"), value.get("currency")
    if type(amount) is not str or type(currency) is not str or not _CODE.fullmatch(currency):
        raise Refused
    try:
        decimal = parse_decimal(amount)  # recorded money (registry.decode): the grammar only
    except ValueError:
        raise Refused from None
    return built(Money, {"amount": decimal, "currency": currency}, {"amount", "currency"})


def _bool(value: Any) -> bool:
    if type(value) is not bool:
        raise Refused
    return value


def _text(lo: int, hi: int | None) -> Check:
    def check(value: Any) -> str:
        if type(value) is not str or len(value) < lo or (hi is not None and len(value) > hi):
            raise Refused
        return value

    return check


def _integer(lo: int | None) -> Check:
    def check(value: Any) -> int:
        if type(value) is not int or (lo is not None and value < lo):
            raise Refused
        return value

    return check


def _member(enum: type[StrEnum]) -> Check:
    members = {m.value: m for m in enum}

    def check(value: Any) -> StrEnum:
        member = members.get(value) if type(value) is str else None
        if member is None:
            raise Refused
        return member

    return check


def _optional(inner: Check) -> Check:
    return lambda value: None if value is None else inner(value)


def _listed(inner: Check, lo: int) -> Check:
    def check(value: Any) -> list[Any]:
        if type(value) is not list or len(value) < lo:
            raise Refused
        return [inner(item) for item in value]

    return check


class NotCompiled(Exception):
    """A model or field of a kind the compiler leaves to pydantic."""


def _bounds(info: FieldInfo) -> tuple[int, int | None, int | None]:
    """(min_length, max_length, ge) from a field's constraints; anything else is not compiled."""
    lo, hi, ge = 0, None, None
    for item in info.metadata:
        if getattr(item, "pattern", None):
            continue  # see _check_of
        if isinstance(item, annotated_types.MinLen):
            lo = item.min_length
        elif isinstance(item, annotated_types.MaxLen):
            hi = item.max_length
        elif isinstance(item, annotated_types.Ge) and isinstance(item.ge, int):
            ge = item.ge
        else:
            raise NotCompiled(repr(item))  # a pattern (pydantic's regex engine), a Gt, a validator...
    return lo, hi, ge


def _refuse(value: Any) -> Any:
    raise Refused


def _patterned(pattern: str, inner: Check) -> Check:
    """A ``^...$`` pattern without escapes reads alike in pydantic's regex engine and Python's
    ``re.fullmatch``; any other (``\\s``, ``\\d``, a trailing newline before ``$``...) is left to pydantic."""
    if not (pattern.startswith("^") and pattern.endswith("$")) or "\\" in pattern or "$" in pattern[:-1]:
        return _refuse
    compiled = re.compile(pattern[1:-1])

    def check(value: Any) -> Any:
        value = inner(value)
        if value is not None and not compiled.fullmatch(value):
            raise Refused
        return value

    return check


def _check_of(annotation: Any, info: FieldInfo | None) -> Check:
    pattern = next((item.pattern for item in info.metadata if getattr(item, "pattern", None)), None) if info else None
    check = _unpatterned(annotation, info)
    if pattern is None:
        return check
    if annotation not in (str, str | None):
        return _refuse
    return _patterned(str(pattern), check)


def _unpatterned(annotation: Any, info: FieldInfo | None) -> Check:
    lo, hi, ge = _bounds(info) if info is not None else (0, None, None)
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = get_args(annotation)
        if len(args) == 2 and type(None) in args:
            inner = next(a for a in args if a is not type(None))
            return _optional(_unpatterned(inner, info))
        raise NotCompiled(str(annotation))
    if origin is list:
        (item,) = get_args(annotation)
        return _listed(_check_of(item, None), lo)
    if lo or hi is not None or ge is not None:
        if annotation is str:
            return _text(lo, hi)
        if annotation is int and not (lo or hi is not None):
            return _integer(ge)
        raise NotCompiled(str(annotation))
    if annotation is str:
        return _text(0, None)
    if annotation is int:
        return _integer(None)
    if annotation is bool:
        return _bool
    if annotation is date:
        return _day
    if annotation is Money:
        return _money
    if isinstance(annotation, type) and issubclass(annotation, StrEnum):
        return _member(annotation)
    if isinstance(annotation, type) and issubclass(annotation, WireModel):
        return compile_model(annotation)
    raise NotCompiled(str(annotation))  # datetime (pydantic's own tzinfo), Decimal, dict, Any...


def compile_model(cls: type[BaseModel]) -> Check:
    """A checker building ``cls`` from a JSON object, or NotCompiled."""
    decorators = cls.__pydantic_decorators__
    if decorators.validators or decorators.field_validators or decorators.root_validators:
        raise NotCompiled(f"{cls.__name__} has validators")
    if decorators.model_validators or set(cls.model_config) - {"frozen", "extra"}:
        raise NotCompiled(f"{cls.__name__} has model validators or settings")
    if cls.model_config.get("extra") != "forbid" or cls.__private_attributes__:
        raise NotCompiled(f"{cls.__name__} is not a closed wire model")
    plan: list[tuple[str, Check, Callable[[], Any] | None]] = []
    for name, info in cls.model_fields.items():
        if info.alias is not None or info.validation_alias is not None:
            raise NotCompiled(f"{cls.__name__}.{name} has an alias")
        member = _check_of(info.annotation, info)
        if info.default_factory is not None:
            plan.append((name, member, info.default_factory))  # type: ignore[arg-type]
        elif info.default is PydanticUndefined:
            plan.append((name, member, None))
        elif info.default is None:
            plan.append((name, member, _none))
        else:
            raise NotCompiled(f"{cls.__name__}.{name} has a default pydantic copies")
    names = frozenset(n for n, _, _ in plan)

    def check(value: Any) -> Any:
        if type(value) is not dict or not names.issuperset(value):
            raise Refused
        values: dict[str, Any] = {}
        for name, field_check, default in plan:
            if name in value:
                values[name] = field_check(value[name])
            elif default is None:
                raise Refused  # missing: pydantic says so
            else:
                values[name] = default()
        return built(cls, values, set(value))

    return check


def _none() -> None:
    return None


def _compiled() -> dict[str, tuple[str, Check]]:
    """dataschema -> (type, checker) of every latest payload version that compiles."""
    latest: dict[str, tuple[int, type[EventPayload]]] = {}
    for (event_type, version), model in models().items():
        if event_type not in latest or version > latest[event_type][0]:
            latest[event_type] = (version, model)
    compiled: dict[str, tuple[str, Check]] = {}
    for event_type, (version, model) in latest.items():
        try:
            compiled[f"{SCHEMA_BASE}:{event_type}:v{version}"] = (event_type, compile_model(model))
        except NotCompiled:
            continue
    return compiled


_ENVELOPE_KEYS = frozenset(CloudEvent.model_fields)
_REQUIRED = frozenset({"id", "source", "type", "subject", "time", "dataschema", "data", "partitionkey"})
_PAYLOADS: dict[str, tuple[str, Check]] | None = None
_OPTIONAL_TEXT = (str, type(None))


def compiled_types() -> set[str]:
    """The event types the fast path decodes (the others always take the pydantic path)."""
    return {event_type for event_type, _ in _payloads().values()}


def _payloads() -> dict[str, tuple[str, Check]]:
    global _PAYLOADS
    if _PAYLOADS is None:
        _PAYLOADS = _compiled()
    return _PAYLOADS


def _envelope(doc: dict[str, Any]) -> CloudEvent | None:
    if not _ENVELOPE_KEYS.issuperset(doc) or not _REQUIRED.issubset(doc):
        return None
    if doc.get("specversion", SPEC_VERSION) != SPEC_VERSION:
        return None
    for key in ("id", "source", "type", "subject", "dataschema", "partitionkey"):
        if type(doc[key]) is not str:
            return None
    if not doc["subject"] or not doc["partitionkey"] or not _TYPE.fullmatch(doc["type"]):
        return None
    sequence = doc.get("sequence", "0")
    content = doc.get("datacontenttype", "application/json")
    if type(sequence) is not str or not _DIGITS.fullmatch(sequence) or type(content) is not str:
        return None
    correlation, causation = doc.get("correlationid"), doc.get("causationid")
    if type(correlation) not in _OPTIONAL_TEXT or type(causation) not in _OPTIONAL_TEXT:
        return None
    stamp = doc["time"]
    if type(stamp) is not str or type(doc["data"]) is not dict or not _TIME.fullmatch(stamp):
        return None
    try:
        time = datetime.fromisoformat(stamp).astimezone(UTC)
    except ValueError:
        return None
    values = {
        "specversion": SPEC_VERSION,
        "id": doc["id"],
        "source": doc["source"],
        "type": doc["type"],
        "subject": doc["subject"],
        "time": time,
        "datacontenttype": content,
        "dataschema": doc["dataschema"],
        "data": doc["data"],
        "partitionkey": doc["partitionkey"],
        "sequence": sequence,
        "correlationid": correlation,
        "causationid": causation,
    }
    return built(CloudEvent, values, set(doc))


def fast_decode(raw: bytes | str) -> tuple[CloudEvent, EventPayload] | None:
    """The envelope and payload ``registry.decode(CloudEvent.from_json(raw))`` gives, or None when
    the fast path is not sure (then take that path: it decodes the event or gives the reason)."""
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if type(doc) is not dict:
        return None
    envelope = _envelope(doc)
    if envelope is None:
        return None
    compiled = _payloads().get(envelope.dataschema)
    if compiled is None or compiled[0] != envelope.type:
        return None
    try:
        payload = compiled[1](envelope.data)
    except Refused:
        return None
    if payload.subject != envelope.subject:
        return None
    return envelope, payload
