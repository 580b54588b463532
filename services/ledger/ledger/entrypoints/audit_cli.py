"""``ledger replay`` and ``ledger verify``: an auditor rebuilds the ledger from its inputs into a fresh
database and compares it with the live one."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any

import asyncpg
import typer
from incentive_contracts import topics
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from servicekit.db import sync_url

from ..adapters.event_sources import REPLAY_BATCH, ReplaySource
from ..adapters.journal_reader import AUDIT_SESSION, JournalReader
from ..adapters.replay_setup import TargetNotEmpty, copy_catalog, prepare_target, read_catalog
from ..adapters.replay_sink import ReplaySink
from ..adapters.replay_vacuum import vacuum_replayed
from ..application.audit import Examined, examine, first_difference
from ..application.replay import ReplayReport, replay
from ..config import LedgerSettings
from ..domain.verification import Finding
from .replay_workers import PartialReplay, replay_in_parallel
from .verify_workers import examine_in_parallel

console = Console(stderr=True)

# What the projector consumes, in the order a Kafka replay reads it (partners enrolled before funds move).
REPLAYED_TOPICS = (topics.REGISTRATION, topics.MDF, topics.GOVERNANCE)


@contextmanager
def _progress(label: str, total: int | None, quiet: bool) -> Any:
    if quiet:
        yield lambda n: None
        return
    columns = [TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


async def run_replay(
    settings: LedgerSettings,
    target_url: str,
    *,
    from_database: str | None = None,
    catalog_from: str | None = None,
    batch_size: int = REPLAY_BATCH,
    workers: int = 1,
    quiet: bool = False,
) -> ReplayReport:
    """Rebuild journal and balances into ``target_url`` from the Kafka topics (offset 0) or from the
    consumed-event log of the ledger database ``from_database``; ``workers`` > 1 shares the partners
    out to that many processes."""
    catalog_url = catalog_from or from_database or settings.database_url
    catalog = await read_catalog(catalog_url)
    target = await prepare_target(target_url)
    try:
        await copy_catalog(catalog_url, target)
        source = ReplaySource(
            from_database=sync_url(from_database) if from_database is not None else None,
            kafka_bootstrap=settings.kafka_bootstrap_servers,
            consumed_topics=tuple(topics.prefixed(t, settings.topic_prefix) for t in REPLAYED_TOPICS),
            ledger_topic=topics.prefixed(topics.LEDGER, settings.topic_prefix),
            batch_size=batch_size,
            fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
        )
        total = await source.count()
        actions = await source.payout_actions()
        with _progress("replaying events", total, quiet) as advance:
            if workers > 1:
                report = await replay_in_parallel(
                    source, actions, target, sync_url(target_url), catalog_url, workers, advance
                )
            else:
                sink = ReplaySink(target, catalog.versions, catalog.pilots, catalog.changes)
                async with target.transaction():
                    report = await replay(source.batches(), actions, sink, advance)
    finally:
        await target.close()
    await vacuum_replayed(sync_url(target_url), workers)
    return report


@dataclass
class Verdict:
    live: Examined
    replayed: Examined | None
    difference: Finding | None

    @property
    def findings(self) -> list[Finding]:
        found = list(self.live.findings)
        if self.replayed is not None:
            found += [Finding(f.check, f.partner_id, f"(replayed ledger) {f.detail}") for f in self.replayed.findings]
        if self.difference is not None:
            found.append(self.difference)
        return found

    @property
    def ok(self) -> bool:
        return not self.findings


async def _examine(conn: asyncpg.Connection, label: str, quiet: bool) -> tuple[JournalReader, Examined]:
    reader = JournalReader(conn)
    with _progress(label, await reader.count(), quiet) as advance:
        return reader, await examine(reader, advance)


async def run_verify(
    live_url: str, replayed_url: str | None = None, *, workers: int = 1, quiet: bool = False
) -> Verdict:
    """Recompute every chain of the live ledger and, given a replayed ledger, compare their digests;
    ``workers`` > 1 checks the chains of both in that many processes at once."""
    urls = [sync_url(live_url)] + ([sync_url(replayed_url)] if replayed_url else [])
    conns = [await asyncpg.connect(url, server_settings=AUDIT_SESSION) for url in urls]
    try:
        readers = [JournalReader(conn) for conn in conns]
        if workers > 1:
            total = sum([await reader.count() for reader in readers])
            with _progress("checking chains", total, quiet) as advance:
                verdicts = await examine_in_parallel(list(zip(urls, readers, strict=True)), workers, advance)
        else:
            labels = ["checking live chains", "checking replayed chains"]
            verdicts = [(await _examine(conn, label, quiet))[1] for conn, label in zip(conns, labels, strict=False)]
        if len(verdicts) == 1:
            return Verdict(verdicts[0], None, None)
        live, replayed = verdicts
        return Verdict(live, replayed, await first_difference(live, replayed, readers[0], readers[1]))
    finally:
        for conn in conns:
            await conn.close()


def _print_digest(label: str, summary: dict[str, str | int]) -> None:
    typer.echo(f"{label} digest {summary['digest']}")
    typer.echo(f"  journal  {summary['entries']} entries  {summary['journal_digest']}")
    typer.echo(f"  balances {summary['balances']} non-zero  {summary['balances_digest']}")


def register(cli: typer.Typer, settings_factory: Callable[[], LedgerSettings]) -> None:
    @cli.command("replay")
    def replay_command(
        target: Annotated[str, typer.Option("--target", help="an empty (or not yet existing) database URL")],
        from_database: Annotated[
            str | None, typer.Option("--from-database", help="read a ledger database's consumed-event log, not Kafka")
        ] = None,
        catalog_from: Annotated[
            str | None, typer.Option(help="where the program versions and pilots are (default: the live ledger)")
        ] = None,
        batch_size: Annotated[int, typer.Option(help="events per projection batch")] = REPLAY_BATCH,
        workers: Annotated[
            int, typer.Option(min=1, help="processes sharing the partners out (partition-parallel; one per core)")
        ] = 1,
        as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    ) -> None:
        """Rebuild journal and balances into a fresh database from the topics (offset 0) and print a digest."""
        try:
            report = asyncio.run(
                run_replay(settings_factory(), target, from_database=from_database, catalog_from=catalog_from,
                           batch_size=batch_size, workers=workers)
            )  # fmt: skip
        except TargetNotEmpty as exc:
            typer.echo(f"ledger replay: {exc}", err=True)
            raise typer.Exit(2) from exc
        except PartialReplay as exc:
            typer.echo(f"ledger replay: {exc}", err=True)
            raise typer.Exit(1) from exc
        if as_json:
            rejected = [{"event_id": r.event_id, "reason": r.reason} for r in report.rejected]
            typer.echo(json.dumps({**vars(report), "rejected": rejected}, default=str))
            return
        typer.echo(
            f"replayed {report.events} events ({report.duplicates} duplicates, {len(report.rejected)} rejected as "
            f"they were live), {report.payouts} payout actions"
        )
        _print_digest("replayed", report.digest)

    @cli.command("verify")
    def verify_command(
        replayed: Annotated[
            str | None, typer.Option("--replayed", help="a database `ledger replay` rebuilt, to compare with")
        ] = None,
        database_url: Annotated[str | None, typer.Option(help="the live ledger (default LEDGER_DATABASE_URL)")] = None,
        workers: Annotated[
            int, typer.Option(min=1, help="processes checking the chains of both ledgers at once (one per core)")
        ] = 1,
    ) -> None:
        """Check every hash chain, chain head and balance of the live ledger; compare it with a replay."""
        url = database_url or settings_factory().database_url
        verdict = asyncio.run(run_verify(url, replayed, workers=workers))
        _print_digest("live", verdict.live.digest.summary())
        if verdict.replayed is not None:
            _print_digest("replayed", verdict.replayed.digest.summary())
        for finding in verdict.findings:
            typer.echo(f"FAIL {finding.describe()}")
        if not verdict.ok:
            raise typer.Exit(1)
        typer.echo("OK: every chain verifies" + (" and the replay matches" if replayed else ""))
