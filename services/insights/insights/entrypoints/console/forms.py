"""What every console form shares: its fields, the same-origin check, the redirect back to its page
with what was done or why not (post/redirect/get: reloading the page never sends the form again), and
the pure parsing of the governance forms into the bodies governance's API expects (a bad form is a
message on the page, never a 5xx; governance still checks everything it is sent)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from .governance_data import PERIOD, form_key
from .sources import Answer

FORM_ID = re.compile(r"^[0-9a-f]{16,32}$")
IDENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
ACTIVITY_KINDS = ("qbr", "annual_strategic_plan", "enablement", "campaign")
CONTENT_LISTS = ("target_segments", "value_propositions", "co_branded_materials")
STALE = "This form is out of date: reload the page and send it again."


async def form_fields(request: Request) -> dict[str, str]:
    """The form's fields (the first value of each); empty when the body is too large to be a form."""
    fields = await form_values(request)
    return {k: v[0] for k, v in fields.items() if v}


async def form_values(request: Request) -> dict[str, list[str]]:
    """Every value of each field (checkboxes send one per ticked box)."""
    body = await request.body()
    if len(body) > 65_536:
        return {}
    return parse_qs(body.decode("utf-8", "replace"))


def cross_site(request: Request) -> bool:
    """The form was sent from a page of another origin."""
    origin = request.headers.get("origin") or ""
    return bool(origin) and origin.split("://", 1)[-1] != request.headers.get("host", "")


def back(page_path: str, done: str | None, problem: str | None) -> RedirectResponse:
    query = f"error={quote(problem[:250])}" if problem else f"done={quote((done or '')[:250])}"
    return RedirectResponse(f"{page_path}{'&' if '?' in page_path else '?'}{query}", status_code=303)


Send = Callable[[dict[str, Any]], Awaitable[Answer]]


async def forward(request: Request, here: str, body: dict[str, Any] | str, send: Send,
                  done: Callable[[Answer], str]) -> Response:  # fmt: skip
    """Send a checked form's body (after the same-origin check) and go back to ``here`` saying what
    was done, or the form's problem, or the API's own answer why not."""
    if cross_site(request):
        return back(here, None, "This form was sent from another site.")
    if isinstance(body, str):
        return back(here, None, body)
    answer = await send(body)
    return back(here, None if answer.error else done(answer), answer.error)


def nonce_key(form: dict[str, str], *parts: str) -> str | None:
    """The Idempotency-Key of a form that may be sent again on purpose with the same fields (a plan's
    content, a subscription, a re-delivery): the id its page rendered it with, so only a resend of
    that same rendered form is one change."""
    form_id = form.get("form_id", "")
    return form_key(*parts, form_id) if FORM_ID.match(form_id) else None


def proposal_body(partner_id: str, program_id: str, form: dict[str, str]) -> dict[str, Any] | str:
    """A partner's proposal (title and text, for its own program), or why it cannot be sent."""
    title, text = form.get("title", "").strip(), form.get("text", "").strip()
    if not title or len(title) > 200:
        return "Give the proposal a title (up to 200 characters)."
    if not text or len(text) > 4000:
        return "Describe the proposal (up to 4,000 characters)."
    if not IDENT.match(program_id):
        return "Your program is unknown."
    proposal_id = "prp-" + form_key(partner_id, program_id, title, text)[8:24]
    return {"proposal_id": proposal_id, "partner_id": partner_id, "program_id": program_id, "title": title,
            "text": text}  # fmt: skip


def answer_body(form: dict[str, str], statuses: tuple[str, ...]) -> dict[str, Any] | str:
    status, text = form.get("status", ""), form.get("answer", "").strip()
    if status not in statuses:
        return "Choose the proposal's status."
    if not text or len(text) > 4000:
        return "Write the answer (up to 4,000 characters)."
    return {"status": status, "answer": text}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r", "").split("\n") if line.strip()]


