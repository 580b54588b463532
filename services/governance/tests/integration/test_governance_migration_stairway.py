"""Every governance migration downgrades cleanly and upgrades again (the stairway), on an empty database."""

from __future__ import annotations

from pathlib import Path

from servicekit.testing.databases import DatabaseFactory
from servicekit.testing.stairway import walk_stairway

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


def test_every_governance_revision_downgrades_and_upgrades_again(database_factory: DatabaseFactory) -> None:
    walked = walk_stairway(ALEMBIC_INI, database_factory.empty("stair"))
    assert walked[-1] == "0001"
    revisions = list((ALEMBIC_INI.parent / "migrations" / "versions").glob("0*.py"))
    assert len(walked) == len(set(walked)) == len(revisions) == 6
