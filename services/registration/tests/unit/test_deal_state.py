"""evolve() builds the next Deal without dataclasses.replace: the result must be the same."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date
from decimal import Decimal

import pytest
from incentive_contracts.events.deal import ConflictKind, FlagReason
from registration.domain import deal as model

from .builders import approved_deal, usd

CHANGES = {
    "status": model.Status.WON,
    "stage": model.Stage.NEGOTIATION,
    "approved_on": date(2026, 4, 1),
    "conflict_kind": ConflictKind.CHANNEL,
    "conflicts_with": ("d9",),
    "final_amount": usd("12.50"),
    "reversed_amount": Decimal("1.25"),
    "flags": (model.Flag(FlagReason.SELF_DEALING, "own domain", date(2026, 3, 2)),),
}


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_a_changed_deal_equals_dataclasses_replace(name):
    state = approved_deal()
    changed = model._changed(state, **{name: CHANGES[name]})
    assert changed == replace(state, **{name: CHANGES[name]})
    assert type(changed) is model.Deal
    assert hash(changed) == hash(replace(state, **{name: CHANGES[name]}))
    assert getattr(state, name) != CHANGES[name]  # the original is untouched
    assert [getattr(changed, f.name) for f in fields(model.Deal)] == [
        CHANGES[f.name] if f.name == name else getattr(state, f.name) for f in fields(model.Deal)
    ]


def test_an_unknown_field_is_refused_as_replace_refuses_it():
    with pytest.raises(TypeError):
        model._changed(approved_deal(), colour="red")