def _activity(number: int, line: str) -> dict[str, Any] | str:
    parts = [p.strip() for p in line.split("|")]
    if len(parts) != 6:
        return f"Activity line {number}: write id | kind | title | partner owner | vendor owner | due date."
    activity_id, kind, title, partner_owner, vendor_owner, due = parts
    if not IDENT.match(activity_id):
        return f"Activity line {number}: the id takes letters, digits and . _ : - (up to 64)."
    if kind not in ACTIVITY_KINDS:
        return f"Activity line {number}: the kind is one of {', '.join(ACTIVITY_KINDS)}."
    if not all(0 < len(p) <= 200 for p in (title, partner_owner, vendor_owner)):
        return f"Activity line {number}: the title and both owners are needed (up to 200 characters)."
    try:
        due_on = date.fromisoformat(due)
    except ValueError:
        return f"Activity line {number}: the due date is YYYY-MM-DD."
    return {"activity_id": activity_id, "kind": kind, "title": title, "partner_owner": partner_owner,
            "vendor_owner": vendor_owner, "due_on": due_on.isoformat()}  # fmt: skip


def _criterion(number: int, line: str) -> dict[str, Any] | str:
    parts = [p.strip() for p in line.split("|", 3)]
    if len(parts) < 3:
        return f"Criterion line {number}: write id | metric | target | description."
    criterion_id, metric, target = parts[:3]
    if not IDENT.match(criterion_id):
        return f"Criterion line {number}: the id takes letters, digits and . _ : - (up to 64)."
    try:
        value = Decimal(target)
    except InvalidOperation:
        return f"Criterion line {number}: the target is a number."
    if not value.is_finite() or value < 0:
        return f"Criterion line {number}: the target is a number, zero or more."
    description = parts[3] if len(parts) == 4 else ""
    return {"criterion_id": criterion_id, "metric": metric, "target": target, "description": description[:500]}


def plan_content(form: dict[str, str]) -> dict[str, Any] | str:
    """A plan's content from the edit form: lists one item a line; activities and criteria one a line,
    their fields separated by ``|``."""
    content: dict[str, Any] = {name: _lines(form.get(name, ""))[:50] for name in CONTENT_LISTS}
    rows: dict[str, list[Any]] = {"activities": [], "criteria": []}
    for name, parse in (("activities", _activity), ("criteria", _criterion)):
        for number, line in enumerate(_lines(form.get(name, "")), start=1):
            parsed = parse(number, line)
            if isinstance(parsed, str):
                return parsed
            rows[name].append(parsed)
    return {**content, **rows}


def completion_body(form: dict[str, str], today: date) -> dict[str, Any] | str:
    try:
        held = date.fromisoformat(form.get("completed_on", "").strip())
    except ValueError:
        return "The day it was held is YYYY-MM-DD."
    return "The day it was held cannot lie in the future." if held > today else {"completed_on": held.isoformat()}


def next_plan_id(plan_id: str, year: int) -> str:
    """Next year's plan id: the year in the id moved on (``plan-acme-2026`` -> ``plan-acme-2027``)."""
    stem = plan_id.removesuffix(f"-{year}")
    candidate = f"{stem}-{year + 1}"
    return candidate if IDENT.match(candidate) else "plan-" + form_key(plan_id, str(year + 1))[8:32]


def draw_body(form: dict[str, str]) -> dict[str, Any] | str:
    """A draw names only its quarter: the sampling rate is the program's (never the auditor's)."""
    period = form.get("period", "").strip()
    return {"period": period} if PERIOD.match(period) else "The period is a quarter like 2026-Q2."


def subscription_body(partner_id: str | None, form: dict[str, list[str]], event_types: tuple[str, ...],
                      subscription_id: str) -> dict[str, Any] | str:  # fmt: skip
    url = (form.get("url") or [""])[0].strip()
    chosen = [t for t in form.get("event_types", []) if t]
    if not re.match(r"^https?://[^\s]+$", url) or len(url) > 2000:
        return "The URL starts with https:// (or http:// outside production), without spaces."
    if not chosen or any(t not in event_types for t in chosen):
        return "Choose at least one event type."
    body: dict[str, Any] = {"subscription_id": subscription_id, "url": url, "event_types": chosen}
    return {**body, "partner_id": partner_id} if partner_id else body
