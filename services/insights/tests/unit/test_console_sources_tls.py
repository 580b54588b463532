"""The console's clients to the owner services share one TLS context, built as httpx builds its default."""

from __future__ import annotations

import ssl

import httpx
from fastapi import FastAPI
from insights.config import InsightsSettings
from insights.entrypoints.console.sources import peer_tls, sources_for

PEERS = ("ledger", "registration", "mdf", "governance")


def _settings(context: ssl.SSLContext) -> tuple[object, ...]:
    return (
        context.verify_mode,
        context.check_hostname,
        context.minimum_version,
        context.options,
        context.cert_store_stats(),
        sorted(c["name"] for c in context.get_ciphers()),
    )


async def test_every_page_reaches_the_owner_services_with_one_tls_context_as_httpx_builds_it() -> None:
    settings = InsightsSettings(ledger_url="https://ledger.example", mdf_url="https://mdf.example")
    async with (
        sources_for(FastAPI(), settings, "token") as first,
        sources_for(FastAPI(), settings, "token") as second,
    ):
        contexts = [
            sources.clients[name]._transport._pool._ssl_context for sources in (first, second) for name in PEERS
        ]  # type: ignore[attr-defined]
    assert all(context is peer_tls() for context in contexts)
    assert _settings(peer_tls()) == _settings(httpx.create_ssl_context())
    assert peer_tls().verify_mode == ssl.CERT_REQUIRED
