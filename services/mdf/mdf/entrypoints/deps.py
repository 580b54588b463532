"""Helpers shared by the routes: scopes, the unit, the policy and the clock."""

from __future__ import annotations

from datetime import date

from fastapi import Request
from servicekit.auth import Principal
from servicekit.unit_of_work import UnitOfWork

from ..adapters.unit import SqlMdfUnit
from ..domain.policy import MdfPolicy

MANAGE = ("mdf:write",)
READ_ALL = ("mdf:read", "mdf:write")
READ_OWN = (*READ_ALL, "partner:read")
WRITE_OWN = ("mdf:write", "partner:write")


def unit(request: Request, uow: UnitOfWork) -> SqlMdfUnit:
    return SqlMdfUnit(uow, request.app.state.clock)


def policy(request: Request) -> MdfPolicy:
    policy: MdfPolicy = request.app.state.policy
    return policy


def today(request: Request) -> date:
    day: date = request.app.state.clock.now().date()
    return day


def own_partner(principal: Principal, partner_id: str | None) -> str | None:
    """The partner a list is limited to: a partner-bound token always sees only its own."""
    return principal.confine(partner_id)
