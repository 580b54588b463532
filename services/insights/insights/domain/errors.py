"""Errors the insights use cases raise; the API maps each to one HTTP status at the edge."""

from __future__ import annotations


class DomainError(Exception):
    """Base of the insights errors."""


class NotFound(DomainError):
    """No such partner or cohort for this caller."""
