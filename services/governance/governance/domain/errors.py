"""Domain errors: the shared kernel's vocabulary (servicekit maps each kind to a status code once)."""

from __future__ import annotations

from incentive_kernel.errors import (
    AlreadyExists,
    DomainError,
    InvalidTransition,
    NotFound,
    RuleViolation,
    Violation,
    raise_if_any,
)

__all__ = [
    "AlreadyExists",
    "DomainError",
    "InvalidTransition",
    "NotFound",
    "RuleViolation",
    "Violation",
    "raise_if_any",
]
