"""GET /indicators: leading indicators of a scope of partners as a time series (months or quarters)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["indicators"])
