"""GET /cohorts: cohorts side by side on the leading indicators of one period (staff only)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["cohorts"])
