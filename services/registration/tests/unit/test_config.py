"""Settings: dev defaults refused in production; the policy and the CRM mapping are configurable."""

from decimal import Decimal

import pytest
from pydantic import ValidationError
from registration.config import RegistrationSettings
from registration.crm_mappings import CrmMappings
from registration.domain.crm import Target

STRONG = "x" * 40


def production(**overrides):
    values = {
        "environment": "production",
        "token_secret": STRONG,
        "salesforce_secret": STRONG,
        "hubspot_secret": STRONG,
        "generic_secret": STRONG,
        "salesforce_org_id": "00D5e000000ABCD",
    }
    values.update(overrides)
    return RegistrationSettings(**values)


def test_production_starts_with_real_secrets():
    assert production().webhook_secrets("generic") == [STRONG.encode()]


@pytest.mark.parametrize(
    "overrides",
    [
        {"generic_secret": "dev-only-insecure-webhook-secret"},
        {"hubspot_secret": "short"},
        {"salesforce_secret_previous": "dev-only-insecure-webhook-secret"},
        {"salesforce_org_id": "00DDEV0000000000"},
    ],
)
def test_production_refuses_dev_defaults_and_weak_secrets(overrides):
    with pytest.raises(ValidationError):
        production(**overrides)


def test_two_secrets_per_source_during_rotation(monkeypatch):
    monkeypatch.setenv("REGISTRATION_HUBSPOT_SECRET", "new")
    monkeypatch.setenv("REGISTRATION_HUBSPOT_SECRET_PREVIOUS", "old")
    assert RegistrationSettings().webhook_secrets("hubspot") == [b"new", b"old"]


def test_the_policy_comes_from_settings(monkeypatch):
    monkeypatch.setenv("REGISTRATION_EXCLUSIVITY_DAYS", "30")
    monkeypatch.setenv("REGISTRATION_AUTO_APPROVE_MAX_AMOUNTS", '{"usd": "5000"}')
    monkeypatch.setenv("REGISTRATION_VELOCITY_MIN_COUNT", "1000")
    policy = RegistrationSettings().policy()
    assert policy.exclusivity_days == 30
    assert policy.approval.max_amounts == {"USD": Decimal(5000)}
    assert policy.anomalies.velocity_min_count == 1000


def test_a_mapping_file_overrides_defaults_field_by_field(tmp_path):
    path = tmp_path / "mapping.yaml"
    path.write_text("salesforce:\n  fields: {partner_id: Reseller__c}\n  stages: {'Closed Won - Signed': won}\n")
    mappings = CrmMappings.load(path)
    mapping = mappings.mapping("salesforce")
    assert mapping.fields["partner_id"] == "Reseller__c"
    assert mapping.fields["amount"] == "Amount"
    assert mapping.stage_target("closed won - signed") == Target.WON
    assert mapping.stage_target("Closed Won") == Target.WON
    with pytest.raises(ValueError, match="unknown canonical"):
        CrmMappings({"generic": {"fields": {"colour": "x"}}})


def test_the_crm_sync_batch_size_is_a_setting(monkeypatch):
    assert RegistrationSettings().crm_sync_batch == 2000
    monkeypatch.setenv("REGISTRATION_CRM_SYNC_BATCH", "250")
    assert RegistrationSettings().crm_sync_batch == 250
    monkeypatch.setenv("REGISTRATION_CRM_SYNC_BATCH", "0")
    with pytest.raises(ValidationError):
        RegistrationSettings()
