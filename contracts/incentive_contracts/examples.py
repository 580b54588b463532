"""One handwritten, realistic example per registered (event type, version), and its envelope.

The examples document the catalogue (the ``meaning`` of each event feeds the README table and the
AsyncAPI messages), are embedded in the AsyncAPI document, and are what the contract tests push
through every reader. Adding an event? Add one :class:`EventExample` to the ``EXAMPLES`` of its
producer's module in ``example_data/`` (merged here into :data:`EXAMPLES`); the contract tests fail,
naming the event, until you do.

The data is written as it travels on the wire: JSON types only, dates as ISO strings, amounts as
decimal strings with a currency code. One story runs through them: partner ``northwind`` wins a
deal with Globex, earns a rebate and MDF, and later refunds part of it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from pydantic import ValidationError

from . import registry
from .envelope import CloudEvent
from .example_data import governance, insights, ledger, mdf, registration
from .example_data.story import NAMESPACE, EventExample, example_event_id
from .payload import EventPayload
from .producers import source_for

EXAMPLE_TIME = datetime(2026, 4, 1, 9, 30, tzinfo=UTC)
EXAMPLE_SEQUENCE = 17
DATA = "incentive_contracts.example_data"


class MissingExampleError(LookupError):
    """A registered event has no entry in :data:`EXAMPLES`."""


EXAMPLES: dict[tuple[str, int], EventExample] = {
    **registration.EXAMPLES,
    **ledger.EXAMPLES,
    **mdf.EXAMPLES,
    **insights.EXAMPLES,
    **governance.EXAMPLES,
}


def example_for(event_type: str, version: int) -> EventExample:
    try:
        return EXAMPLES[(event_type, version)]
    except KeyError:
        raise MissingExampleError(
            f"no example for {event_type} v{version}: add an EventExample to EXAMPLES in {DATA}.<producer>"
        ) from None


def meaning_of(event_type: str, version: int) -> str:
    """The catalogue's one-line meaning: the example's, else the model's docstring, else a to-do."""
    if (event_type, version) in EXAMPLES:
        return EXAMPLES[(event_type, version)].meaning
    doc = (registry.models()[(event_type, version)].__doc__ or "").strip()
    return doc.splitlines()[0] if doc else f"(no example yet: add one to {DATA}.<producer>.EXAMPLES)"


def missing_examples() -> list[tuple[str, int]]:
    """Registered (type, version) pairs that have no example, sorted."""
    return [key for key in registry.models() if key not in EXAMPLES]


def problems() -> list[str]:
    """Why some registered events lack a usable example (empty when all is well)."""
    found = []
    for event_type, version in registry.models():
        try:
            example_payload(event_type, version)
        except MissingExampleError as exc:
            found.append(str(exc))
        except ValidationError as exc:
            found.append(f"the example of {event_type} v{version} is invalid: {exc}".replace("\n", " "))
    return found


def usable(event_type: str, version: int) -> bool:
    """True when the event has an example that its model accepts."""
    try:
        example_payload(event_type, version)
    except (MissingExampleError, ValidationError):
        return False
    return True


def example_payload(event_type: str, version: int) -> EventPayload:
    """The example validated by its own version's model (no upcasting)."""
    model = registry.models()[(event_type, version)]
    return model.model_validate(example_for(event_type, version).data)


def example_envelope(event_type: str, version: int) -> CloudEvent:
    """The example wrapped as its producer would send it, with stable ids and time."""
    return registry.encode(
        example_payload(event_type, version),
        source=source_for(event_type),
        time=EXAMPLE_TIME,
        sequence=EXAMPLE_SEQUENCE,
        event_id=example_event_id(event_type, version),
        correlation_id=str(uuid.uuid5(NAMESPACE, "correlation")),
        causation_id=str(uuid.uuid5(NAMESPACE, f"command:{event_type}:v{version}")),
    )
