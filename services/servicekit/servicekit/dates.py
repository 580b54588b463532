"""The date policy at the edge: facts checked against the service's clock, violations as 422s.

The rules are :mod:`incentive_contracts.dates`; this module applies the configured skew
(``business_date_future_skew_days``) and answers like any other invalid input, naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from incentive_contracts.dates import DatePolicy

from .container import runtime_of


def date_policy(request: Request) -> DatePolicy:
    days = runtime_of(request).settings.business_date_future_skew_days
    return DatePolicy(future_skew=timedelta(days=days))


def check_facts(
    request: Request, today: date, facts: Mapping[str, date | datetime | None], *, location: str = "body"
) -> None:
    """Refuse (422) any fact dated after today plus the skew; ``facts`` maps field names to values."""
    policy = date_policy(request)
    errors = []
    for field, value in facts.items():
        problem = None if value is None else policy.future_violation(value, today)
        if problem:
            errors.append({"type": "value_error", "loc": (location, *field.split(".")), "msg": problem})
    if errors:
        raise RequestValidationError(errors)
