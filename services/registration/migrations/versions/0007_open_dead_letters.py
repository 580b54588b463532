"""Dead letters indexed by event id while they wait for a re-drive: a redelivered copy of an event
in the dead letters is skipped by the inbox instead of being handled (and parked) a second time.

Revision ID: 0007
Revises: 0006
"""

from alembic import op
from servicekit.tables import drop_open_dead_letters_index, index_open_dead_letters

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    index_open_dead_letters(op.get_bind())


def downgrade() -> None:
    drop_open_dead_letters_index(op.get_bind())
