"""A bulk registration decides and records exactly what the same registrations one by one would.

Two fresh databases get the same partners, earlier registrations and a vendor-direct deal; then the
same 240 registrations go to one as ONE ``POST /deals/bulk`` and to the other as 240 ``POST /deals``
in the same order. They are built to collide: customers spelled several ways (domain or only a name,
legal forms, ``www.`` and paths), the same customer and product line from several partners in the
same request, earlier holders, a vendor-direct deal, closes in the past and near, a partner's own
domain, amounts over the cap, currencies without one, a low velocity threshold. Every answer, every
deal row, every history entry and every outbox event must be the same (ids and times aside).
"""

from __future__ import annotations

import random
from typing import Any

import orjson
from registration.config import RegistrationSettings
from registration.entrypoints.api import create_app
from servicekit.testing.client import app_client

from ..conftest import ALEMBIC_INI
from .helpers import deal_body, fetch, manager, partner_body

PARTNERS = ["p1", "p2", "p3", "p4"]
CUSTOMERS = [
    ("Globex Inc", "globex.example"),
    ("Globex, Inc.", "https://www.globex.example/about"),
    ("GLOBEX", None),
    ("Initech LLC", None),
    ("initech", None),
    ("Initech", "initech.example"),
    ("Umbrella GmbH", "umbrella.example"),
    ("Hooli", "hooli.example"),
    ("Vendor Direct Co", "vendor-direct.example"),
    ("Acme", "acme.example"),
    ("Own Shop", "shop.p1.example"),
]


def registrations(count: int) -> list[dict[str, Any]]:
    rng = random.Random(20260302)
    deals = []
    for i in range(count):
        partner = rng.choice(PARTNERS)
        if i % 3 == 0:
            name, domain = rng.choice(CUSTOMERS)
        else:  # a customer of its own, sometimes shared by two or three registrations
            n = rng.randrange(count // 2)
            name, domain = f"Customer {n}", (f"c{n}.example" if n % 4 else None)
        changes: dict[str, Any] = {
            "customer_name": name,
            "customer_domain": domain,
            "product_line": rng.choice(["cloud", "Cloud ", "security", "networking"]),
            "expected_amount": {
                "amount": rng.choice(["1000.00", "250000.00", "250000.01", "99.99"]),
                "currency": rng.choice(["USD", "USD", "EUR", "GBP", "JPY"]),
            },
            "expected_close": rng.choice(["2026-06-30", "2026-03-05", "2026-02-20", "2027-06-30", "2026-03-09"]),
        }
        if rng.random() < 0.3:  # managers may back-date (velocity windows, exclusivity windows)
            changes["registered_on"] = rng.choice(["2026-01-10", "2026-02-25", "2026-02-28", "2026-03-01"])
        if changes["expected_amount"]["currency"] == "JPY":  # whole yen: JPY has no minor unit (issue 13)
            changes["expected_amount"]["amount"] = changes["expected_amount"]["amount"].replace(".", "")
        deals.append(deal_body(f"d{i:03d}", partner, **changes))
    return deals


async def prepare(client, settings: RegistrationSettings) -> None:
    headers = manager(settings)
    for partner in PARTNERS:
        body = partner_body(partner, partner_type="reseller" if partner != "p4" else "referral")
        assert (await client.post("/partners", json=body, headers=headers)).status_code == 201
    earlier = [
        deal_body("old-1", "p3", customer_name="Acme Inc", customer_domain="acme.example", registered_on="2026-01-20"),
        deal_body("old-2", "p2", customer_name="Hooli", customer_domain=None, registered_on="2026-01-02"),
    ]
    for body in earlier:
        assert (await client.post("/deals", json=body, headers=headers)).status_code == 201
    direct = {"direct_deal_id": "v1", "customer_name": "Vendor Direct", "customer_domain": "vendor-direct.example",
              "product_line": "cloud"}  # fmt: skip
    assert (await client.post("/direct-deals", json=direct, headers=headers)).status_code == 201


async def snapshot(settings: RegistrationSettings) -> dict[str, Any]:
    deals = await fetch(settings, "SELECT * FROM deals ORDER BY deal_id")
    history = await fetch(
        settings, "SELECT deal_id, event_type, occurred_at, actor, data::text AS data FROM deal_history ORDER BY id"
    )
    outbox = await fetch(settings, "SELECT event_type, partition_key, sequence, payload FROM outbox ORDER BY id")
    return {
        "deals": [{k: v for k, v in dict(r).items() if k not in ("seq", "updated_at")} for r in deals],
        "history": [{**dict(r), "data": orjson.loads(r["data"])} for r in history],
        "outbox": [
            (r["event_type"], r["partition_key"], r["sequence"], {k: e[k] for k in ("type", "subject", "data")})
            for r in outbox
            for e in [orjson.loads(r["payload"])]
        ],
    }


def settings_for(database_factory, kafka_bootstrap, topic_prefix) -> RegistrationSettings:
    return RegistrationSettings(
        environment="test",
        database_url=database_factory.create(ALEMBIC_INI, prefix="reg"),
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_prefix=topic_prefix,
        velocity_min_count=6,
    )


async def test_a_bulk_registration_equals_the_same_registrations_one_by_one(
    database_factory, kafka_bootstrap, topic_prefix, clock
):
    deals = registrations(240)

    bulk_settings = settings_for(database_factory, kafka_bootstrap, topic_prefix)
    async with app_client(create_app(bulk_settings, clock=clock)) as client:
        await prepare(client, bulk_settings)
        response = await client.post("/deals/bulk", json={"deals": deals}, headers=manager(bulk_settings))
        assert response.status_code == 201, response.text
        bulk = response.json()

    single_settings = settings_for(database_factory, kafka_bootstrap, topic_prefix)
    one_by_one = []
    async with app_client(create_app(single_settings, clock=clock)) as client:
        await prepare(client, single_settings)
        for body in deals:
            response = await client.post("/deals", json=body, headers=manager(single_settings))
            assert response.status_code == 201, response.text
            deal = response.json()
            one_by_one.append(
                {
                    "deal_id": deal["deal_id"],
                    "status": deal["status"],
                    "conflicts_with": deal["conflicts_with"],
                    "conflict_count": deal["conflict_count"],
                    "flags": [f["reason"] for f in deal["flags"] if f["cleared_on"] is None],
                }
            )

    assert bulk["deals"] == one_by_one
    assert bulk["registered"] == len(deals)
    statuses: dict[str, int] = {}
    for item in one_by_one:
        statuses[item["status"]] = statuses.get(item["status"], 0) + 1
    assert bulk["by_status"] == statuses

    # The scenario exercises what it means to: every outcome and every flag occurs.
    assert set(statuses) == {"approved", "pending", "conflict"}
    flags = {flag for item in one_by_one for flag in item["flags"]}
    assert flags == {
        "registration_velocity",
        "registered_after_close",
        "registered_near_close",
        "multi_partner_customer",
        "self_dealing",
    }
    conflicts = [item["conflicts_with"] for item in one_by_one if item["conflicts_with"]]
    assert any(c == ["direct:v1"] for c in conflicts)
    assert any(c[0].startswith("old-") for c in conflicts)
    assert any(c[0].startswith("d") for c in conflicts)  # a holder in the same request

    assert await snapshot(bulk_settings) == await snapshot(single_settings)
