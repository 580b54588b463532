"""Payout batches, their lines and the journal entries each line covers.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payout_batches",
        sa.Column("batch_id", sa.Text, primary_key=True),
        sa.Column("batch_seq", sa.BigInteger, sa.Identity(always=True), nullable=False, unique=True),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("cutoff", sa.DateTime(timezone=True), nullable=False),
        sa.Column("minimum_amount", sa.Numeric, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("line_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("total", sa.Numeric, nullable=False, server_default="0"),
        sa.Column("content_hash", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True)),
        # Concurrent cuts for one currency and cutoff produce exactly one batch.
        sa.UniqueConstraint("currency", "cutoff", name="payout_batches_one_per_cutoff"),
        sa.CheckConstraint("status IN ('open', 'settled')", name="payout_batches_status"),
    )
    op.create_table(
        "payout_lines",
        sa.Column("line_id", sa.Text, primary_key=True),
        sa.Column("batch_id", sa.Text, sa.ForeignKey("payout_batches.batch_id"), nullable=False),
        sa.Column("partner_id", sa.Text, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("amount", sa.Numeric, nullable=False),
        sa.Column("payee_reference", sa.Text, nullable=False),
        sa.Column("entries_covered", sa.Integer, nullable=False),
        sa.Column("coverage_hash", sa.Text, nullable=False),
        sa.Column("cut_entry_id", sa.Text, nullable=False, unique=True),
        sa.Column("registration_sequence", sa.BigInteger, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("payment_reference", sa.Text),
        sa.Column("failure_reason", sa.Text),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True)),
        sa.Column("acknowledged_by", sa.Text),
        sa.Column("outcome_entry_id", sa.Text, unique=True),
        sa.UniqueConstraint("batch_id", "partner_id", name="payout_lines_one_per_partner"),
        sa.CheckConstraint("amount > 0", name="payout_lines_positive"),
        sa.CheckConstraint("status IN ('in_payment', 'paid', 'failed')", name="payout_lines_status"),
        sa.CheckConstraint(
            "(status = 'in_payment' AND outcome_entry_id IS NULL)"
            " OR (status = 'paid' AND payment_reference IS NOT NULL AND outcome_entry_id IS NOT NULL)"
            " OR (status = 'failed' AND failure_reason IS NOT NULL AND outcome_entry_id IS NOT NULL)",
            name="payout_lines_outcome",
        ),
    )
    op.create_index("payout_lines_partner", "payout_lines", ["partner_id", "batch_id"])
    # The entries open or paid lines cover, one row each, keyed by the entry's posting position: the
    # primary key itself refuses an entry in two open or paid lines. A failed line's rows are deleted
    # (its entries are payable again; the line keeps their count and hash). A cut inserts up to a
    # million rows at once, so the key is a bigint and nothing else is indexed.
    op.create_table(
        "payout_coverage",
        sa.Column("posted_seq", sa.BigInteger, primary_key=True),
        sa.Column("line_id", sa.Text, nullable=False),
        sa.Column("amount", sa.Numeric, nullable=False),
    )
    # A line's amount, partner and covered entries never change; only its outcome is recorded once.
    op.execute(
        """
        CREATE FUNCTION guard_payout_line() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                RAISE EXCEPTION 'payout lines are kept forever' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            IF NEW.amount <> OLD.amount OR NEW.partner_id <> OLD.partner_id OR NEW.batch_id <> OLD.batch_id
               OR NEW.coverage_hash <> OLD.coverage_hash OR NEW.cut_entry_id <> OLD.cut_entry_id THEN
                RAISE EXCEPTION 'payout line % is immutable', OLD.line_id USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            IF OLD.status <> 'in_payment' THEN
                RAISE EXCEPTION 'payout line % is already %', OLD.line_id, OLD.status
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER payout_lines_guard BEFORE UPDATE OR DELETE ON payout_lines "
        "FOR EACH ROW EXECUTE FUNCTION guard_payout_line()"
    )
    # Once cut (content hash set), a batch's content never changes; only its status moves to settled.
    op.execute(
        """
        CREATE FUNCTION guard_payout_batch() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                RAISE EXCEPTION 'payout batches are kept forever' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            IF OLD.content_hash IS NOT NULL AND (
                NEW.content_hash IS DISTINCT FROM OLD.content_hash OR NEW.total <> OLD.total
                OR NEW.line_count <> OLD.line_count OR NEW.currency <> OLD.currency OR NEW.cutoff <> OLD.cutoff
                OR NEW.minimum_amount <> OLD.minimum_amount) THEN
                RAISE EXCEPTION 'payout batch % is immutable', OLD.batch_id USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER payout_batches_guard BEFORE UPDATE OR DELETE ON payout_batches "
        "FOR EACH ROW EXECUTE FUNCTION guard_payout_batch()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS payout_batches_guard ON payout_batches")
    op.execute("DROP FUNCTION IF EXISTS guard_payout_batch()")
    op.execute("DROP TRIGGER IF EXISTS payout_lines_guard ON payout_lines")
    op.execute("DROP FUNCTION IF EXISTS guard_payout_line()")
    op.drop_table("payout_coverage")
    op.drop_index("payout_lines_partner", "payout_lines")
    op.drop_table("payout_lines")
    op.drop_table("payout_batches")
