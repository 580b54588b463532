"""What the routes share: scopes, the container (typed; it gives the unit and today), page sizes.

Scopes: staff manage the relationship with ``governance:write`` and read it with ``governance:read``;
the program office (``program:admin``) also takes the program's decisions (a dispute's resolution or
rejection, an audit's draw and verdicts, answers to proposals) and reads what it decides on; auditors
read the audits (``audit:read``). Partners use ``partner:read``/``partner:write`` and are confined to
their own partner on every route.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from servicekit.auth import Principal, requires
from servicekit.container import container_dependency

from ..bootstrap import GovernanceContainer

MANAGE = ("governance:write",)
DECIDE = ("governance:write", "program:admin")
READ_ALL = ("governance:read", "governance:write", "program:admin")
AUDIT_READ = (*READ_ALL, "audit:read")
READ_OWN = (*READ_ALL, "partner:read")
WRITE_OWN = ("governance:write", "partner:write")

Container = Annotated[GovernanceContainer, Depends(container_dependency(GovernanceContainer))]
Manager = Annotated[Principal, Depends(requires(*MANAGE))]
ProgramOffice = Annotated[Principal, Depends(requires(*DECIDE))]
Staff = Annotated[Principal, Depends(requires(*READ_ALL))]
Auditor = Annotated[Principal, Depends(requires(*AUDIT_READ))]
Reader = Annotated[Principal, Depends(requires(*READ_OWN, partner_bound="confine"))]
Writer = Annotated[Principal, Depends(requires(*WRITE_OWN, partner_bound="confine"))]


def page_limit(container: GovernanceContainer, limit: int) -> int:
    return min(limit, container.settings.max_page_size)
