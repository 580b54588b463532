"""Partner feedback use cases: submit a proposal, answer it, list proposals per program."""

from __future__ import annotations

from ..domain import feedback as model
from ..domain.feedback import Proposal
from .aggregates import load, record, require
from .kinds import PROPOSALS
from .ports import GovernanceUnit, Page, StreamFilter


async def submit_proposal(unit: GovernanceUnit, command: model.SubmitProposal) -> Proposal:
    loaded = await load(unit, PROPOSALS, command.proposal_id, for_update=True)
    return await record(unit, PROPOSALS, loaded, model.decide_submit(loaded.state, command))


async def answer_proposal(unit: GovernanceUnit, command: model.AnswerProposal) -> Proposal:
    loaded = await require(unit, PROPOSALS, command.proposal_id, for_update=True)
    assert loaded.state is not None
    return await record(unit, PROPOSALS, loaded, model.decide_answer(loaded.state, command))


async def get_proposal(unit: GovernanceUnit, proposal_id: str, *, partner_id: str | None) -> Proposal:
    loaded = await require(unit, PROPOSALS, proposal_id, partner_id=partner_id)
    assert loaded.state is not None
    return loaded.state


async def list_proposals(unit: GovernanceUnit, where: StreamFilter, *, after: int | None, limit: int) -> Page[Proposal]:
    page = await unit.streams.page(PROPOSALS.name, where, after=after, limit=limit)
    return Page([p for p in (PROPOSALS.fold(e) for e in page.items) if p is not None], page.next_cursor)
