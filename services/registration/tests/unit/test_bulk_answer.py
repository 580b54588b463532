"""The bulk answer is built from plain JSON values and passed through as it is (``JsonReady``): it
must be exactly what ``jsonable_encoder`` makes of it and what the ``BulkOut`` model dumps."""

from __future__ import annotations

from datetime import date

from fastapi.encoders import jsonable_encoder
from registration.domain import deal as model
from registration.domain.policy import RegistrationPolicy
from registration.domain.registration import RegistrationBook
from registration.entrypoints.routes.deals import bulk_out
from registration.entrypoints.schemas.deals import BulkOut
from servicekit.json_ready import JsonReady

from .builders import partner, register


def decided_deals() -> list[model.Deal]:
    """Approved, flagged (after close, self-dealing), pending and in conflict, in one book."""
    book = RegistrationBook(RegistrationPolicy())
    commands = [
        (register("d1", "acme"), "acme"),
        (register("d2", "beta"), "beta"),
        (
            register(
                "d3", "acme", customer_name="Late Co", customer_domain="late.example", expected_close=date(2026, 1, 1)
            ),
            "acme",
        ),
        (register("d4", "acme", customer_name="Own", customer_domain="shop.acme.example"), "acme"),
    ]
    deals = []
    for command, partner_id in commands:
        folded = model.fold(book.decide(command, partner(partner_id, domain=f"{partner_id}.example")))
        assert folded is not None
        deals.append(folded)
    return deals


def test_the_bulk_answer_is_plain_json_and_what_the_model_dumps() -> None:
    deals = decided_deals()
    assert {d.status for d in deals} >= {model.Status.APPROVED, model.Status.CONFLICT, model.Status.PENDING}
    assert any(d.open_flags for d in deals)
    body = bulk_out(deals)
    assert isinstance(body, JsonReady)
    assert jsonable_encoder(body) == body
    assert type(jsonable_encoder(body)) is dict
    assert BulkOut.model_validate(body).model_dump(mode="json") == body
    assert body["deals"][1]["conflicts_with"] == ["d1"]
