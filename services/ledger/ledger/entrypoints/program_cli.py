"""``ledger announce-programs``: send program.version_published again for every published version."""

from __future__ import annotations

import asyncio

import typer

from ..application.programs import announce_published
from ..bootstrap import LedgerContainer, command_settings, running


async def announce_programs(ledger: LedgerContainer) -> list[str]:
    """Stage the announcements in the outbox (the relay sends them); returns ``program vN`` per version."""
    async with ledger.uow_factory() as uow:
        unit = ledger.unit(uow)
        announced = await announce_published(unit.programs, unit.announcements)
        await uow.commit()
    return [f"{v.program_id} v{v.version}" for v in announced]


async def _announce() -> list[str]:
    async with running(command_settings()) as ledger:
        return await announce_programs(ledger)


def register(cli: typer.Typer) -> None:
    @cli.command("announce-programs")
    def announce() -> None:
        """Announce every published program version again (registration learns programs published before
        it consumed them, e.g. after the upgrade that introduced program.version_published)."""
        announced = asyncio.run(_announce())
        for line in announced:
            typer.echo(line)
        typer.echo(f"ledger: {len(announced)} program versions announced")
