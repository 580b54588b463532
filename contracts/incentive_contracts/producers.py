"""Which service produces each event type, and so which topic carries it.

Every service writes only its own topic (see :mod:`incentive_contracts.topics`), so the producer
of an event type fixes its topic. Rules are matched most specific first: an exact type, then the
longest dotted prefix.
"""

from __future__ import annotations

from . import topics

REGISTRATION = "/registration"
MDF = "/mdf"
LEDGER = "/ledger"
INSIGHTS = "/insights"

_RULES: dict[str, str] = {
    "partner.tier_changed": LEDGER,
    "partner.": REGISTRATION,
    "deal.": REGISTRATION,
    "engagement.": REGISTRATION,
    "mdf.": MDF,
    "ledger.": LEDGER,
    "program.": LEDGER,
    "insights.": INSIGHTS,
}


class UnknownProducerError(LookupError):
    """No service is declared as the producer of an event type."""


def source_for(event_type: str) -> str:
    """The CloudEvents ``source`` of the service that emits ``event_type``."""
    if event_type in _RULES:
        return _RULES[event_type]
    prefixes = sorted((p for p in _RULES if p.endswith(".") and event_type.startswith(p)), key=len, reverse=True)
    if not prefixes:
        raise UnknownProducerError(f"no producer declared for {event_type!r}: add a rule to {__name__}")
    return _RULES[prefixes[0]]


def topic_for(event_type: str, prefix: str = "") -> str:
    """The topic that carries ``event_type`` (its producer's topic)."""
    return topics.topic_for_source(source_for(event_type), prefix)


def service_name(source: str) -> str:
    """``/registration`` -> ``registration``."""
    return source.strip("/")
