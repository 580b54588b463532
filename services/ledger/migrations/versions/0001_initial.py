"""Runtime tables, partner chain heads, immutable journal, postings, balances.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB
from servicekit.tables import create_runtime_tables, drop_runtime_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

IMMUTABLE = ("journal_entries", "postings")


def upgrade() -> None:
    create_runtime_tables(op.get_bind())
    op.create_table(
        "ledger_partners",
        sa.Column("partner_id", sa.Text, primary_key=True),
        sa.Column("program_id", sa.Text),
        sa.Column("last_sequence", sa.BigInteger, nullable=False),
        sa.Column("head_hash", sa.Text, nullable=False),
    )
    op.create_table(
        "journal_entries",
        sa.Column("entry_id", sa.Text, primary_key=True),
        sa.Column("partner_id", sa.Text, nullable=False),
        sa.Column("sequence", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("caused_by", sa.Text, nullable=False),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rule_id", sa.Text, nullable=False),
        sa.Column("rule_version", sa.Integer, nullable=False),
        sa.Column("reverses", sa.Text),
        sa.Column("explanation", JSONB, nullable=False),
        sa.Column("prev_hash", sa.Text, nullable=False),
        sa.Column("entry_hash", sa.Text, nullable=False),
        sa.UniqueConstraint("partner_id", "sequence", name="journal_entries_chain_position"),
    )
    op.create_index("journal_entries_caused_by", "journal_entries", ["caused_by"])
    op.create_table(
        "postings",
        sa.Column("entry_id", sa.Text, sa.ForeignKey("journal_entries.entry_id"), nullable=False),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("partner_id", sa.Text, nullable=False),
        sa.Column("account", sa.Text, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("amount", sa.Numeric, nullable=False),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("entry_id", "line"),
    )
    op.create_index("postings_account_time", "postings", ["partner_id", "account", "currency", "effective_at"])
    op.create_table(
        "balances",
        sa.Column("partner_id", sa.Text, nullable=False),
        sa.Column("account", sa.Text, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("balance", sa.Numeric, nullable=False),
        sa.PrimaryKeyConstraint("partner_id", "account", "currency"),
    )
    # Immutability is enforced by the database itself, not only by the code.
    op.execute(
        """
        CREATE FUNCTION forbid_journal_mutation() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'journal rows are immutable: % on % is not allowed; post a compensating entry',
                TG_OP, TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
        END $$
        """
    )
    for table in IMMUTABLE:
        op.execute(
            f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION forbid_journal_mutation()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION forbid_journal_mutation()"
        )


def downgrade() -> None:
    for table in IMMUTABLE:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}")
    op.drop_table("balances")
    op.drop_table("postings")
    op.drop_table("journal_entries")
    op.execute("DROP FUNCTION IF EXISTS forbid_journal_mutation()")
    op.drop_table("ledger_partners")
    drop_runtime_tables(op.get_bind())
