"""``ledger verify`` hashes each stored row without rebuilding its entry (``journal_reader._link``): the
content hash is the one ``chain.canonical`` gives for the entry rebuilt from the row (the reference,
``recomputed_hash(_stored(row))``), for any explanation the hot path's generators make, stored as JSON
text and read back, and for every entry of the golden journals (their stored hashes included)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st
from ledger.adapters.journal_reader import PLAIN_AMOUNT, _all_plain, _hashed_postings, _link, _stored
from ledger.adapters.store import JOURNAL_COLUMNS
from ledger.domain.chain import (
    GENESIS,
    _document,
    canonical,
    canonical_document,
    fast_canonical,
    reference_canonical,
    row_document,
)
from ledger.domain.journal import JournalEntry
from ledger.domain.verification import recomputed_hash
from ledger_support import incoming, mdf_answers, program, replay
from test_ledger_explanation_hashes import _mdf_events, _reward_events
from test_ledger_hot_path import AMOUNTS, JSON_VALUES, TEXT, _entry

COLUMNS = [*JOURNAL_COLUMNS, "postings"]  # the order the verify reader selects


class Row(tuple[Any, ...]):
    """An ``ENTRIES`` row as asyncpg gives it: its columns by position and by name."""

    def __getitem__(self, key: Any) -> Any:
        return super().__getitem__(COLUMNS.index(key) if isinstance(key, str) else key)


def _row(entry: JournalEntry, sequence: int, prev_hash: str, explanation_text: str, entry_hash: str = "") -> Row:
    e = entry
    return Row((
        e.entry_id, e.partner_id, e.stream, sequence, e.kind, e.caused_by, e.deal_id, e.effective_at, e.rule_id,
        e.rule_version, e.reverses, explanation_text, prev_hash, entry_hash or "0" * 64,
        [[p.account, p.currency, str(p.amount)] for p in e.postings],
    ))  # fmt: skip


def _same_hash(row: Row) -> str:
    link = _link(row)
    assert link.content_hash == recomputed_hash(_stored(row))
    assert (link.partner_id, link.stream, link.sequence, link.entry_id) == (row[1], row[2], row[3], row[0])
    assert (link.prev_hash, link.entry_hash) == (row[12], row[13])
    return link.content_hash


@settings(max_examples=400)
@given(st.dictionaries(TEXT, JSON_VALUES, max_size=6), TEXT, AMOUNTS, st.sampled_from(["json", "orjson"]))
def test_a_row_hashes_as_the_entry_rebuilt_from_it(
    explanation: dict[str, Any], partner_id: str, amount: Decimal, writer: str
) -> None:
    entry = _entry(explanation, partner_id, amount)
    # The stored text: as either library writes it (the database gives back its own spelling: any JSON).
    try:
        text = orjson.dumps(explanation, default=str).decode() if writer == "orjson" else None
    except TypeError:  # an integer past 64 bits
        text = None
    text = text or json.dumps(explanation, default=str)
    _same_hash(_row(entry, 7, "ab" * 32, text))


@settings(max_examples=200)
@given(st.dictionaries(TEXT, JSON_VALUES, max_size=6), TEXT, AMOUNTS)
def test_the_row_document_is_the_entry_document(explanation: dict[str, Any], partner_id: str, amount: Decimal) -> None:
    entry = _entry(explanation, partner_id, amount)
    document = row_document(
        entry.entry_id, entry.partner_id, entry.stream, 7, entry.kind, entry.caused_by, entry.deal_id,
        entry.effective_at.isoformat(), entry.rule_id, entry.rule_version, entry.reverses,
        [[p.account, p.currency, format(p.amount, "f")] for p in entry.postings], entry.explanation.document(),
        "ab" * 32,
    )  # fmt: skip
    assert document == canonical_document(entry, 7, "ab" * 32)
    assert list(document) == list(_document(entry, 7, "ab" * 32, None))
    fast = fast_canonical(document)
    assert fast is None or fast == reference_canonical(document) == canonical(entry, 7, "ab" * 32)


def test_odd_stored_explanations_take_the_reference_path() -> None:
    entry = _entry({})
    for text in ('{"big": 123456789012345678901234567890}', '{"name": "Müller"}', '{"q": "a\\"b"}', '{"f": 1.50}'):
        _same_hash(_row(entry, 1, GENESIS, text))


async def test_every_golden_journal_entry_hashes_from_its_row() -> None:
    journals = [
        await replay([incoming(p, f"ev-{i}") for i, p in enumerate(_reward_events())], program()),
        await replay([incoming(p, f"ev-{i}") for i, p in enumerate(_mdf_events())], program()),
    ]
    answers = [incoming(p, f"ev-answer-{i}") for i, p in enumerate(mdf_answers(journals[-1]))]
    journals.append(await replay([incoming(p, f"ev-{i}") for i, p in enumerate(_mdf_events())] + answers, program()))
    checked = 0
    for journal in journals:
        for c in journal.ledger.journal:
            text = c.entry.explanation.encoded or json.dumps(c.entry.explanation.document(), default=str)
            assert _same_hash(_row(c.entry, c.sequence, c.prev_hash, text, c.entry_hash)) == c.entry_hash
            checked += 1
    assert checked > 20


def test_the_shared_fast_encoder_gives_canonical_bytes_as_before() -> None:
    entry = _entry({"summary": "Rebate of 12.34 USD", "amount": "12.34", "steps": ["a", "b"], "held": False})
    assert canonical(entry, 1, GENESIS) == reference_canonical(canonical_document(entry, 1, GENESIS))
    assert fast_canonical({"ids": {1, 2}}) is None  # a value orjson does not write: the reference path
    assert fast_canonical({"name": "Müller"}) is None  # escapes: the reference path


@settings(max_examples=500)
@given(st.from_regex(PLAIN_AMOUNT, fullmatch=True))
def test_a_plain_amount_is_its_own_hashed_spelling(text: str) -> None:
    assert format(Decimal(text), "f") == text


@settings(max_examples=500)
@given(
    st.lists(
        st.decimals(allow_nan=True, allow_infinity=True).map(str)
        | st.from_regex(r"-?[0-9]{1,4}(\.[0-9]{0,3})?(E[+-]?[0-9])?", fullmatch=True),
        max_size=4,
    )
)
def test_postings_are_hashed_with_each_amount_formatted(amounts: list[str]) -> None:
    """``_hashed_postings`` keeps lines whose amounts are plain numerals, else formats each amount: the
    reference (``format(Decimal(amount), "f")`` for every line) either way."""
    lines = [["partner:acme:rebates_payable", "USD", amount] for amount in amounts]
    assert _hashed_postings(lines) == [[a, c, format(Decimal(v), "f")] for a, c, v in lines]


amounts_read = (
    st.from_regex(PLAIN_AMOUNT, fullmatch=True)
    | st.decimals(allow_nan=True, allow_infinity=True).map(str)
    | st.sampled_from(["1\n2", "\n", "1\n", "\n1", "01", "1.", "-0", "1E+2", " 1", "1 "])
)


@settings(max_examples=500)
@given(st.lists(st.lists(amounts_read, max_size=3), max_size=5))
def test_a_page_is_plain_when_and_only_when_every_amount_is(pages: list[list[str]]) -> None:
    """``_all_plain`` over a page's postings says what ``PLAIN_AMOUNT`` says of each amount (an amount
    holding a newline, which a join by newlines could read as two plain ones, included)."""
    groups = [[["partner:acme:rebates_payable", "USD", amount] for amount in entry] for entry in pages]
    expected = all(PLAIN_AMOUNT.fullmatch(line[2]) is not None for lines in groups for line in lines)
    assert _all_plain(groups) is expected
