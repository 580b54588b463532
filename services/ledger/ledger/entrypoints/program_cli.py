"""``ledger announce-programs``: send program.version_published again for every published version."""

from __future__ import annotations

import asyncio

import typer
from incentive_contracts import topics
from servicekit.db import create_engine
from servicekit.unit_of_work import UnitOfWorkFactory

from ..adapters.programs import OutboxProgramAnnouncements, SqlProgramVersions
from ..application.programs import announce_published
from ..bootstrap import SOURCE
from ..config import LedgerSettings


async def announce_programs(settings: LedgerSettings) -> list[str]:
    """Stage the announcements in the outbox (the relay sends them); returns ``program vN`` per version."""
    engine = create_engine(settings.database_url, pool_size=1)
    factory = UnitOfWorkFactory(engine, source=SOURCE, topic=topics.prefixed(topics.LEDGER, settings.topic_prefix))
    try:
        async with factory() as uow:
            announced = await announce_published(SqlProgramVersions(uow.conn), OutboxProgramAnnouncements(uow))
            await uow.commit()
    finally:
        await engine.dispose()
    return [f"{v.program_id} v{v.version}" for v in announced]


def register(cli: typer.Typer) -> None:
    @cli.command("announce-programs")
    def announce() -> None:
        """Announce every published program version again (registration learns programs published before
        it consumed them, e.g. after the upgrade that introduced program.version_published)."""
        announced = asyncio.run(announce_programs(LedgerSettings()))
        for line in announced:
            typer.echo(line)
        typer.echo(f"ledger: {len(announced)} program versions announced")
