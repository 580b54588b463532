"""A registration API process for the ingest and bulk scenarios, with enrolled partners."""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from datetime import date

import httpx
from servicekit.auth import mint_token
from servicekit.embedded import free_port
from servicekit.settings import DEV_TOKEN_SECRET

from .processes import Process, service
from .run import Run

PARTNER_PREFIX = "ip"


def partner_id(index: int) -> str:
    return f"{PARTNER_PREFIX}{index:05d}"


def staff_token() -> str:
    return mint_token(DEV_TOKEN_SECRET, subject="bench", scopes=["deals:write", "partners:write"], ttl_seconds=86400)


class RegistrationApi:
    def __init__(self, run: Run, label: str) -> None:
        self.run = run
        self.database_url = run.stack.database("registration", label)
        self.port = free_port()
        # Bulk loads and benchmarks would trip the velocity flag; raise it as the README says.
        settings = run.registration(self.database_url, run.prefix(), velocity_min_count=10**9)
        self.env = run.env(settings)
        self.process: Process = service(
            f"registration api ({label})",
            "registration",
            ["api", "--host", "127.0.0.1", "--port", str(self.port)],
            self.env,
            run.logdir,
        )
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.headers = {"Authorization": f"Bearer {staff_token()}"}

    def start(self) -> RegistrationApi:
        self.process.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base_url}/readyz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if not self.process.alive():
                raise RuntimeError(f"registration api exited; see {self.process.log}")
            time.sleep(0.2)
        raise TimeoutError("registration api not ready after 60 s")

    def enrol(self, partners: int) -> None:
        with httpx.Client(base_url=self.base_url, headers=self.headers, timeout=30) as client:
            for index in range(partners):
                response = client.post(
                    "/partners",
                    headers={"Idempotency-Key": uuid.uuid4().hex},
                    json={
                        "partner_id": partner_id(index),
                        "name": f"Ingest Partner {index}",
                        "partner_type": "reseller",
                        "region": "EMEA",
                        "enrolled_on": date(2026, 1, 5).isoformat(),
                    },
                )
                if response.status_code != 201:
                    raise RuntimeError(f"enrolment failed: {response.status_code} {response.text[:300]}")

    def crm_sync_workers(self, shards: int) -> list[Process]:
        """The ``registration crm-sync --shard I`` processes that apply the deliveries the API stored."""
        env = {**self.env, "REGISTRATION_CRM_SYNC_SHARDS": str(shards)}
        return [
            service(f"registration crm-sync {i}", "registration", ["crm-sync", "--shard", str(i)], env, self.run.logdir)
            for i in range(shards)
        ]

    def stop(self, workers: Sequence[Process] = ()) -> None:
        """Stop the API, then ``workers`` (each process's peak memory is read as it stops)."""
        self.process.stop()
        for worker in workers:
            worker.stop()
