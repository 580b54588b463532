"""The kernel's error vocabulary: messages, the allowed transitions and every rule code."""

from __future__ import annotations

import pytest
from incentive_kernel.errors import (
    DomainError,
    InvalidDocument,
    InvalidTransition,
    NotFound,
    RuleViolation,
    Violation,
    raise_if_any,
)


def test_an_invalid_transition_names_the_allowed_ones() -> None:
    error = InvalidTransition("the request is paid", ["close"])
    assert (str(error), error.allowed, error.problem_extra) == (
        "the request is paid",
        ["close"],
        {"allowed": ["close"]},
    )
    assert InvalidTransition("closed").problem_extra == {"allowed": []}


def test_a_rule_violation_lists_every_rule() -> None:
    error = RuleViolation([Violation("a", "first"), Violation("b", "second")])
    assert (str(error), error.rules) == ("first; second", ["a", "b"])
    assert error.problem_extra == {
        "violations": [{"rule": "a", "message": "first"}, {"rule": "b", "message": "second"}]
    }
    assert RuleViolation.single("a", "first").rules == ["a"]


def test_a_rule_violation_in_one_sentence_has_no_members() -> None:
    error = RuleViolation("notice period not met")
    assert (str(error), error.rules, error.problem_extra) == ("notice period not met", [], {})


def test_raise_if_any_raises_only_for_violations() -> None:
    raise_if_any([])
    with pytest.raises(RuleViolation) as raised:
        raise_if_any([Violation("a", "first")])
    assert raised.value.rules == ["a"]


def test_every_kind_is_a_domain_error_with_a_title() -> None:
    assert isinstance(NotFound("x"), DomainError)
    assert NotFound("x").problem_extra == {}
    assert (NotFound.title, RuleViolation.title) == ("Not found", "Rule violated")
    assert InvalidDocument("bad", ["a: missing"]).problem_extra == {"errors": ["a: missing"]}
