"""Every ledger migration downgrades cleanly and upgrades again (the stairway), on an empty database."""

from __future__ import annotations

from pathlib import Path

from servicekit.testing.databases import DatabaseFactory
from servicekit.testing.stairway import walk_stairway

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


def test_every_ledger_revision_downgrades_and_upgrades_again(database_factory: DatabaseFactory) -> None:
    walked = walk_stairway(ALEMBIC_INI, database_factory.empty("stair"))
    assert walked[-1] == "0001"
    assert "0011" in walked  # postings' positions and payout coverage ranges
    assert len(walked) == len(set(walked)) >= 5
