"""What the routes share: scopes, the container (typed; it gives the unit and today), page sizes.

Scopes: servicekit has no ``governance:*`` scopes yet, so program staff use ``program:admin`` to manage
governance and ``ledger:read`` to read it; partners use ``partner:read``/``partner:write`` and are
confined to their own partner on every route.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from servicekit.auth import Principal, requires
from servicekit.container import container_dependency

from ..bootstrap import GovernanceContainer

MANAGE = ("program:admin",)
READ_ALL = ("program:admin", "ledger:read")
AUDIT_READ = ("program:admin", "audit:read")
READ_OWN = (*READ_ALL, "partner:read")
WRITE_OWN = ("program:admin", "partner:write")

Container = Annotated[GovernanceContainer, Depends(container_dependency(GovernanceContainer))]
Manager = Annotated[Principal, Depends(requires(*MANAGE))]
Staff = Annotated[Principal, Depends(requires(*READ_ALL))]
Auditor = Annotated[Principal, Depends(requires(*AUDIT_READ))]
Reader = Annotated[Principal, Depends(requires(*READ_OWN, partner_bound="confine"))]
Writer = Annotated[Principal, Depends(requires(*WRITE_OWN, partner_bound="confine"))]


def page_limit(container: GovernanceContainer, limit: int) -> int:
    return min(limit, container.settings.max_page_size)
