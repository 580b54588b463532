"""A worker of which one instance is active at a time, waking on LISTEN/NOTIFY.

A PostgreSQL advisory lock, held on a dedicated connection, elects the active instance; the others
wait as hot standbys (alive: they beat their heartbeat) and take over when the holder's connection
goes. The active one works batch after batch, waking on its NOTIFY channel and polling as a
fallback; an error backs off and re-runs the election. The lock belongs to the session, so the
leader's connection is closed (never handed back to the pool, where an idle connection would keep
holding the lock) whenever it stops leading; and a leader whose connection died (the lock went with
it) stops working before its next batch. The outbox relay and registration's
crm-sync worker are both this loop around their own batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import zlib
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from .copy import driver_connection
from .heartbeat import Heartbeat
from .logging import log_fields

log = logging.getLogger(__name__)


class LeadershipLost(Exception):
    """The leader's connection, and with it the advisory lock, is gone."""


class ElectedWorker:
    """Subclasses set ``batch_size`` and implement ``work_batch``."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        role: str,  # for the logs: "relay", "crm-sync"
        lock_name: str,  # the advisory lock is the CRC-32 of this name
        channel: str,  # the NOTIFY channel that says there is work
        batch_size: int,
        poll_seconds: float = 1.0,
        log_extra: dict[str, Any] | None = None,
    ) -> None:
        self.engine = engine
        self.role = role
        self.lock_id = zlib.crc32(lock_name.encode())
        self.channel = channel
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.log_extra = log_extra or {}
        self.heartbeat = Heartbeat(None)
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()

    async def work_batch(self) -> int:
        """Do one batch of at most ``batch_size`` items; how many there were."""
        raise NotImplementedError

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    async def run(self) -> None:
        """Wait for leadership, then work until stopped. Errors back off and retry."""
        backoff = 0.2
        while not self._stopping.is_set():
            self.heartbeat.beat()
            try:
                async with self.engine.connect() as leader_conn:
                    try:
                        await self._lead(leader_conn)
                    finally:
                        await leader_conn.invalidate()  # closed: the session's lock is released now
                backoff = 0.2
            except asyncio.CancelledError:
                raise
            except LeadershipLost:
                # Backing off first: the hot standby, whose connection is fine, takes over.
                log.warning(f"{self.role} lost its leadership", extra=log_fields(backoff=backoff, **self.log_extra))
                await asyncio.sleep(backoff)
            except Exception:
                log.exception(f"{self.role} error; retrying", extra=log_fields(backoff=backoff, **self.log_extra))
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)

    async def _lead(self, leader_conn: AsyncConnection) -> None:
        while not self._stopping.is_set():
            self.heartbeat.beat()  # a hot standby is alive too
            got = (await leader_conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.lock_id})).scalar()
            await leader_conn.commit()
            if got:
                break
            await self._sleep(self.poll_seconds)
        if self._stopping.is_set():
            return
        log.info(f"{self.role} is leader", extra=log_fields(**self.log_extra))
        driver = await driver_connection(leader_conn)

        def _notified(*_: object) -> None:
            self._wake.set()

        await driver.add_listener(self.channel, _notified)
        driver.add_termination_listener(_notified)
        try:
            while not self._stopping.is_set():
                self.heartbeat.beat()
                self._wake.clear()
                if driver.is_closed():
                    raise LeadershipLost(f"{self.role}: the leader's connection closed")
                if await self.work_batch() < self.batch_size:
                    await self._sleep(self.poll_seconds)
        finally:
            driver.remove_termination_listener(_notified)
            if not driver.is_closed():
                await driver.remove_listener(self.channel, _notified)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
