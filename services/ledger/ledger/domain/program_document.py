"""Loading a program document (YAML) with clear errors; numbers stay exact (never floats)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import yaml
from incentive_kernel.errors import InvalidDocument
from pydantic import ValidationError

from .program import Program


class InvalidProgram(InvalidDocument):
    """The document is not a valid program; ``errors`` lists every problem with its location."""

    title = "Invalid program"

    def __init__(self, errors: list[str]) -> None:
        super().__init__("invalid program document: " + "; ".join(errors), errors)


class _ExactLoader(yaml.SafeLoader):
    """Safe YAML where 5.5 is Decimal('5.5'), not a float."""


def _decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    return Decimal(str(loader.construct_scalar(node)).replace("_", ""))


_ExactLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


def parse_yaml(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_ExactLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InvalidProgram([f"not valid YAML{where}: {problem}"]) from exc


def load_program(text: str, *, program_id: str | None = None) -> Program:
    """Parse and validate; ``program_id`` (from the URL) must match the document's ``program``."""
    return validate_program(parse_yaml(text), program_id=program_id)


def validate_program(data: Any, *, program_id: str | None = None) -> Program:
    if not isinstance(data, dict):
        raise InvalidProgram(["the document must be a mapping with program, title, tiers, rebate and clawback"])
    nul = _nul_location(data, "")
    if nul is not None:  # a YAML escape ("\0", "\x00") decodes to one; PostgreSQL stores none
        raise InvalidProgram([f"{nul or 'document'}: NUL characters are not accepted"])
    try:
        program = Program.model_validate(data)
    except ValidationError as exc:
        raise InvalidProgram([_describe(err) for err in exc.errors()]) from exc
    if program_id is not None and program.program != program_id:
        raise InvalidProgram([f"program: the document is for {program.program!r}, not {program_id!r}"])
    return program


def _nul_location(value: Any, location: str) -> str | None:
    if isinstance(value, str):
        return location if "\x00" in value else None
    items: Any = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        here = f"{location}.{key}" if location else str(key)
        if "\x00" in str(key):
            return here.replace("\x00", "")
        found = _nul_location(item, here)
        if found is not None:
            return found
    return None


def program_as_data(program: Program) -> dict[str, Any]:
    """JSON-ready form (decimal strings), the inverse of :func:`validate_program`."""
    return program.model_dump(mode="json", by_alias=True, exclude_none=True)


def _describe(err: Any) -> str:
    location = ".".join(str(p) for p in err.get("loc", ())) or "document"
    message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    if err.get("type") == "extra_forbidden":
        message = "unknown field (check the spelling against the program reference)"
    return f"{location}: {message}"
