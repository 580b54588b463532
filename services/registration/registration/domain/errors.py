"""Domain errors: the shared kernel's vocabulary (servicekit maps each kind to a status code once)."""

from __future__ import annotations

from collections.abc import Sequence

from incentive_kernel import errors as kernel
from incentive_kernel.errors import AlreadyExists, DomainError, NotFound, NotPermitted, RuleViolation

__all__ = [
    "AlreadyExists",
    "DomainError",
    "InvalidTransition",
    "NotFound",
    "NotPermitted",
    "RuleViolation",
    "UnknownProgram",
]


class InvalidTransition(kernel.InvalidTransition):
    """The kernel's invalid transition, its message also naming the allowed ones (as registration always has)."""

    def __init__(self, message: str, allowed: Sequence[str] | None = None) -> None:
        allowed = list(allowed or [])
        suffix = f" (allowed: {', '.join(allowed)})" if allowed else " (no transitions are allowed)"
        super().__init__(message + suffix, allowed)


class UnknownProgram(RuleViolation):
    """An enrolment or change into a program the ledger never published (HTTP 422 naming the field)."""

    def __init__(self, program_id: str) -> None:
        message = f"program {program_id!r} does not exist: enrol into a program the ledger has published"
        super().__init__(f"program_id: {message}")
        self.problem_extra = {"errors": [{"location": "body.program_id", "message": message}]}
