"""Templates and the filters they format figures with (money exact, from the APIs' decimal strings)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from .deps import Visit
from .session import Refusal, Viewer
from .sources import Sources

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")


def decimal_of(value: Any) -> Decimal | None:
    if isinstance(value, dict):
        value = value.get("amount")
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def money(value: Any, currency: str | None = None) -> str:
    """``{"amount": "1234.5", "currency": "USD"}`` (or an amount and a currency) as ``USD 1,234.50``."""
    if isinstance(value, dict):
        currency = currency or value.get("currency")
    amount = decimal_of(value)
    if amount is None:
        return "—"
    # Shown to the currency's cents unless the ledger recorded finer (an MDF accrual with four places).
    exact = amount.quantize(Decimal("0.01")) == amount if amount.is_finite() else True
    text = f"{amount:,.2f}" if exact else f"{amount.normalize():,f}"
    return f"{currency} {text}" if currency else text


def amount(value: Any) -> str:
    """The figure alone, as shown in a table whose header names the currency."""
    return money(value, "") if decimal_of(value) is not None else "—"


def percent(value: Any, places: int = 1) -> str:
    """A ratio as a decimal string (``"0.425"``) shown as ``42.5 %``."""
    ratio = decimal_of(value)
    return "—" if ratio is None else f"{ratio * 100:.{places}f} %"


def number(value: Any) -> str:
    found = decimal_of(value)
    if found is None:
        return "—"
    return f"{found:,.0f}" if found == found.to_integral_value() else f"{found:,.1f}"


def day(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value or "")
    return text[:16].replace("T", " ") if "T" in text else (text or "—")


def label(value: Any) -> str:
    """``registered_near_close`` as ``Registered near close``."""
    text = str(value or "").replace("_", " ").replace(":", ": ")
    return text[:1].upper() + text[1:] if text else "—"


templates.env.filters.update(money=money, amount=amount, percent=percent, number=number, day=day, label=label)


def page(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'"
    )
    return response


def refused(request: Request, visit: Visit) -> HTMLResponse:
    """The sign-in form (401: no valid token) or a 403 page saying where this viewer belongs."""
    refusal = visit.refusal or Refusal(401, "Sign in with your token.")
    if refusal.status == 401:
        response = page(request, "sign_in.html", {"error": None}, status_code=401)
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    return page(request, "error.html", {"viewer": None, "message": refusal.message, "status": 403}, 403)


def admitted(visit: Visit) -> tuple[Viewer, Sources] | None:
    """The viewer and the page's sources when the page is theirs to see."""
    if visit.refusal is None and visit.viewer is not None and visit.sources is not None:
        return visit.viewer, visit.sources
    return None
