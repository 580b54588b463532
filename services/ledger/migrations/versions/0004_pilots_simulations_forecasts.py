"""Pilots and cohort changes (append-only, effective-dated), simulations, reconciliation forecasts.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

APPEND_ONLY = ("pilots", "cohort_changes")


def upgrade() -> None:
    op.create_table(
        "pilots",
        sa.Column("pilot_id", sa.Text, primary_key=True),
        sa.Column("base_program_id", sa.Text, nullable=False),
        sa.Column("variant_program_id", sa.Text, nullable=False),
        sa.Column("cohort_tag", sa.Text, nullable=False),
        sa.Column("control_tag", sa.Text, nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date),
        sa.Column("description", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.CheckConstraint("cohort_tag <> control_tag", name="pilots_two_cohorts"),
        sa.CheckConstraint("base_program_id <> variant_program_id", name="pilots_a_variant"),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="pilots_period"),
    )
    op.create_index("pilots_base", "pilots", ["base_program_id"])
    op.create_table(
        "cohort_changes",
        sa.Column("change_seq", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column("partner_id", sa.Text, nullable=False),
        sa.Column("tag", sa.Text, nullable=False),
        sa.Column("effective_on", sa.Date, nullable=False),
        sa.Column("member", sa.Boolean, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.Text, nullable=False),
    )
    op.create_index("cohort_changes_partner", "cohort_changes", ["partner_id", "tag"])
    op.create_index("cohort_changes_tag", "cohort_changes", ["tag"])
    # Pilots and cohort changes decide which rules applied to posted entries: never rewritten.
    op.execute(
        """
        CREATE FUNCTION forbid_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% rows are append-only: record a new one', TG_TABLE_NAME
                USING ERRCODE = 'integrity_constraint_violation';
        END $$
        """
    )
    for table in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION forbid_rewrite()"
        )
    op.create_table(
        "simulations",
        sa.Column("simulation_id", sa.Text, primary_key=True),
        sa.Column("simulation_seq", sa.BigInteger, sa.Identity(always=True), nullable=False, unique=True),
        sa.Column("partner_scope", sa.Text),
        sa.Column("request", JSONB, nullable=False),
        sa.Column("result", JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
    )
    op.create_table(
        "forecasts",
        sa.Column("period", sa.Text, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("reward_expense", sa.Numeric, nullable=False),
        sa.Column("mdf_usage", sa.Numeric, nullable=False),
        sa.Column("payouts", sa.Numeric, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("period", "currency"),
    )


def downgrade() -> None:
    op.drop_table("forecasts")
    op.drop_table("simulations")
    for table in APPEND_ONLY:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    op.execute("DROP FUNCTION IF EXISTS forbid_rewrite()")
    op.drop_index("cohort_changes_tag", "cohort_changes")
    op.drop_index("cohort_changes_partner", "cohort_changes")
    op.drop_table("cohort_changes")
    op.drop_index("pilots_base", "pilots")
    op.drop_table("pilots")
