"""``quick_init`` builds the same values as the dataclass's own ``__init__`` (kept as ``__reference_init__``).

For every class that uses it, hypothesis picks which fields are passed (the required ones always,
any of the defaulted ones), positionally or by name, and the two initialisers must give the same
fields in the same order with the same values (defaults and factories included), the same
``__post_init__`` effect (the one zero of a posting), and the same errors for wrong calls; the value
stays frozen and hashes as before.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ledger.application import projector
from ledger.domain import chain, explanation, journal, outcome, rewards, state, tiers
from ledger.domain.explanation import RecordedExplanation, RewardExplanation, WinFacts
from ledger.domain.frozen import quick_init
from ledger.domain.journal import JournalEntry, Posting, UnbalancedEntry

QUICK = sorted(
    {
        cls
        for module in (journal, state, outcome, rewards, explanation, tiers, projector, chain)
        for cls in vars(module).values()
        if isinstance(cls, type) and "__reference_init__" in cls.__dict__
    },
    key=lambda cls: cls.__qualname__,
)
# Values a class validates in __post_init__; any other field takes a marker of its own.
VALID: dict[type, dict[str, Any]] = {
    Posting: {"account": "a", "currency": "USD", "amount": Decimal("-0.00")},
    JournalEntry: {
        "postings": (Posting("a", "USD", Decimal("1.50")), Posting("b", "USD", Decimal("-1.50"))),
        "effective_at": datetime(2026, 1, 1, tzinfo=UTC),
    },
    # explanations compare as their documents
    RecordedExplanation: {"stored": {"summary": "s"}},
    RewardExplanation: {
        "win": WinFacts("deal.won", "d", "default", 0, "USD", "1.00", "2026-01-01", "cloud", "gold", False),
        "inputs": {"rate": "5"},
        "steps": ("a", "b"),
        "capped_by": (),
    },
}


def test_the_hot_values_use_it() -> None:
    names = {cls.__name__ for cls in QUICK}
    assert {"Posting", "JournalEntry", "DealRecord", "PartnerLedger", "RewardExplanation", "Component"} <= names
    assert {"ChainHead", "ChainedEntry"} <= names


def _built(cls: type, init: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    value = object.__new__(cls)
    init(value, *args, **kwargs)
    return value


def _outcome(f: Any, value: Any) -> Any:
    """What ``f(value)`` gives, or the type of what it raises (markers are no explanation's base)."""
    try:
        return f(value)
    except (TypeError, AttributeError) as exc:
        return type(exc)


@pytest.mark.parametrize("cls", QUICK, ids=lambda cls: cls.__name__)
@given(data=st.data())
def test_quick_init_builds_what_the_dataclass_init_builds(cls: type, data: st.DataObject) -> None:
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    by_name = False
    for f in dataclasses.fields(cls):
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        if not required and not data.draw(st.booleans(), label=f"pass {f.name}"):
            by_name = True  # a later field passed after one left out goes by name
            continue
        value = VALID.get(cls, {}).get(f.name, f"<{f.name}>")
        by_name = by_name or data.draw(st.booleans(), label=f"{f.name} by name")
        if by_name:
            kwargs[f.name] = value
        else:
            args.append(value)
    quick = cls(*args, **kwargs)
    reference = _built(cls, cls.__reference_init__, args, kwargs)  # type: ignore[attr-defined]
    assert type(quick) is cls
    assert list(vars(quick).items()) == list(vars(reference).items())
    assert [str(v) for v in vars(quick).values()] == [str(v) for v in vars(reference).values()]  # -0 vs 0
    assert quick == reference
    assert _outcome(repr, quick) == _outcome(repr, reference)
    assert _outcome(hash, quick) == _outcome(hash, reference)
    with pytest.raises(dataclasses.FrozenInstanceError):
        quick.__setattr__(dataclasses.fields(cls)[0].name, "changed")


@pytest.mark.parametrize("cls", QUICK, ids=lambda cls: cls.__name__)
def test_wrong_calls_fail_as_they_did(cls: type) -> None:
    fields = dataclasses.fields(cls)
    required = [f for f in fields if f.default is f.default_factory is dataclasses.MISSING]
    wrong = [((), {"not_a_field": 1}), (tuple(range(len(fields) + 1)), {})] + ([((), {})] if required else [])
    for args, kwargs in wrong:
        with pytest.raises(TypeError):
            cls(*args, **kwargs)
        with pytest.raises(TypeError):
            _built(cls, cls.__reference_init__, list(args), kwargs)  # type: ignore[attr-defined]


def test_factories_give_each_value_its_own_default() -> None:
    @quick_init
    @dataclasses.dataclass(frozen=True)
    class Holder:
        name: str
        items: list[int] = dataclasses.field(default_factory=list)

    first, second = Holder("a"), Holder("b")
    assert first.items == []
    assert first.items is not second.items
    given_items = [1]
    assert Holder("c", given_items).items is given_items


def test_post_init_checks_still_run() -> None:
    with pytest.raises(UnbalancedEntry):
        JournalEntry(
            "e", "p", "rebate", "c", datetime(2026, 1, 1, tzinfo=UTC), "r", 1, (Posting("a", "USD", Decimal(1)),)
        )
    assert str(Posting("a", "USD", Decimal("-0.00")).amount) == "0.00"


def test_what_it_cannot_copy_is_refused() -> None:
    with pytest.raises(TypeError):
        quick_init(dataclasses.dataclass(type("Plain", (), {"__annotations__": {"x": int}})))  # not frozen
    with pytest.raises(TypeError):

        @quick_init
        @dataclasses.dataclass(frozen=True)
        class Hidden:
            x: int
            y: int = dataclasses.field(default=0, init=False)
