"""Ledger domain errors."""


class LedgerError(Exception):
    pass


class UnknownPartner(LedgerError):
    """An event for a partner the ledger has never seen enrolled (dead-lettered, re-drivable)."""


class NotFound(LedgerError):
    pass
