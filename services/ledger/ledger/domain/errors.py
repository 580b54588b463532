"""Ledger domain errors."""


class LedgerError(Exception):
    pass


class UnknownPartner(LedgerError):
    """An event for a partner the ledger has never seen enrolled (dead-lettered, re-drivable)."""


class NotFound(LedgerError):
    pass


class InvalidEvent(LedgerError):
    """A well-formed event the ledger cannot apply (e.g. a currency that differs from the deal's)."""


class NoProgramInForce(LedgerError):
    """No published version of the partner's program is in force at the event's business date."""


class AlreadyPublished(LedgerError):
    """A published program version is immutable."""


class RuleViolation(LedgerError):
    """A request breaks a governance rule (notice period, a correction without a reason...)."""


class Conflict(LedgerError):
    """The request contradicts what was recorded (a batch cut with another minimum, a paid line now failed)."""


class InvalidRequest(LedgerError):
    """A request the ledger cannot act on as asked (a cutoff in the future, an unknown line)."""
