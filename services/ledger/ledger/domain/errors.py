"""Ledger domain errors: the shared kernel's vocabulary, and what the projector rejects events for.

servicekit maps the kernel's kinds to status codes once; the event errors (``LedgerError``) never
reach HTTP: the projector dead-letters the event.
"""

from __future__ import annotations

from incentive_kernel.errors import Conflict, InvalidRequest, NotFound, RuleViolation

__all__ = [
    "AlreadyPublished",
    "Conflict",
    "InvalidEvent",
    "InvalidRequest",
    "LedgerError",
    "NoProgramInForce",
    "NotFound",
    "RuleViolation",
    "UnknownPartner",
]


class LedgerError(Exception):
    """An event the ledger cannot apply."""


class UnknownPartner(LedgerError):
    """An event for a partner the ledger has never seen enrolled (dead-lettered, re-drivable)."""


class InvalidEvent(LedgerError):
    """A well-formed event the ledger cannot apply (e.g. a currency that differs from the deal's)."""


class NoProgramInForce(LedgerError):
    """No published version of the partner's program is in force at the event's business date."""


class AlreadyPublished(Conflict):
    """A published program version is immutable."""

    title = "Already published"
