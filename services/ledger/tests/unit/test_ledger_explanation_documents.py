"""An explanation's document (stored and hashed with its entry) is built from a per-class plan of its
members, read once; the plain version below reads ``dataclasses.fields`` on every call and is the
reference: for every explanation class and generated members, both give equal documents with the
same members in the same order (and so the same hashed and stored bytes)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st
from ledger.adapters.store import EXPLANATION_OPTIONS, journal_record
from ledger.domain import explanation
from ledger.domain.chain import ChainHead, canonical, canonical_document, link, reference_canonical
from ledger.domain.explanation import Explanation, RecordedExplanation
from ledger.domain.journal import JournalEntry, Posting


def reference_document(value: Explanation) -> dict[str, Any]:
    """The definition (the code before the per-class plans)."""
    document: dict[str, Any] = {}
    for member in dataclasses.fields(value):  # type: ignore[arg-type]
        item = getattr(value, member.name)
        if member.metadata.get("base"):
            document.update(reference_document(item) if not isinstance(item, RecordedExplanation) else item.document())
        elif item is None and member.metadata.get("optional"):
            continue
        elif isinstance(item, tuple):
            document[member.name] = list(item)
        elif isinstance(item, Mapping):
            document[member.name] = dict(item)
        else:
            document[member.name] = item
    return document


class Colour(StrEnum):
    RED = "red"


TEXT = st.text(max_size=8)
VALUES = (
    st.none()
    | TEXT
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.booleans()
    | st.just(Colour.RED)
    | st.lists(TEXT, max_size=3).map(tuple)
    | st.dictionaries(TEXT, TEXT, max_size=3)
    | st.dictionaries(TEXT, TEXT, max_size=3).map(MappingProxyType)
    | st.decimals(allow_nan=False, allow_infinity=False, places=2)
    | st.dates()
    | st.lists(st.dictionaries(TEXT, st.integers(min_value=0, max_value=9) | TEXT, max_size=2), max_size=2).map(tuple)
)
CLASSES = [
    c
    for c in vars(explanation).values()
    if isinstance(c, type)
    and issubclass(c, Explanation)
    and dataclasses.is_dataclass(c)
    and c is not RecordedExplanation
]


def explanations(cls: type[Explanation]) -> st.SearchStrategy[Explanation]:
    members: dict[str, st.SearchStrategy[Any]] = {}
    for member in dataclasses.fields(cls):  # type: ignore[arg-type]
        if member.metadata.get("base"):
            base = member.type if isinstance(member.type, type) else getattr(explanation, str(member.type))
            members[member.name] = explanations(base)
        else:
            members[member.name] = VALUES
    return st.fixed_dictionaries(members).map(lambda kwargs: cls(**kwargs))


def test_every_explanation_class_is_generated() -> None:
    assert {c.__name__ for c in CLASSES} >= {
        "RewardExplanation",
        "ClawbackExplanation",
        "WinFacts",
        "PayoutExplanation",
    }


@settings(max_examples=600)
@given(st.sampled_from(CLASSES).flatmap(explanations))
def test_documents_equal_the_plain_version(value: Explanation) -> None:
    expected = reference_document(value)
    got = value.document()
    assert got == expected
    assert list(got) == list(expected)
    assert [type(v) for v in got.values()] == [type(v) for v in expected.values()]
    assert orjson.dumps(got, option=orjson.OPT_SORT_KEYS, default=str) == orjson.dumps(
        expected, option=orjson.OPT_SORT_KEYS, default=str
    )


RECORDED = st.dictionaries(TEXT, VALUES, max_size=5).map(RecordedExplanation)


def _entry(value: Explanation) -> JournalEntry:
    amount = Decimal("12.34")
    return JournalEntry(
        entry_id="e-1",
        partner_id="p-1",
        kind="rebate",
        caused_by="ev-1",
        effective_at=datetime(2026, 3, 31, tzinfo=UTC),
        rule_id="default/rebate",
        rule_version=3,
        postings=(Posting("program:default:rebate_expense", "USD", amount), Posting("x", "USD", -amount)),
        explanation=value,
    )


@settings(max_examples=400)
@given(
    st.sampled_from(CLASSES).flatmap(explanations) | st.dictionaries(TEXT, VALUES, max_size=5).map(RecordedExplanation)
)
def test_the_explanation_encoded_once_gives_the_reference_hash_and_row(value: Explanation) -> None:
    """The hashed bytes splice the explanation's bytes, encoded once: equal to the json module's
    bytes of the whole document; the stored row holds those bytes: equal to encoding it apart."""
    entry = _entry(value)
    assert canonical(entry, 7, "ab" * 32) == reference_canonical(canonical_document(entry, 7, "ab" * 32))
    linked = link(entry, ChainHead(6, "ab" * 32))
    stored = orjson.dumps(value.document(), option=EXPLANATION_OPTIONS, default=str).decode()
    assert journal_record(linked)[11] == stored
