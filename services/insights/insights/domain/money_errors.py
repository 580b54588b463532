"""The errors of the money use cases (alerts, anomaly decisions, finance views).

``AlreadyDone`` and ``NoThresholds`` are kinds of the kernel's ``Conflict`` (409, under their own
title). The owner services' answers are no domain errors: a refusal is passed on with the owner's
status by the route that forwarded the request, and an owner out of reach is a 503 (``api.py``).
"""

from __future__ import annotations

from .errors import Conflict


class AlreadyDone(Conflict):
    """The change was made already (an alert acknowledged twice)."""

    title = "Already done"


class NoThresholds(Conflict):
    """No drift-threshold version is in force on the date."""

    title = "No drift thresholds in force"


class UpstreamError(Exception):
    """An owner service (registration, ledger) did not do what insights forwarded to it."""


class UpstreamRefused(UpstreamError):
    """The owner service refused the forwarded request; ``status`` and ``body`` are its answer."""

    def __init__(self, status: int, body: dict[str, object]) -> None:
        super().__init__(str(body.get("detail") or body.get("title") or f"the owner service answered {status}"))
        self.status = status
        self.body = body


class UpstreamUnavailable(UpstreamError):
    """The owner service could not be reached."""
