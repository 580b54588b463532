"""The aggregate kinds governance keeps as streams, and how each is listed."""

from __future__ import annotations

from ..domain.audit import AuditPeriod, evolve_audit
from ..domain.benefits import BenefitStanding, evolve_standing
from ..domain.dispute import Dispute, evolve_dispute
from ..domain.feedback import Proposal, evolve_proposal
from ..domain.plan import JointPlan, evolve_plan
from .aggregates import Kind
from .ports import StreamRow

PLANS: Kind[JointPlan] = Kind("plan", evolve_plan, lambda p: StreamRow(p.partner_id, str(p.year), p.status))
BENEFITS: Kind[BenefitStanding] = Kind(
    "benefits", evolve_standing, lambda s: StreamRow(s.partner_id, None, "holding" if s.held else "none")
)
DISPUTES: Kind[Dispute] = Kind("dispute", evolve_dispute, lambda d: StreamRow(d.partner_id, d.subject_kind, d.status))
AUDITS: Kind[AuditPeriod] = Kind("audit", evolve_audit, lambda a: StreamRow(None, a.period, "drawn"))
PROPOSALS: Kind[Proposal] = Kind("proposal", evolve_proposal, lambda p: StreamRow(p.partner_id, p.program_id, p.status))
