"""The inbox keyed by consumer group and event id: two consumer groups in one database each apply
an event (keyed by the event id alone, the second group skipped it).

Revision ID: 0006
Revises: 0005
"""

from alembic import op
from servicekit.tables import key_inbox_by_event, key_inbox_by_group

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    key_inbox_by_group(op.get_bind())


def downgrade() -> None:
    key_inbox_by_event(op.get_bind())
