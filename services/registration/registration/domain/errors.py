"""Domain errors; the HTTP edge maps each to a status code."""


class DomainError(Exception):
    """Base of every rule violation raised by the registration domain."""


class NotFound(DomainError):
    pass


class AlreadyExists(DomainError):
    pass


class InvalidTransition(DomainError):
    """A command not allowed in the aggregate's current state (HTTP 409); names the allowed ones."""

    def __init__(self, message: str, allowed: list[str] | None = None) -> None:
        allowed = allowed or []
        suffix = f" (allowed: {', '.join(allowed)})" if allowed else " (no transitions are allowed)"
        super().__init__(message + suffix)
        self.problem_extra = {"allowed": allowed}


class RuleViolation(DomainError):
    """Input that is well-formed but breaks a business rule (HTTP 422)."""


class NotPermitted(DomainError):
    """The caller may not do this (HTTP 403), e.g. a partner approving its own deal."""


class UnknownProgram(RuleViolation):
    """An enrolment or change into a program the ledger never published (HTTP 422 naming the field)."""

    def __init__(self, program_id: str) -> None:
        message = f"program {program_id!r} does not exist: enrol into a program the ledger has published"
        super().__init__(f"program_id: {message}")
        self.problem_extra = {"errors": [{"location": "body.program_id", "message": message}]}
