"""Where the console finds the owner services (``INSIGHTS_*`` environment variables).

The console reads insights' own APIs in process; statements, explanations, deals, MDF funds and
program rules come from their owner services, called with the signed-in user's own token, so the
authorization is always the owner's. Program documents are the one exception: the ledger never
shows them to partner tokens (they may hold other partners' targets), so the portal's rules summary is
read with ``ledger_token`` (a ``ledger:read`` service token) and cut down to the rules every partner
of the program may know.
"""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConsoleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INSIGHTS_", extra="ignore")

    ledger_url: str = "http://127.0.0.1:8000"
    registration_url: str = "http://127.0.0.1:8001"
    mdf_url: str = "http://127.0.0.1:8002"
    # A ledger:read token for the partner-safe program rules; in development one is minted with the
    # shared development secret when this is unset.
    ledger_token: SecretStr | None = None
    upstream_timeout_seconds: float = 10.0
    # Secure cookies need https; development serves http on 127.0.0.1.
    secure_cookie: bool | None = None
