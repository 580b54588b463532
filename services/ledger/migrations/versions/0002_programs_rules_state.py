"""Program versions, partner and deal rule state, one hash chain per partner stream.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "program_versions",
        sa.Column("program_id", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("rules", JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("effective_from", sa.Date),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Column("published_by", sa.Text),
        sa.Column("correction", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("reason", sa.Text),
        sa.PrimaryKeyConstraint("program_id", "version"),
        sa.CheckConstraint("status IN ('draft', 'published')", name="program_versions_status"),
        sa.CheckConstraint(
            "status = 'draft' OR (effective_from IS NOT NULL AND published_at IS NOT NULL)",
            name="program_versions_published_dates",
        ),
    )
    # A published version never changes and no version is ever deleted.
    op.execute(
        """
        CREATE FUNCTION forbid_program_version_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                RAISE EXCEPTION 'program versions are kept forever' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            IF OLD.status = 'published' THEN
                RAISE EXCEPTION 'program % version % is published and immutable', OLD.program_id, OLD.version
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            IF NEW.document IS DISTINCT FROM OLD.document OR NEW.rules IS DISTINCT FROM OLD.rules THEN
                RAISE EXCEPTION 'a draft''s document is fixed; create a new draft' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER program_versions_immutable BEFORE UPDATE OR DELETE ON program_versions "
        "FOR EACH ROW EXECUTE FUNCTION forbid_program_version_change()"
    )

    # Partner state moves to a document; chain heads move to one row per partner stream.
    op.drop_column("ledger_partners", "last_sequence")
    op.drop_column("ledger_partners", "head_hash")
    op.add_column("ledger_partners", sa.Column("tier", sa.Text))
    op.add_column("ledger_partners", sa.Column("state", JSONB, nullable=False, server_default="{}"))
    op.create_table(
        "chain_heads",
        sa.Column("partner_id", sa.Text, nullable=False),
        sa.Column("stream", sa.Text, nullable=False),
        sa.Column("last_sequence", sa.BigInteger, nullable=False),
        sa.Column("head_hash", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("partner_id", "stream"),
    )
    op.create_table(
        "ledger_deals",
        sa.Column("partner_id", sa.Text, nullable=False),
        sa.Column("deal_id", sa.Text, nullable=False),
        sa.Column("state", JSONB, nullable=False),
        sa.PrimaryKeyConstraint("partner_id", "deal_id"),
    )

    op.add_column("journal_entries", sa.Column("stream", sa.Text, nullable=False, server_default="registration"))
    op.add_column("journal_entries", sa.Column("deal_id", sa.Text))
    op.execute("ALTER TABLE journal_entries ADD COLUMN posted_seq BIGSERIAL")
    op.drop_constraint("journal_entries_chain_position", "journal_entries", type_="unique")
    op.create_unique_constraint(
        "journal_entries_chain_position", "journal_entries", ["partner_id", "stream", "sequence"]
    )
    op.create_index("journal_entries_posted_seq", "journal_entries", ["posted_seq"], unique=True)
    op.create_index("journal_entries_partner_seq", "journal_entries", ["partner_id", "posted_seq"])
    op.create_index("journal_entries_deal", "journal_entries", ["partner_id", "deal_id"])
    op.create_index("journal_entries_reverses", "journal_entries", ["reverses"])


def downgrade() -> None:
    op.drop_index("journal_entries_reverses", "journal_entries")
    op.drop_index("journal_entries_deal", "journal_entries")
    op.drop_index("journal_entries_partner_seq", "journal_entries")
    op.drop_index("journal_entries_posted_seq", "journal_entries")
    op.drop_constraint("journal_entries_chain_position", "journal_entries", type_="unique")
    op.create_unique_constraint("journal_entries_chain_position", "journal_entries", ["partner_id", "sequence"])
    op.drop_column("journal_entries", "posted_seq")
    op.drop_column("journal_entries", "deal_id")
    op.drop_column("journal_entries", "stream")
    op.drop_table("ledger_deals")
    op.drop_table("chain_heads")
    op.drop_column("ledger_partners", "state")
    op.drop_column("ledger_partners", "tier")
    op.add_column("ledger_partners", sa.Column("head_hash", sa.Text, nullable=False, server_default="0" * 64))
    op.add_column("ledger_partners", sa.Column("last_sequence", sa.BigInteger, nullable=False, server_default="0"))
    op.execute("DROP TRIGGER IF EXISTS program_versions_immutable ON program_versions")
    op.execute("DROP FUNCTION IF EXISTS forbid_program_version_change()")
    op.drop_table("program_versions")
