"""The handbook's chapter on commitment benefits and its sentence on spot audits, from the version's
``commitment`` and ``spot_audits`` sections (what governance applies while the version is in force)."""

from __future__ import annotations

from ..domain.program import Program
from ..domain.program_commitment_diff import benefit_text, minimum_text, rate_text
from .handbook_parts import Section, Table


def commitment_chapter(program: Program) -> Section:
    section = program.commitment
    if section is None or not section.rules:
        return Section("Commitment benefits", ("This version of the program grants no commitment benefits.",))
    paragraphs = [
        f"Sustained activity earns benefits: a partner holds a rule's benefits while its activity over the last "
        f"{section.window_days} days reaches every minimum of the rule. They are granted on the day the partner "
        "reaches the minimums and end on the day its activity falls below them; every grant and end names the "
        "partner's figures against the minimums.",
        "Engagement points count as in the engagement points table; joint plan activities held are the rituals "
        "of the partner's joint plan; pipeline is registered deals, won revenue is won deals.",
    ]
    monetary = [(rule, b) for rule in section.rules for b in rule.benefits if b.amount is not None]
    for rule, benefit in monetary:
        assert benefit.amount is not None
        paragraphs.append(
            f"{benefit.benefit.replace('_', ' ').capitalize()} ({rule.rule_id}) is a monetary benefit: "
            f"{benefit.amount.amount:,.2f} {benefit.amount.currency} credited to the partner's rebates payable "
            "once per grant; ending the benefit does not take it back."
        )
    rows = tuple(
        (
            rule.rule_id.replace("-", " ").replace("_", " "),
            rule.description or "-",
            minimum_text(rule),
            ", ".join(benefit_text(b) for b in rule.benefits),
        )
        for rule in section.rules
    )
    table = Table(("rule", "what it rewards", f"minimum over {section.window_days} days", "earns"), rows)
    return Section("Commitment benefits", tuple(paragraphs), (table,))


def spot_audit_sentence(program: Program) -> str:
    rate = program.spot_audits.rate
    return (
        f"Spot audits sample {rate_text(rate)} of each quarter's won deals and MDF claims (rounded up), with a "
        "seeded draw anyone can reproduce; the program sets the rate, an auditor cannot choose it. A failed "
        "audit confirms the flag."
    )
