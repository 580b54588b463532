"""Request and response bodies of the webhook routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from ..domain.webhooks import Delivery, Subscription

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"


class SubscribeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subscription_id: str = Field(pattern=ID_PATTERN)
    partner_id: str | None = Field(
        default=None, min_length=1, max_length=64, description="a partner's own; staff may leave it out (finance)"
    )
    url: str = Field(pattern=r"^https?://[^\s]+$", max_length=2000)
    event_types: list[str] = Field(min_length=1, max_length=20)


class SubscriptionOut(BaseModel):
    subscription_id: str
    partner_id: str | None
    url: str
    event_types: list[str]
    active: bool

    @classmethod
    def of(cls, s: Subscription) -> SubscriptionOut:
        return cls(
            subscription_id=s.subscription_id, partner_id=s.partner_id, url=s.url, event_types=list(s.event_types),
            active=s.active,
        )  # fmt: skip


class NewSubscriptionOut(SubscriptionOut):
    secret: str = Field(description="the signing secret: shown only in this answer")

    @classmethod
    def created(cls, s: Subscription) -> NewSubscriptionOut:
        return cls(**SubscriptionOut.of(s).model_dump(), secret=s.secret)


class SubscriptionPage(BaseModel):
    items: list[SubscriptionOut]
    next_cursor: str | None


class DeliveryOut(BaseModel):
    delivery_id: int
    subscription_id: str
    event_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None

    @classmethod
    def of(cls, d: Delivery) -> DeliveryOut:
        return cls(
            delivery_id=d.delivery_id, subscription_id=d.subscription_id, event_id=d.event_id,
            event_type=d.event_type, status=d.status, attempts=d.attempts, next_attempt_at=d.next_attempt_at,
            last_status_code=d.last_status_code, last_error=d.last_error, delivered_at=d.delivered_at,
        )  # fmt: skip


class DeliveryPage(BaseModel):
    items: list[DeliveryOut]
    next_cursor: str | None
