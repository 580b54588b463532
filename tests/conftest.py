"""Cross-service fixtures: each service's settings on its own fresh database, one broker (consumer groups
as the tests run them: servicekit.testing.consumers)."""

from __future__ import annotations

from pathlib import Path

import pytest
from governance.config import GovernanceSettings
from insights.config import InsightsSettings
from ledger.config import LedgerSettings
from mdf.config import MdfSettings
from registration.config import RegistrationSettings
from servicekit.testing.consumers import TEST_CONSUMERS
from servicekit.testing.databases import DatabaseFactory

ROOT = Path(__file__).resolve().parents[1]
LEDGER_INI = ROOT / "services/ledger/alembic.ini"
REGISTRATION_INI = ROOT / "services/registration/alembic.ini"
MDF_INI = ROOT / "services/mdf/alembic.ini"
INSIGHTS_INI = ROOT / "services/insights/alembic.ini"
GOVERNANCE_INI = ROOT / "services/governance/alembic.ini"


@pytest.fixture
def registration_settings(
    database_factory: DatabaseFactory, kafka_bootstrap: str, topic_prefix: str
) -> RegistrationSettings:
    return RegistrationSettings(
        environment="test",
        database_url=database_factory.create(REGISTRATION_INI, prefix="reg"),
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_prefix=topic_prefix,
        topic_partitions=4,
        **TEST_CONSUMERS,
        relay_poll_seconds=0.2,
    )


@pytest.fixture
def ledger_settings(database_factory: DatabaseFactory, kafka_bootstrap: str, topic_prefix: str) -> LedgerSettings:
    return LedgerSettings(
        environment="test",
        database_url=database_factory.create(LEDGER_INI, prefix="led"),
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_prefix=topic_prefix,
        topic_partitions=4,
        consumer_group=f"ledger-{topic_prefix}",
        **TEST_CONSUMERS,
        relay_poll_seconds=0.2,
    )


@pytest.fixture
def mdf_settings(database_factory: DatabaseFactory, kafka_bootstrap: str, topic_prefix: str) -> MdfSettings:
    return MdfSettings(
        environment="test",
        database_url=database_factory.create(MDF_INI, prefix="mdf"),
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_prefix=topic_prefix,
        topic_partitions=4,
        consumer_group=f"mdf-{topic_prefix}",
        **TEST_CONSUMERS,
        relay_poll_seconds=0.2,
    )


@pytest.fixture
def insights_settings(database_factory: DatabaseFactory, kafka_bootstrap: str, topic_prefix: str) -> InsightsSettings:
    return InsightsSettings(
        environment="test",
        database_url=database_factory.create(INSIGHTS_INI, prefix="ins"),
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_prefix=topic_prefix,
        topic_partitions=4,
        consumer_group=f"insights-{topic_prefix}",
        **TEST_CONSUMERS,
        relay_poll_seconds=0.2,
    )


@pytest.fixture
def governance_settings(
    database_factory: DatabaseFactory, kafka_bootstrap: str, topic_prefix: str
) -> GovernanceSettings:
    return GovernanceSettings(
        environment="test",
        database_url=database_factory.create(GOVERNANCE_INI, prefix="gov"),
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_prefix=topic_prefix,
        topic_partitions=4,
        consumer_group=f"governance-{topic_prefix}",
        **TEST_CONSUMERS,
        relay_poll_seconds=0.2,
    )
