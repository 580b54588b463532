"""Partner-bound tokens for the authorization matrix: every scope alone and all of them together, each
bound to one partner, and a snapshot of every row that names either partner (to prove that no attempt
changed another partner's data)."""

from __future__ import annotations

from collections.abc import Iterable

import asyncpg
from servicekit.auth import OPERATOR_SCOPES, SCOPES
from servicekit.db import sync_url

BINDABLE = sorted(set(SCOPES) - OPERATOR_SCOPES)  # operator scopes are never minted with a binding
UNCHANGING_SKIPPED = {"alembic_version"}


def partner_bound_roles(partner_id: str) -> dict[str, tuple[tuple[str, ...], str]]:
    """``{role: (scopes, partner)}``: one role per scope, and one with every scope."""
    roles = {f"bound to {partner_id} with {scope}": ((scope,), partner_id) for scope in BINDABLE}
    roles[f"bound to {partner_id} with every scope"] = (tuple(BINDABLE), partner_id)
    return roles


async def rows_naming(database_urls: Iterable[str], marks: set[str]) -> dict[str, list[str]]:
    """Every row of every table (as text) that contains one of ``marks``, per ``database.table``."""
    found: dict[str, list[str]] = {}
    for url in database_urls:
        conn = await asyncpg.connect(sync_url(url))
        try:
            database = await conn.fetchval("select current_database()")
            tables = await conn.fetch(
                "select table_name from information_schema.tables"
                " where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name"
            )
            for (table,) in tables:
                if table in UNCHANGING_SKIPPED:
                    continue
                rows = await conn.fetch(f'select t::text from "{table}" t')
                naming = sorted(r[0] for r in rows if any(m in r[0] for m in marks))
                if naming:
                    found[f"{database}.{table}"] = naming
        finally:
            await conn.close()
    return found
