"""Domain errors of the governance service; the HTTP edge maps each to a status code (entrypoints/api.py)."""

from __future__ import annotations

from dataclasses import dataclass


class DomainError(Exception):
    """Base of every rule violation raised by the governance domain."""


class NotFound(DomainError):
    pass


class AlreadyExists(DomainError):
    pass


class InvalidTransition(DomainError):
    """A command not allowed in the aggregate's current state (HTTP 409), with what is allowed."""

    def __init__(self, message: str, allowed: list[str] | None = None) -> None:
        super().__init__(message)
        self.problem_extra = {"allowed": allowed or []}


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str


class RuleViolation(DomainError):
    """Well-formed input that breaks business rules (HTTP 422); lists every one."""

    def __init__(self, violations: list[Violation]) -> None:
        super().__init__("; ".join(v.message for v in violations))
        self.violations = list(violations)
        self.problem_extra = {"violations": [{"rule": v.rule, "message": v.message} for v in violations]}

    @classmethod
    def single(cls, rule: str, message: str) -> RuleViolation:
        return cls([Violation(rule, message)])


def raise_if_any(violations: list[Violation]) -> None:
    if violations:
        raise RuleViolation(violations)
