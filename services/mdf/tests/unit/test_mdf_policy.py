from decimal import Decimal

import pytest
from mdf.domain.policy import MdfPolicy


def test_default_catalogue_and_tier_rules():
    policy = MdfPolicy.build()
    assert policy.activity_types == ["digital_campaign", "field_event", "trade_show", "webinar", "whitepaper"]
    assert policy.is_eligible("webinar", None)
    assert not policy.is_eligible("trade_show", "silver")
    assert policy.is_eligible("trade_show", "Gold")
    assert policy.is_eligible("field_event", "silver")
    assert not policy.is_eligible("field_event", None)  # unknown tier counts as the default, registered


def test_configured_extra_activity_types_join_the_catalogue():
    policy = MdfPolicy.build(extra_activity_types={"podcast": ["platinum"], "webinar": ["gold"]})
    assert "podcast" in policy.activity_types
    assert policy.is_eligible("podcast", "platinum")
    assert not policy.is_eligible("podcast", "gold")
    assert not policy.is_eligible("webinar", "silver")  # an override replaces the default rule
    assert not policy.is_eligible("karaoke", "platinum")


def test_share_rule_and_bad_configuration():
    assert MdfPolicy.build().max_funded(Decimal("1000")) == Decimal("500.00")
    assert MdfPolicy.build(min_partner_share=Decimal("0.3")).max_funded(Decimal("1000")) == Decimal("700.0")
    with pytest.raises(ValueError, match="min_partner_share"):
        MdfPolicy.build(min_partner_share=Decimal("1"))
    with pytest.raises(ValueError, match="claim_window_days"):
        MdfPolicy.build(claim_window_days=-1)
