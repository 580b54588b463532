"""Kafka topic names. Every topic is partitioned and keyed by partner id.

Each producing service writes one topic, so one partner's events from one service stay in order.
A deployment may prefix every name (``TOPIC_PREFIX``) to share a cluster between environments.
"""

from __future__ import annotations

REGISTRATION = "incentives.registration"
MDF = "incentives.mdf"
LEDGER = "incentives.ledger"
INSIGHTS = "incentives.insights"
DEAD_LETTER = "incentives.deadletter"

ALL = (REGISTRATION, MDF, LEDGER, INSIGHTS, DEAD_LETTER)

SOURCE_TOPICS = {
    "/registration": REGISTRATION,
    "/mdf": MDF,
    "/ledger": LEDGER,
    "/insights": INSIGHTS,
}


def topic_for_source(source: str, prefix: str = "") -> str:
    return prefix + SOURCE_TOPICS[source]


def prefixed(topic: str, prefix: str = "") -> str:
    return prefix + topic
