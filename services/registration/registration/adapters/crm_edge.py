"""The CRM webhook edge's adapters in one object the container owns: signature checks, the three
wire formats, and the durable store of verified deliveries.

The store is a lifecycle resource: an asyncpg pool and the group-committing :class:`InboxWriter`,
opened by the app's startup and closed by its shutdown (:meth:`open`, :meth:`close`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime

import asyncpg
from servicekit.db import sync_url

from ..application.crm_intake import SignatureRefused
from ..config import RegistrationSettings
from ..crm_mappings import CrmMappings
from ..domain.crm import CrmChange
from . import crm_formats
from .crm_formats import GenericDelivery, HubspotDelivery, SalesforceDelivery
from .crm_inbox_writer import InboxWriter, create_edge_pool
from .signatures import SignatureError, verify_hubspot_v3, verify_timestamped

TIMESTAMPED_HEADER = "X-Signature"
HUBSPOT_HEADER = "X-HubSpot-Signature-v3"


class CrmEdge:
    salesforce_ack = crm_formats.SALESFORCE_ACK

    def __init__(self, settings: RegistrationSettings, mappings: CrmMappings) -> None:
        self.settings = settings
        self.mappings = mappings
        self._pool: asyncpg.Pool | None = None
        self._writer: InboxWriter | None = None

    async def open(self) -> None:
        """Open the edge's pool and inbox writer (the app's startup)."""
        self._pool = await create_edge_pool(sync_url(self.settings.database_url), self.settings.database_pool_size)
        self._writer = InboxWriter(self._pool, linger=self.settings.webhook_group_linger_ms / 1000)  # group commit

    async def close(self) -> None:
        """Wait for the stores in flight, then close the pool (the app's shutdown)."""
        writer, pool, self._writer, self._pool = self._writer, self._pool, None, None
        if writer is not None:
            await writer.close()
        if pool is not None:
            await pool.close()

    async def store(self, source: str, delivery_id: str, changes: Sequence[CrmChange]) -> bool:
        """Durably store a verified delivery for the crm-sync worker; True when it is new."""
        if self._writer is None:
            raise RuntimeError("the CRM edge is not open: the app's startup opens it")
        return await self._writer.store(source, delivery_id, changes)

    def verify_timestamped(self, header: str | None, body: bytes, source: str) -> None:
        """Check a ``X-Signature`` delivery from ``source`` against its secrets."""
        try:
            verify_timestamped(
                header,
                body,
                self.settings.webhook_secrets(source),
                now=time.time(),
                tolerance=self.settings.webhook_tolerance_seconds,
            )
        except SignatureError as exc:
            raise SignatureRefused(str(exc), TIMESTAMPED_HEADER) from exc

    def verify_hubspot(
        self, signature: str | None, timestamp: str | None, *, method: str, uri: str, body: bytes
    ) -> None:
        """Check HubSpot's v3 signature over method, URI, body and timestamp."""
        try:
            verify_hubspot_v3(
                signature,
                timestamp,
                method=method,
                uri=uri,
                body=body,
                secrets=self.settings.webhook_secrets("hubspot"),
                now=time.time(),
                tolerance=self.settings.webhook_tolerance_seconds,
            )
        except SignatureError as exc:
            raise SignatureRefused(str(exc), HUBSPOT_HEADER) from exc

    def parse_salesforce(self, body: bytes, now: datetime) -> SalesforceDelivery:
        """A SOAP outbound message; :class:`MalformedDelivery` if it is not one."""
        return crm_formats.parse_salesforce(body, self.mappings.version_field("salesforce"), now)

    @staticmethod
    def parse_hubspot(body: bytes) -> HubspotDelivery:
        return crm_formats.parse_hubspot(body)

    @staticmethod
    def parse_generic(body: bytes, now: datetime) -> GenericDelivery:
        return crm_formats.parse_generic_delivery(body, now)

    @staticmethod
    def message_id(notification_ids: list[str]) -> str:
        """The delivery id of a message that carries several notifications."""
        return crm_formats.message_id(notification_ids)
