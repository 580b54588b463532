"""Why an entry moved what it moved: the explanation stored and hashed with every journal entry.

Each kind of entry has its own frozen value naming exactly the members it records; ``document()`` is
the JSON object written to ``journal_entries.explanation`` and hashed into the chain
(``chain.canonical``), so its members and their values are fixed for good: a new member is a new
field that older entries lack, never a change to an existing one. An explanation reads as a mapping
of its document (``entry.explanation["amount"]``); one read back from storage is a
``RecordedExplanation`` holding the stored document exactly as it was written.

Members with a ``None`` default marked *optional* are left out of the document when None; every other
member is always written (``None`` as JSON null).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, time
from decimal import Decimal
from typing import Any

import orjson

from .frozen import quick_init
from .once import once

OPTIONAL = {"optional": True}
BASE = {"base": True}  # a member whose own members are written at the top level


class Explanation(Mapping[str, Any]):
    """An entry's explanation: a mapping of its canonical document (equal to any mapping with the same members)."""

    def document(self) -> dict[str, Any]:
        """The JSON object stored and hashed (a new dict each call: callers may not change the value)."""
        return dict(self._document)

    @once
    def _document(self) -> dict[str, Any]:
        return _document_of(self)

    @once
    def encoded(self) -> str | None:
        """The document as JSON text with sorted keys, encoded once for the entry's hash
        (``chain.canonical`` splices it in) and its stored row; Decimals, dates and times as ``str()``.
        None when it holds anything else: then each takes its own reference path. (Kept as text: the
        bytes orjson returns keep its whole output buffer, several KiB, for as long as they live.)"""
        return self.reference_encoded()

    def reference_encoded(self) -> str | None:
        """The definition of ``encoded`` (a kind of explanation may encode itself faster, to the same text)."""
        try:
            return orjson.dumps(self._document, default=as_text, option=ENCODED_OPTIONS).decode()
        except TypeError:
            return None

    def __getitem__(self, key: str) -> Any:
        return self._document[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._document)

    def __len__(self) -> int:
        return len(self._document)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._document!r})"


def _document_of(value: Explanation) -> dict[str, Any]:
    """The members of a dataclass explanation: nested bases flattened, tuples as lists, optional Nones left out."""
    document: dict[str, Any] = {}
    for name, how in _members(type(value)):
        item = getattr(value, name)
        if how is _BASE:
            document.update(item.document())
        elif item is None:
            if how is not _OPTIONAL:
                document[name] = None
        elif type(item) in _PLAIN:
            document[name] = item
        elif isinstance(item, tuple):
            document[name] = list(item)
        elif isinstance(item, Mapping):
            document[name] = dict(item)
        else:
            document[name] = item
    return document


ENCODED_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def as_text(value: object) -> str:
    if isinstance(value, Decimal | date | time):  # datetime is a date
        return str(value)
    raise TypeError  # anything else -> the reference encoders. Floats never occur: amounts are exact.


_BASE, _OPTIONAL, _MEMBER = "base", "optional", "member"
_PLAIN = frozenset({str, int, bool, float})  # written as they are (never a tuple or a Mapping)
_PLANS: dict[type, tuple[tuple[str, str], ...]] = {}


def _members(cls: type) -> tuple[tuple[str, str], ...]:
    """(name, how) of a dataclass explanation's members, in order: read from ``fields`` once per class."""
    plan = _PLANS.get(cls)
    if plan is None:
        plan = tuple(
            (f.name, _BASE if f.metadata.get("base") else _OPTIONAL if f.metadata.get("optional") else _MEMBER)
            for f in fields(cls)
        )
        _PLANS[cls] = plan
    return plan


@quick_init
@dataclass(frozen=True, eq=False, repr=False)
class RecordedExplanation(Explanation):
    """An explanation as stored: the document read back, kept exactly (whatever version wrote it)."""

    stored: Mapping[str, Any] = field(default_factory=dict)

    def document(self) -> dict[str, Any]:
        return dict(self.stored)

    @once
    def _document(self) -> dict[str, Any]:
        return dict(self.stored)


@dataclass(frozen=True, eq=False, repr=False)
class DealFacts(Explanation):
    """What every entry about a won deal's rewards records of the deal and the program that priced it."""

    event_type: str
    deal_id: str
    program: str
    program_version: int
    currency: str
    won_amount: str
    closed_on: str


@quick_init
@dataclass(frozen=True, eq=False, repr=False)
class WinFacts(DealFacts):
    """What every reward entry of a won deal records of the win."""

    product_line: str
    tier: str
    held: bool

    @once
    def plain(self) -> dict[str, Any] | None:
        """The document where every member is a str, int or bool as declared (each then written as it is):
        shared, not to be changed, by the encodings of the win's reward explanations. None otherwise."""
        document = self._document
        return document if _PLAIN.issuperset(map(type, document.values())) else None


