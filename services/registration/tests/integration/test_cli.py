"""The service's own commands: `registration expire --as-of` is deterministic and repeatable."""

from __future__ import annotations

import asyncio

from registration.entrypoints.api import create_app
from registration.entrypoints.cli import DEFINITION
from servicekit.auth import decode_token
from servicekit.cli import build_cli
from servicekit.testing.client import app_client
from typer.testing import CliRunner

from .helpers import enroll, fetch, register


def test_expire_command_takes_the_date_and_is_idempotent(registration_settings, clock, monkeypatch):
    async def seed() -> None:
        async with app_client(create_app(registration_settings, clock=clock)) as client:
            await enroll(client, registration_settings, "p1")
            await register(client, registration_settings, "old", "p1", registered_on="2026-01-02")

    asyncio.run(seed())
    monkeypatch.setenv("REGISTRATION_DATABASE_URL", registration_settings.database_url)
    monkeypatch.setenv("REGISTRATION_TOPIC_PREFIX", registration_settings.topic_prefix)
    cli = build_cli(DEFINITION)
    runner = CliRunner()
    early = runner.invoke(cli, ["expire", "--as-of", "2026-03-03"])
    assert early.exit_code == 0, early.output
    assert "0 registrations expired as of 2026-03-03" in early.output
    due = runner.invoke(cli, ["expire", "--as-of", "2026-03-04"])
    assert "1 registrations expired as of 2026-03-04" in due.output
    again = runner.invoke(cli, ["expire", "--as-of", "2026-03-04"])
    assert "0 registrations expired" in again.output
    rows = asyncio.run(fetch(registration_settings, "SELECT status FROM deals WHERE deal_id = 'old'"))
    assert rows[0]["status"] == "expired"
    assert "consume" in runner.invoke(cli, ["--help"]).output


def test_mint_token_binds_staff_scopes_to_a_partner_only_when_asked(monkeypatch):
    monkeypatch.setenv("REGISTRATION_ENVIRONMENT", "test")
    cli, runner = build_cli(DEFINITION), CliRunner()
    base = ["mint-token", "--subject", "x", "--partner-id", "p1", "--scope", "partner:read"]
    assert runner.invoke(cli, base).exit_code == 0
    refused = runner.invoke(cli, [*base, "--scope", "partners:write"])
    assert refused.exit_code == 2
    assert "--allow-staff-scopes" in refused.output
    allowed = runner.invoke(cli, [*base, "--scope", "partners:write", "--allow-staff-scopes"])
    assert allowed.exit_code == 0, allowed.output
    assert decode_token(
        DEFINITION.settings_factory().token_secret.get_secret_value(), allowed.output.strip()
    ).scopes == {"partner:read", "partners:write"}
