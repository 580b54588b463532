"""``GET /entries/{id}/explain``: why this amount, in a partner manager's words."""

from __future__ import annotations

from typing import Any


def explain(entry: Any, postings: list[Any], reverses: Any | None, reversed_by: list[Any]) -> dict[str, Any]:
    """Assemble the explanation stored with the entry (written when it was posted) and its links."""
    x: dict[str, Any] = dict(entry.explanation)
    program = x.get("program")
    rule = (
        f"rule {entry.rule_id}, program {program} version {entry.rule_version}"
        if program
        else f"posting rule {entry.rule_id} version {entry.rule_version}"
    )
    lines = [x.get("summary", entry.kind)]
    lines += [f"- {step}" for step in x.get("steps", [])]
    lines.append(f"Caused by event {entry.caused_by} ({x.get('event_type', 'event')}); applied {rule}.")
    if reverses is not None:
        lines.append(
            f"It reverses entry {reverses.entry_id} ({reverses.kind}, {reverses.explanation.get('summary', '')})."
        )
    for later in reversed_by:
        lines.append(
            f"Later reversed by entry {later.entry_id} ({later.kind}): {later.explanation.get('summary', '')}."
        )
    return {
        "entry_id": entry.entry_id,
        "partner_id": entry.partner_id,
        "kind": entry.kind,
        "effective_on": entry.effective_at.date().isoformat(),
        "summary": x.get("summary", entry.kind),
        "steps": x.get("steps", []),
        "text": "\n".join(lines),
        "rule": {"rule_id": entry.rule_id, "version": entry.rule_version, "program": program},
        "caused_by": {"event_id": entry.caused_by, "event_type": x.get("event_type")},
        "inputs": {k: v for k, v in x.items() if k not in ("summary", "steps")},
        "postings": [{"account": p.account, "currency": p.currency, "amount": format(p.amount, "f")} for p in postings],
        "reverses": reverses.entry_id if reverses is not None else None,
        "reversed_by": [r.entry_id for r in reversed_by],
    }