@quick_init
@dataclass(frozen=True, eq=False, repr=False)
class RewardExplanation(Explanation):
    """A reward of a won deal (rebate, accelerator, bonus, SPIFF, MDF accrual), or the zero rebate of an
    ineligible deal: the win, the component's inputs and steps, gross, paid and capped amounts."""

    win: WinFacts = field(metadata=BASE)
    summary: str
    component: str
    inputs: Mapping[str, Any]
    steps: tuple[str, ...]
    gross: str
    amount: str
    capped: str
    capped_by: tuple[str, ...]
    period: str | None = field(default=None, metadata=OPTIONAL)  # the fund period of an MDF accrual

    @once
    def _document(self) -> dict[str, Any]:
        """``_document_of(self)`` written out for the members' usual types (the projector writes two or
        more of these per won deal); anything else takes the general path. A test holds the two equal."""
        if not self._usual():
            return _document_of(self)
        document = self.win.document()
        document.update(
            summary=self.summary,
            component=self.component,
            inputs=dict(self.inputs),
            steps=list(self.steps),
            gross=self.gross,
            amount=self.amount,
            capped=self.capped,
            capped_by=list(self.capped_by),
        )
        if self.period is not None:
            document["period"] = self.period
        return document

    @once
    def encoded(self) -> str | None:
        """``reference_encoded()`` for the members' usual types without building the document first: the
        win's members shared by its explanations, tuples written as the arrays their lists would be
        (``tests/unit/test_ledger_hot_path.py`` holds the two equal); anything else takes the reference."""
        win = self.win.plain if type(self.win) is WinFacts else None
        if win is None or not self._usual():
            return self.reference_encoded()
        document = {
            **win,
            "summary": self.summary,
            "component": self.component,
            "inputs": dict(self.inputs),
            "steps": self.steps,
            "gross": self.gross,
            "amount": self.amount,
            "capped": self.capped,
            "capped_by": self.capped_by,
        }
        if self.period is not None:
            document["period"] = self.period
        try:
            return orjson.dumps(document, default=as_text, option=ENCODED_OPTIONS).decode()
        except TypeError:
            return self.reference_encoded()

    def _usual(self) -> bool:
        """Whether the members have their declared types (texts, tuples, a mapping of inputs)."""
        period = self.period
        return (
            type(self.steps) is tuple
            and type(self.capped_by) is tuple
            and isinstance(self.inputs, Mapping)
            and type(self.summary) is type(self.component) is type(self.gross) is type(self.amount) is str
            and type(self.capped) is str
            and (period is None or type(period) is str)
        )


@dataclass(frozen=True, eq=False, repr=False)
class ReversalFacts(DealFacts):
    """What every clawback entry of a reversal (or a confirmed flag) records of it."""

    reversed_on: str
    reversed_amount: str
    reason: str


@dataclass(frozen=True, eq=False, repr=False)
class ClawbackExplanation(Explanation):
    """A clawback of one reward (component, share, capped), or no clawback (outside the window: no component)."""

    reversal: ReversalFacts = field(metadata=BASE)
    summary: str
    amount: str
    steps: tuple[str, ...]
    component: str | None = field(default=None, metadata=OPTIONAL)
    share: str | None = field(default=None, metadata=OPTIONAL)
    capped: str | None = field(default=None, metadata=OPTIONAL)
    period: str | None = field(default=None, metadata=OPTIONAL)  # the fund period of a clawed MDF accrual


@dataclass(frozen=True, eq=False, repr=False)
class HoldExplanation(Explanation):
    """A deal's rewards held while it is flagged, or released when the last flag is cleared."""

    event_type: str
    deal_id: str
    currency: str
    amount: str
    summary: str
    steps: tuple[str, ...]
    flags: tuple[str, ...]


@dataclass(frozen=True, eq=False, repr=False)
class HeldAccrualRelease(Explanation):
    """A deal's held MDF accrual released into its fund period."""

    event_type: str
    deal_id: str
    currency: str
    amount: str
    period: str
    summary: str
    steps: tuple[str, ...]


@dataclass(frozen=True, eq=False, repr=False)
class MdfMovementExplanation(Explanation):
    """A money movement the mdf service decided (allocation, reservation, disbursement...); ``period``
    is always written, null for an event that names none."""

    event_type: str
    currency: str
    amount: str
    summary: str
    steps: tuple[str, ...]
    period: str | None


@dataclass(frozen=True, eq=False, repr=False)
class PayoutExplanation(Explanation):
    """A step of a payout line: cut into a batch (with what it covers), paid, or failed."""

    event_type: str
    batch_id: str
    line_id: str
    currency: str
    amount: str
    detail: str
    summary: str
    steps: tuple[str, ...]
    entries_covered: int | None = field(default=None, metadata=OPTIONAL)  # a cut only
    coverage_hash: str | None = field(default=None, metadata=OPTIONAL)  # a cut only


@dataclass(frozen=True, eq=False, repr=False)
class DisputeCompensationExplanation(Explanation):
    """A dispute resolved in the partner's favour: the compensation governance decided, and the dispute
    it answers (its id, what the partner contested, the resolution's reason)."""

    event_type: str
    dispute_id: str
    subject_kind: str
    subject_ref: str
    reason: str
    resolved_on: str
    resolved_by: str
    currency: str
    amount: str
    summary: str
    steps: tuple[str, ...]


@dataclass(frozen=True, eq=False, repr=False)
class CommitmentBenefitExplanation(Explanation):
    """A monetary commitment benefit granted: the commitment rule and its version, the window, the
    partner's figures against the rule's minimum, and the benefit's amount."""

    event_type: str
    benefit: str
    commitment_rule: str
    rules_version: int
    window_from: str
    window_to: str
    inputs: Mapping[str, str]
    minimum: Mapping[str, str]
    effective_on: str
    currency: str
    amount: str
    summary: str
    steps: tuple[str, ...]
