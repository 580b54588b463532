"""One partner's page data, the same for a manager and for the partner's own portal: every call is
made with the viewer's token, so a partner token can only ever fetch its own partner."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from servicekit.auth import mint_token

from ...config import InsightsSettings
from .sources import Answer, Sources
from .views import (
    balance_totals,
    engagement_points,
    indicator_points,
    money_summary,
    next_tier,
    pipeline_by_stage,
    quarter_bounds,
    quarter_of,
    series,
    won_in_window,
)


def _program_rules(found: Answer) -> dict[str, Any] | None:
    items = found.items()
    return items[-1].get("rules") if items and isinstance(items[-1], dict) else None


async def partner_view(sources: Sources, partner_id: str, currency_hint: str | None = None) -> dict[str, Any]:
    """Everything the partner page shows, fetched side by side; ``None`` figures carry their reason."""
    today = date.today()
    start, _ = quarter_bounds(quarter_of(today))
    year_ago = today - timedelta(days=365)
    found = await sources.gather(
        partner=sources.get("insights", f"/partners/{partner_id}"),
        directory=sources.get("registration", f"/partners/{partner_id}"),
        indicators=sources.get("insights", "/indicators", dimension="partner", value=partner_id,
                               granularity="quarter", currency=currency_hint),
        pipeline=sources.get("insights", f"/partners/{partner_id}/pipeline", limit=200),
        deals=sources.get("registration", "/deals", partner_id=partner_id, status="approved", limit=500),
        won=sources.get("registration", "/won-deals", partner_id=partner_id, limit=1000),
        balances=sources.get("ledger", f"/partners/{partner_id}/balances"),
        tier=sources.get("ledger", f"/partners/{partner_id}/tier"),
        funds=sources.get("mdf", f"/partners/{partner_id}/funds"),
        requests=sources.get("mdf", "/requests", partner_id=partner_id, limit=50),
        engagements=sources.get("registration", "/engagements", partner_id=partner_id,
                                occurred_from=year_ago.isoformat(), limit=500),
        anomalies=sources.get("insights", "/anomalies", partner_id=partner_id, status="open", limit=50),
        payouts=sources.get("ledger", f"/partners/{partner_id}/payouts", limit=10),
    )  # fmt: skip
    totals = balance_totals(found["balances"].data)
    summary = money_summary(totals)
    currency = currency_hint or next(iter(summary), "USD")
    statement = await sources.get("ledger", f"/partners/{partner_id}/statement", **{
        "from": start.isoformat(), "to": today.isoformat(), "currency": currency})  # fmt: skip
    points = indicator_points(found["indicators"].data)
    profile = found["partner"].data or found["directory"].data or {}
    names = {str(d.get("deal_id")): str(d.get("customer_name")) for d in found["deals"].items()}
    return {
        "partner_id": partner_id, "found": found, "profile": profile, "statement": statement, "currency": currency,
        "pipeline": pipeline_by_stage(found["pipeline"].items(), names), "summary": summary,
        "won_12m": won_in_window(found["won"].items(), year_ago), "points": points,
        "chart": series(points, "won_revenue", "pipeline.total"), "period_start": start, "today": today,
    }  # fmt: skip


async def tier_progress(sources: Sources, view: dict[str, Any], rules: dict[str, Any] | None) -> dict[str, Any]:
    tier = (view["found"]["tier"].data or {}).get("tier")
    points = engagement_points(view["found"]["engagements"].items(), rules)
    return {"tier": tier, "points": points, "next": next_tier(rules, tier, view["won_12m"], points)}


async def rules_for(sources: Sources, program_id: str, reader: Sources | None) -> tuple[Answer, dict[str, Any] | None]:
    """The program's versions (in force and announced), read with ``reader`` (a service token) when the
    viewer may not read program documents, and the rules of the version in force today."""
    versions = await (reader or sources).get("ledger", f"/programs/{program_id}/versions")
    today = date.today().isoformat()
    in_force = [v for v in versions.items() if v.get("status") == "published" and str(v.get("effective_from")) <= today]
    in_force.sort(key=lambda v: str(v.get("effective_from")))
    return versions, (in_force[-1].get("rules") if in_force else _program_rules(versions))


def settings_reader_token(settings: InsightsSettings) -> str | None:
    """The ledger:read token the portal reads program rules with (minted in development)."""
    if settings.ledger_token is not None:
        return settings.ledger_token.get_secret_value()
    secret = settings.token_secret.get_secret_value()
    if settings.environment in ("development", "test"):
        return mint_token(secret, subject="insights-console", scopes=["ledger:read"], ttl_seconds=300)
    return None
