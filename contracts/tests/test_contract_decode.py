"""Upcasting old versions, and what the envelope and ``registry.decode`` refuse to read."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import orjson
import pytest
from contract_support import example_or_fail, key_id
from incentive_contracts import registry
from incentive_contracts.envelope import CloudEvent
from incentive_contracts.events.deal import DealWon
from incentive_contracts.examples import example_envelope
from incentive_contracts.money import Money
from pydantic import ValidationError

SUPERSEDED = [key for key in registry.models() if key[1] < registry.latest_version(key[0])]


def _wire(event_type: str, version: int) -> dict[str, Any]:
    """The example envelope as the JSON object that travels, to be tampered with."""
    return dict(orjson.loads(example_envelope(event_type, version).to_json()))


def _read(document: dict[str, Any]) -> CloudEvent:
    return CloudEvent.from_json(orjson.dumps(document))


def test_deal_won_v1_decodes_to_v2_with_money() -> None:
    v1 = {
        "partner_id": "northwind",
        "deal_id": "deal-2025-0871",
        "product_line": "cloud-analytics",
        "amount": "48500.10",
        "currency": "EUR",
        "closed_on": "2025-11-28",
    }
    document = _wire("deal.won", 1) | {"data": v1}
    decoded = registry.decode(_read(document))
    assert isinstance(decoded, DealWon)
    assert decoded.amount == Money(amount=Decimal("48500.10"), currency="EUR")
    assert decoded.amount.amount.as_tuple().exponent == -2  # scale kept, not normalised
    assert (decoded.deal_id, decoded.product_line, decoded.closed_on) == (
        "deal-2025-0871",
        "cloud-analytics",
        date(2025, 11, 28),
    )
    assert decoded.registered is True
    assert decoded.influence == []
    assert decoded.model_dump(mode="json")["amount"] == {"amount": "48500.10", "currency": "EUR"}


@pytest.mark.parametrize("key", SUPERSEDED, ids=key_id)
def test_every_superseded_version_upcasts_to_the_latest_model(key: tuple[str, int]) -> None:
    example_or_fail(key)
    event_type, _ = key
    decoded = registry.decode(example_envelope(*key))
    assert type(decoded) is registry.latest_model(event_type)
    assert decoded.partner_id == example_envelope(*key).subject


def test_unknown_type_is_rejected() -> None:
    document = _wire("deal.lost", 1) | {
        "type": "deal.teleported",
        "dataschema": "urn:partner-incentives:schema:deal.teleported:v1",
    }
    with pytest.raises(registry.UnknownEventError, match=r"deal\.teleported"):
        registry.decode(_read(document))


def test_unknown_version_is_rejected() -> None:
    document = _wire("deal.lost", 1) | {"dataschema": "urn:partner-incentives:schema:deal.lost:v99"}
    with pytest.raises(registry.UnknownEventError, match="version 99"):
        registry.decode(_read(document))


@pytest.mark.parametrize(
    "dataschema",
    [
        "urn:partner-incentives:schema:deal.won:v1",  # names another type
        "https://example.com/schemas/deal.lost.json",  # not ours
        "urn:partner-incentives:schema:deal.lost:vX",  # malformed version
    ],
)
def test_dataschema_that_does_not_name_this_event_is_rejected(dataschema: str) -> None:
    document = _wire("deal.lost", 1) | {"dataschema": dataschema}
    with pytest.raises(registry.UnknownEventError):
        registry.decode(_read(document))


def test_subject_other_than_the_payload_partner_is_rejected() -> None:
    document = _wire("deal.won", 2) | {"subject": "contoso"}
    with pytest.raises(ValueError, match="subject must equal"):
        registry.decode(_read(document))


def test_float_amount_is_rejected() -> None:
    raw = example_envelope("deal.won", 2).to_json().replace(b'"amount":"120000.00"', b'"amount":120000.00')
    assert raw != example_envelope("deal.won", 2).to_json()
    with pytest.raises(ValidationError, match="never floats"):
        registry.decode(CloudEvent.from_json(raw))


def test_float_amount_in_an_old_version_is_rejected_after_upcasting() -> None:
    document = _wire("deal.won", 1)
    document["data"] = document["data"] | {"amount": 48500.0}
    with pytest.raises(ValidationError):
        registry.decode(_read(document))


def test_unknown_payload_field_is_rejected() -> None:
    document = _wire("deal.lost", 1)
    document["data"] = document["data"] | {"bonus": "100.00"}
    with pytest.raises(ValidationError, match="bonus"):
        registry.decode(_read(document))


def test_time_without_timezone_is_rejected() -> None:
    document = _wire("deal.lost", 1) | {"time": "2026-04-01T09:30:00"}
    with pytest.raises(ValidationError, match="timezone"):
        _read(document)


def test_encode_refuses_a_naive_time() -> None:
    payload = registry.decode(example_envelope("deal.lost", 1))
    with pytest.raises(ValidationError, match="timezone"):
        registry.encode(payload, source="/registration", time=datetime(2026, 4, 1, 9, 30))


def test_time_with_an_offset_is_normalised_to_utc() -> None:
    document = _wire("deal.lost", 1) | {"time": "2026-04-01T11:30:00+02:00"}
    assert _read(document).time == example_envelope("deal.lost", 1).time


@pytest.mark.parametrize("specversion", ["0.3", "1.1", "2.0"])
def test_envelope_rejects_another_specversion(specversion: str) -> None:
    document = _wire("deal.lost", 1) | {"specversion": specversion}
    with pytest.raises(ValidationError, match="specversion"):
        _read(document)
