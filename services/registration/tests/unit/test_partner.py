from datetime import date

import pytest
from incentive_contracts.events.partner import (
    Contact,
    PartnerDeactivated,
    PartnerEnrolled,
    PartnerTierChanged,
    PartnerType,
    PartnerUpdated,
)
from registration.domain import partner as model
from registration.domain.errors import AlreadyExists, InvalidTransition, RuleViolation

from .builders import partner

ENROLL = model.EnrollPartner(
    partner_id="acme",
    name="Acme",
    partner_type=PartnerType.RESELLER,
    region="EMEA",
    vertical="retail",
    domain="https://www.Acme.example/",
    program_id="growth",
    enrolled_on=date(2026, 1, 5),
    contacts=(Contact(name="Ann", email="ann@acme.example", role="channel lead"),),
)


def test_enrolling_emits_partner_enrolled_with_a_normalized_domain_and_contacts():
    [event] = model.decide_enroll(None, ENROLL)
    assert isinstance(event, PartnerEnrolled)
    assert event.domain == "acme.example"
    assert event.contacts[0].email == "ann@acme.example"
    state = model.evolve(None, event)
    assert state is not None
    assert state.active
    assert state.contacts == ENROLL.contacts


def test_enrolling_twice_is_refused():
    with pytest.raises(AlreadyExists):
        model.decide_enroll(partner(), ENROLL)


def test_update_emits_the_full_attribute_set_and_only_what_changed():
    before = partner(region="EMEA", vertical=None)
    [event] = model.decide_update(
        before,
        model.UpdatePartner("acme", date(2026, 2, 1), {"region": "APAC", "vertical": "health", "name": before.name}),
    )
    assert isinstance(event, PartnerUpdated)
    assert event.changed == ["region", "vertical"]
    assert (event.region, event.vertical, event.name) == ("APAC", "health", before.name)
    after = model.evolve(before, event)
    assert after is not None
    assert (after.region, after.vertical) == ("APAC", "health")


def test_an_update_that_changes_nothing_emits_nothing():
    assert model.decide_update(partner(), model.UpdatePartner("acme", date(2026, 2, 1), {"region": "EMEA"})) == []


def test_unknown_attributes_are_refused():
    with pytest.raises(RuleViolation):
        model.decide_update(partner(), model.UpdatePartner("acme", date(2026, 2, 1), {"tier": "gold"}))


def test_deactivation_emits_once_and_blocks_updates():
    [event] = model.decide_deactivate(partner(), model.DeactivatePartner("acme", date(2026, 2, 1), "left the program"))
    assert isinstance(event, PartnerDeactivated)
    gone = model.evolve(partner(), event)
    assert gone is not None
    assert not gone.active
    with pytest.raises(InvalidTransition):
        model.decide_deactivate(gone, model.DeactivatePartner("acme", date(2026, 2, 2), "again"))
    with pytest.raises(InvalidTransition):
        model.decide_update(gone, model.UpdatePartner("acme", date(2026, 2, 2), {"region": "APAC"}))


def _tier(tier: str, effective: date) -> PartnerTierChanged:
    return PartnerTierChanged(
        partner_id="acme",
        program_id="growth",
        previous_tier=None,
        tier=tier,
        effective_at=effective,
        reason="threshold",
        rule_version=1,
    )


def test_tiers_follow_the_ledger_and_an_older_change_never_overwrites_a_newer_one():
    state = model.evolve(partner(), _tier("gold", date(2026, 4, 1)))
    assert state is not None
    assert state.tier == "gold"
    older = model.evolve(state, _tier("silver", date(2026, 1, 1)))
    assert older is not None
    assert older.tier == "gold"
    newer = model.evolve(state, _tier("platinum", date(2026, 7, 1)))
    assert newer is not None
    assert newer.tier == "platinum"
