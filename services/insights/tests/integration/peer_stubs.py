"""Stand-ins for the owner services' HTTP APIs in the insights integration tests: small ASGI apps that
record what insights forwarded (path, token, body) and answer as the real routes do. The end-to-end
test (tests/e2e) runs the real registration and ledger."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


@dataclass
class Recorded:
    calls: list[dict[str, Any]] = field(default_factory=list)


def registration_stub(recorded: Recorded) -> httpx.AsyncClient:
    app = FastAPI()

    @app.post("/deals/{deal_id}/flags/{reason}/{decision}")
    async def decide(deal_id: str, reason: str, decision: str, request: Request) -> JSONResponse:
        body = await request.json()
        recorded.calls.append(
            {
                "path": request.url.path,
                "authorization": request.headers.get("authorization"),
                "idempotency_key": request.headers.get("idempotency-key"),
                "body": body,
            }
        )
        if deal_id == "decided":
            return JSONResponse(
                {"type": "about:blank", "title": "Invalid transition", "status": 409, "detail": "the flag is not open"},
                status_code=409,
                media_type="application/problem+json",
            )
        status = "rejected" if decision == "confirm" else "won"
        return JSONResponse({"deal_id": deal_id, "status": status, "open_flags": []})

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://registration")


def ledger_stub(recorded: Recorded) -> httpx.AsyncClient:
    app = FastAPI()

    @app.get("/reconciliation")
    async def reconciliation(period: str, request: Request) -> JSONResponse:
        recorded.calls.append({"path": "/reconciliation", "authorization": request.headers.get("authorization")})
        if request.headers.get("authorization") == "Bearer refused":
            return JSONResponse({"title": "Forbidden", "status": 403, "detail": "needs finance:read"}, status_code=403)
        line = {"currency": "USD", "ok": False, "note": None}
        return JSONResponse(
            {
                "period": period,
                "from": "2026-04-01T00:00:00Z",
                "to_exclusive": "2026-07-01T00:00:00Z",
                "forecast_vs_actual": [
                    {
                        **line,
                        "name": "reward_expense",
                        "expected": "1000.00",
                        "actual": "1200.00",
                        "difference": "200.00",
                    },
                    {**line, "name": "payouts", "expected": None, "actual": "900.00", "difference": None, "ok": True},
                ],
                "checks": [{**line, "name": "balanced", "expected": "0", "actual": "0", "difference": "0", "ok": True}],
                "differences": [],
                "balanced": True,
            }
        )

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ledger")
