"""What the webhook edge can answer about a CRM delivery before it is stored (HTTP maps them at the
edge): a body that is not a delivery in its format, or a request not provably from the CRM."""

from __future__ import annotations

from incentive_kernel.errors import Malformed


class MalformedDelivery(Malformed, ValueError):
    """The body is not a delivery in the expected format (HTTP 400)."""

    title = "Malformed delivery"


class SignatureRefused(Exception):
    """The request is not provably from the CRM (HTTP 401); nothing it says is applied.

    ``header`` names the signature header the CRM must send (for the ``WWW-Authenticate`` challenge)."""

    def __init__(self, reason: str, header: str) -> None:
        super().__init__(reason)
        self.header = header
