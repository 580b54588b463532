"""Domain errors; the HTTP edge maps each to a status code."""


class DomainError(Exception):
    """Base of every rule violation raised by the registration domain."""


class NotFound(DomainError):
    pass


class AlreadyExists(DomainError):
    pass


class InvalidTransition(DomainError):
    """A command not allowed in the aggregate's current state (HTTP 409)."""

    def __init__(self, message: str, allowed: list[str] | None = None) -> None:
        super().__init__(message)
        self.problem_extra = {"allowed": allowed or []}


class RuleViolation(DomainError):
    """Input that is well-formed but breaks a business rule (HTTP 422)."""
