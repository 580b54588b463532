"""The webhook delivery worker (``governance deliver-webhooks``): every poll, the due deliveries are
tried once each (signed; a failure is retried with backoff). Deliveries are locked with SKIP LOCKED,
so several workers share the work."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from servicekit.heartbeat import Heartbeat
from servicekit.logging import configure_logging
from servicekit.runner import run_until_signalled

from ..application.webhook_ports import Sender
from ..application.webhooks import deliver_due
from ..bootstrap import GovernanceContainer, bootstrap
from ..config import GovernanceSettings

log = logging.getLogger(__name__)


class WebhookWorker:
    def __init__(self, container: GovernanceContainer, sender: Sender) -> None:
        self.container = container
        self.sender = sender
        self.stopping = asyncio.Event()
        self.delivered = 0
        self.heartbeat = Heartbeat(container.settings.heartbeat_path)

    def stop(self) -> None:
        self.stopping.set()

    async def run_once(self) -> int:
        runtime = self.container.runtime
        async with runtime.uow_factory() as uow:
            now = runtime.clock.now()
            done = await deliver_due(self.container.unit(uow), self.sender, now, self.container.settings.retry_policy())
            await uow.commit()
        self.delivered += done
        return done

    async def run(self) -> None:
        poll = self.container.settings.webhook_poll_seconds
        while not self.stopping.is_set():
            self.heartbeat.beat()  # alive while the loop turns (servicekit.alive checks the file)
            try:
                await self.run_once()
            except Exception:  # a database hiccup: logged, tried again next poll
                log.exception("webhook delivery round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), timeout=poll)


async def run_webhook_worker(settings: GovernanceSettings) -> None:
    configure_logging("governance-webhooks", settings.log_level)
    container = bootstrap(settings)
    async with container.webhook_sender() as sender:
        worker = WebhookWorker(container, sender)
        try:
            await run_until_signalled(worker, worker.run)
        finally:
            await container.runtime.close()
