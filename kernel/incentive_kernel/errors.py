"""The one error vocabulary of every domain: what went wrong, in words a client can act on.

A domain raises these (or a service's subclass of one, with its own ``title``); servicekit maps each
kind to a status code once (``servicekit.problems.DOMAIN_STATUSES``) and answers RFC 9457
problem+json with ``title``, the message as ``detail`` and ``problem_extra`` as further members.
The kinds say nothing of HTTP: a CLI or a consumer reads the same errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar


class DomainError(Exception):
    """Base of every error a domain raises on purpose; ``title`` names the kind for people."""

    title: ClassVar[str] = "Domain error"

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.problem_extra: dict[str, Any] = {}


class NotFound(DomainError):
    """No such object (for this caller)."""

    title = "Not found"


class AlreadyExists(DomainError):
    """An object with this id exists already."""

    title = "Already exists"


class InvalidTransition(DomainError):
    """A command not allowed in the aggregate's current state; ``allowed`` names the ones that are."""

    title = "Invalid transition"

    def __init__(self, message: str, allowed: Sequence[str] | None = None) -> None:
        super().__init__(message)
        self.allowed = list(allowed or [])
        self.problem_extra = {"allowed": self.allowed}


@dataclass(frozen=True)
class Violation:
    """One broken rule: a stable code for clients and a sentence for people."""

    rule: str
    message: str


class RuleViolation(DomainError):
    """Well-formed input that breaks one or more business rules.

    Given violations, it lists every one (``violations``: their rule codes and sentences); given a
    sentence alone, the sentence is the whole answer (no rule code).
    """

    title = "Rule violated"

    def __init__(self, violations: Sequence[Violation] | str) -> None:
        if isinstance(violations, str):
            super().__init__(violations)
            self.violations: list[Violation] = []
            return
        super().__init__("; ".join(v.message for v in violations))
        self.violations = list(violations)
        self.problem_extra = {"violations": [{"rule": v.rule, "message": v.message} for v in self.violations]}

    @classmethod
    def single(cls, rule: str, message: str) -> RuleViolation:
        return cls([Violation(rule, message)])

    @property
    def rules(self) -> list[str]:
        return [v.rule for v in self.violations]


def raise_if_any(violations: Sequence[Violation]) -> None:
    """Raise one RuleViolation listing every violation, if there is any."""
    if violations:
        raise RuleViolation(violations)


class Conflict(DomainError):
    """The request contradicts what was recorded (another value for something fixed, a state moved on)."""

    title = "Conflict"


class InvalidRequest(DomainError):
    """A request that cannot be acted on as asked (a date in the future, an unknown line of a batch)."""

    title = "Invalid request"


class InvalidDocument(DomainError):
    """A submitted document that is not valid; ``errors`` lists every problem with its location."""

    title = "Invalid document"

    def __init__(self, message: str, errors: Sequence[Any]) -> None:
        super().__init__(message)
        self.errors = list(errors)
        self.problem_extra = {"errors": self.errors}


class Malformed(DomainError):
    """Input that cannot be read at all (not in the expected format)."""

    title = "Malformed input"


class NotPermitted(DomainError):
    """The caller may not do this, whatever its credentials allow elsewhere (a partner approving its own deal)."""

    title = "Forbidden"


__all__ = [
    "AlreadyExists",
    "Conflict",
    "DomainError",
    "InvalidDocument",
    "InvalidRequest",
    "InvalidTransition",
    "Malformed",
    "NotFound",
    "NotPermitted",
    "RuleViolation",
    "Violation",
    "raise_if_any",
]
