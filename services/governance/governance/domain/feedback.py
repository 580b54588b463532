"""Partner feedback: a proposal to improve a program, and managers' answers until it is accepted or declined."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from incentive_contracts.events.governance import (
    GovernanceProposalAnswered,
    GovernanceProposalSubmitted,
    ProposalStatus,
)
from incentive_contracts.payload import EventPayload

from .errors import AlreadyExists, InvalidTransition

FINAL = ("accepted", "declined")


@dataclass(frozen=True)
class Answer:
    status: ProposalStatus
    answer: str
    answered_on: date
    answered_by: str


@dataclass(frozen=True)
class Proposal:
    proposal_id: str
    partner_id: str
    program_id: str
    title: str
    text: str
    submitted_on: date
    submitted_by: str
    status: str = "submitted"
    answers: tuple[Answer, ...] = ()


@dataclass(frozen=True)
class SubmitProposal:
    proposal_id: str
    partner_id: str
    program_id: str
    title: str
    text: str
    on: date
    by: str


@dataclass(frozen=True)
class AnswerProposal:
    proposal_id: str
    status: ProposalStatus
    answer: str
    on: date
    by: str


def decide_submit(existing: Proposal | None, command: SubmitProposal) -> list[EventPayload]:
    if existing is not None:
        raise AlreadyExists(f"proposal {command.proposal_id} already exists")
    return [
        GovernanceProposalSubmitted(
            partner_id=command.partner_id,
            proposal_id=command.proposal_id,
            program_id=command.program_id,
            title=command.title,
            text=command.text,
            submitted_on=command.on,
            submitted_by=command.by,
        )
    ]


def decide_answer(proposal: Proposal, command: AnswerProposal) -> list[EventPayload]:
    if proposal.status in FINAL:
        raise InvalidTransition(f"proposal {proposal.proposal_id} was {proposal.status}", [])
    return [
        GovernanceProposalAnswered(
            partner_id=proposal.partner_id,
            proposal_id=proposal.proposal_id,
            program_id=proposal.program_id,
            status=command.status,
            answer=command.answer,
            answered_on=command.on,
            answered_by=command.by,
        )
    ]


def evolve_proposal(proposal: Proposal | None, event: EventPayload) -> Proposal:
    if isinstance(event, GovernanceProposalSubmitted):
        e = event
        return Proposal(e.proposal_id, e.partner_id, e.program_id, e.title, e.text, e.submitted_on, e.submitted_by)
    assert proposal is not None, f"{event.event_type} before the proposal was submitted"
    if isinstance(event, GovernanceProposalAnswered):
        answer = Answer(event.status, event.answer, event.answered_on, event.answered_by)
        return replace(proposal, status=event.status, answers=(*proposal.answers, answer))
    raise TypeError(f"not a proposal event: {event.event_type}")
