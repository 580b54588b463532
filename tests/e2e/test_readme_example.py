"""The README's end-to-end example, run as written (its shell included) on today's date.

The block's ``curl`` calls are captured by a shell function instead of going to a network, then
sent to the in-process services with the relay and the projector running; the balances must be
what the README promises. A fixed date in the example would make it false some day: the example
must take its dates from ``date``.
"""

from __future__ import annotations

import json
import re
import subprocess
from decimal import Decimal
from pathlib import Path

from ledger.entrypoints.api import create_app as ledger_app
from registration.entrypoints.api import create_app as registration_app
from servicekit.testing.client import app_client, auth_header

from .workers import eventually, projector_task, relay_task

README = Path(__file__).resolve().parents[2] / "README.md"
CAPTURE = r"""
curl() {
  local a out=()
  for a in "$@"; do
    if [ "$a" = "@-" ]; then a=$(cat); fi
    out+=("$a")
  done
  printf '%s\037' "${out[@]}" >> "$CURL_LOG"; printf '\036' >> "$CURL_LOG"
}
"""


def example_block() -> str:
    text = README.read_text()
    start = text.index("## A won deal, end to end")
    body = text[text.index("```bash\n", start) + len("```bash\n") :]
    return body[: body.index("```")]


def captured_calls(tmp_path: Path) -> list[list[str]]:
    script = "\n".join(
        line for line in example_block().splitlines() if not line.startswith(("make run", "export TOKEN"))
    )
    log = tmp_path / "curl.log"
    subprocess.run(
        ["/bin/bash", "-euc", CAPTURE + script],
        env={"CURL_LOG": str(log), "TOKEN": "t", "PATH": "/usr/bin:/bin"},
        check=True,
    )
    return [record.split("\037")[:-1] for record in log.read_text().split("\036") if record]


def test_the_example_has_no_fixed_dates():
    assert not re.findall(r"\b\d{4}-\d{2}-\d{2}\b", example_block())


async def test_the_example_gives_what_it_promises_today(tmp_path, registration_settings, ledger_settings):
    calls = captured_calls(tmp_path)
    admin = auth_header(registration_settings, "partners:write", "deals:write")
    reader = auth_header(ledger_settings, "ledger:read")
    async with (
        app_client(registration_app(registration_settings)) as reg,
        app_client(ledger_app(ledger_settings)) as led,
        relay_task(registration_settings, "registration"),
        projector_task(ledger_settings),
    ):
        for args in calls:
            if "-XPOST" not in args:
                continue
            url = next(a for a in args if a.startswith("localhost:8001"))
            body = json.loads(args[args.index("-d") + 1])
            response = await reg.post(url.removeprefix("localhost:8001"), json=body, headers=admin)
            assert response.status_code in (200, 201), response.text

        async def balances():
            response = await led.get("/partners/acme/balances", headers=reader)
            found = response.json().get("balances") if response.status_code == 200 else None
            return {b["account"]: (Decimal(b["balance"]), b["category"]) for b in found} if found else None

        shown = await eventually(balances)
    assert shown["partner:acme:rebates_payable"] == (Decimal("61.72"), "available")
    assert shown["partner:acme:mdf_available"] == (Decimal("12.34"), "available")
    assert "partner:acme:rebates_held" not in shown
