"""`make demo`: load a realistic, deterministic partner program into the running `make run` stack.

Everything goes through the real APIs (registration 8001, mdf 8002, ledger 8000, governance 8004) with the
development token secret, and a quarter of the partners report their deals through the signed
generic CRM webhook, so the events, the ledger's money and the insights read models are the ones
production would make. The plan (``plan.py``) is seeded: the same seed on the same day sends the
same calls, each with a stable ``Idempotency-Key``; a second run finds the partners and stops
(``--force`` sends everything again: replays answer from the idempotency store or 409). Dates are
relative to today (this quarter and the six before it).

    .venv/bin/python deploy/demo/demo.py [--seed 7] [--partners 36] [--manifest .devstack/demo.json]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import orjson
from calls import Api, DemoError, partner_token, staff_token
from governance_demo import load_governance, showcase_partner
from plan import Plan, build, quarter_of
from steps import load_activity, load_alerts, load_finance, load_mdf, load_partners, load_programs

ROOT = Path(__file__).resolve().parents[2]


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--partners", type=int, default=36, help="how many partners (at most 40)")
    parser.add_argument("--ledger", default="http://127.0.0.1:8000")
    parser.add_argument("--registration", default="http://127.0.0.1:8001")
    parser.add_argument("--mdf", default="http://127.0.0.1:8002")
    parser.add_argument("--insights", default="http://127.0.0.1:8003")
    parser.add_argument("--governance", default="http://127.0.0.1:8004")
    parser.add_argument("--manifest", type=Path, default=ROOT / ".devstack" / "demo.json")
    parser.add_argument("--force", action="store_true", help="send every call even if the demo is there")
    parser.add_argument("--no-wait", action="store_true", help="do not wait for the ledger to post the wins")
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> Plan:
    plan = build(args.seed, date.today(), args.partners)
    token = staff_token()
    limits = httpx.Limits(max_connections=16)
    async with (
        httpx.AsyncClient(base_url=args.registration, timeout=60, limits=limits) as registration_client,
        httpx.AsyncClient(base_url=args.mdf, timeout=60, limits=limits) as mdf_client,
        httpx.AsyncClient(base_url=args.ledger, timeout=120, limits=limits) as ledger_client,
        httpx.AsyncClient(base_url=args.insights, timeout=120, limits=limits) as insights_client,
        httpx.AsyncClient(base_url=args.governance, timeout=60, limits=limits) as governance_client,
    ):
        registration = Api(registration_client, token, args.seed)
        mdf = Api(mdf_client, token, args.seed)
        ledger = Api(ledger_client, token, args.seed)
        last = plan.partners[-1].partner_id
        there = await registration.call("GET", f"/partners/{last}", accept=(404,))
        if there.status_code == 200 and not args.force:
            print(f"demo data already loaded ({last} exists); --force sends it again")
            return plan
        started = time.monotonic()
        await load_programs(ledger, plan)
        await load_partners(registration, plan)
        print(f"programs, pilot and {len(plan.partners)} partners in {time.monotonic() - started:.1f}s")
        await load_activity(registration, plan)
        print(f"{len(plan.actions)} deal, engagement and CRM actions in {time.monotonic() - started:.1f}s")
        await load_mdf(mdf, plan)
        print(f"MDF budgets, allocations, requests and claims in {time.monotonic() - started:.1f}s")
        await load_finance(ledger, plan, wait=not args.no_wait)
        print(f"forecasts and payout batches in {time.monotonic() - started:.1f}s")
        await load_governance(Api(governance_client, token, args.seed), registration, plan)
        print(f"joint plan, rituals and commitment benefits in {time.monotonic() - started:.1f}s")
        if not args.no_wait:
            await load_alerts(Api(insights_client, token, args.seed), plan)
            print(f"drift alerts evaluated in {time.monotonic() - started:.1f}s")
    return plan


def _manifest(plan: Plan) -> dict[str, object]:
    partner = showcase_partner(plan)
    return {
        "loaded_at": datetime.now(UTC).isoformat(),
        "today": str(plan.today),
        "quarters": plan.quarters(),
        "current_quarter": quarter_of(plan.today),
        "partners": [
            {
                "partner_id": p.partner_id,
                "name": p.name,
                "profile": p.profile,
                "region": p.region,
                "vertical": p.vertical,
                "currency": p.currency,
                "cohort": p.cohort,
                "via_crm": p.via_crm,
            }
            for p in plan.partners
        ],
        "flagged_deals": plan.flagged_deals,
        "pilot": {"pilot_id": "growth-pilot", "starts_on": str(plan.pilot_start)},
        "manager_token": staff_token(),
        "partner": {"partner_id": partner.partner_id, "token": partner_token(partner.partner_id)},
    }


def main(argv: list[str]) -> int:
    args = _arguments(argv)
    try:
        plan = asyncio.run(run(args))
    except (DemoError, httpx.HTTPError) as error:
        print(f"demo failed: {error}", file=sys.stderr)
        print("is the stack running? `make run` in another terminal first", file=sys.stderr)
        return 1
    manifest = _manifest(plan)
    args.manifest.parent.mkdir(parents=True, exist_ok=True)
    args.manifest.write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
    print(f"\nmanifest (ids, flagged deals, tokens): {args.manifest}")
    print("console: http://127.0.0.1:8003/  (sign in with one of these tokens)")
    print(f"\nmanager token:\n{manifest['manager_token']}")
    partner = manifest["partner"]
    assert isinstance(partner, dict)
    print(f"\npartner token ({partner['partner_id']}):\n{partner['token']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
