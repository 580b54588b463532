"""The errors of the money use cases (alerts, anomaly decisions, finance views)."""

from __future__ import annotations

from .errors import DomainError


class AlreadyDone(DomainError):
    """The change was made already (an alert acknowledged twice)."""


class NoThresholds(DomainError):
    """No drift-threshold version is in force on the date."""


class UpstreamRefused(DomainError):
    """The owner service refused the forwarded request; ``status`` and ``body`` are its answer."""

    def __init__(self, status: int, body: dict[str, object]) -> None:
        super().__init__(str(body.get("detail") or body.get("title") or f"the owner service answered {status}"))
        self.status = status
        self.body = body


class UpstreamUnavailable(DomainError):
    """The owner service could not be reached."""
