"""What the routes take from the container, as typed dependencies (never ``request.app.state``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from servicekit.container import container_dependency

from ..application.queries import LedgerQueries
from ..bootstrap import LedgerContainer

_container = container_dependency(LedgerContainer)
Ledger = Annotated[LedgerContainer, Depends(_container)]


def _queries(ledger: Ledger) -> LedgerQueries:
    return ledger.queries


Queries = Annotated[LedgerQueries, Depends(_queries)]
