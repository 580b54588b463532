"""What the examples share: the example's shape and the one story they tell.

Partner ``northwind`` wins a deal with Globex, earns a rebate and MDF, and later refunds part of it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:partner-incentives:examples")


@dataclass(frozen=True)
class EventExample:
    """What an event means (one sentence) and one realistic payload, as JSON."""

    meaning: str
    data: dict[str, Any]


PARTNER = "northwind"
PROGRAM = "growth-2026"
DEAL = "deal-2026-0193"


def example_event_id(event_type: str, version: int) -> str:
    """A stable event id per example, so generated documents do not change between runs."""
    return str(uuid.uuid5(NAMESPACE, f"{event_type}:v{version}"))
