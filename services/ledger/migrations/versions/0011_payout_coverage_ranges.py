"""Postings carry their entry's stream and position; payout coverage is recorded per partner and range.

Each posting row gets its entry's ``stream`` and chain position (``sequence``), denormalised: the
writers (the projector's and the replay's COPY of postings) fill them from the entry they write;
a row inserted without them gets them from its journal entry (a trigger that only fires then).
Existing rows are backfilled from the journal. ``postings_payable_position`` indexes them for the
payout cut, which reads a partner's payable postings by stream and position.

A payout line's coverage becomes a few rows of (line, partner, currency, stream, from_sequence,
to_sequence) instead of one row per entry: a range covers every entry of its partner and stream,
between the two positions, with a payable posting in the line's currency other than a payout
entry (a cut writes each maximal run of the entries it pays as one range, so an entry it left out
is never inside one). The per-entry rows are converted into ranges, and ``payout_coverage`` stays
as a view with its former columns (posted_seq, line_id, amount), derived from the ranges.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

PAYABLE = "'partner:' || {t}.partner_id || '\\:rebates_payable'"  # \\: not a bind parameter

COVERAGE_VIEW = f"""
CREATE VIEW payout_coverage AS
SELECT e.posted_seq, r.line_id, 0 - sum(p.amount) AS amount
FROM payout_coverage_ranges r
JOIN postings p ON p.partner_id = r.partner_id AND p.account = {PAYABLE.format(t="r")}
    AND p.currency = r.currency AND p.stream = r.stream
    AND p.sequence BETWEEN r.from_sequence AND r.to_sequence
JOIN journal_entries e ON e.entry_id = p.entry_id
GROUP BY e.posted_seq, r.line_id
"""

# Each line's covered entries, numbered among all of its partner's payable entries of the stream in
# the line's currency: covered entries numbered consecutively in both form one range.
RANGES_FROM_ENTRIES = f"""
INSERT INTO payout_coverage_ranges (line_id, partner_id, currency, stream, from_sequence, to_sequence)
WITH covered AS (
    SELECT c.line_id, l.partner_id, l.currency, e.stream, e.sequence
    FROM payout_coverage_entries c
    JOIN payout_lines l ON l.line_id = c.line_id
    JOIN journal_entries e ON e.posted_seq = c.posted_seq
), payable AS (
    SELECT DISTINCT p.partner_id, p.currency, p.stream, p.sequence
    FROM postings p
    WHERE p.account = {PAYABLE.format(t="p")} AND p.stream <> 'payout'
      AND p.partner_id IN (SELECT partner_id FROM payout_lines)
), numbered AS (
    SELECT p.partner_id, p.currency, p.stream, p.sequence, c.line_id,
           row_number() OVER (PARTITION BY p.partner_id, p.currency, p.stream ORDER BY p.sequence) AS n
    FROM payable p
    LEFT JOIN covered c ON c.partner_id = p.partner_id AND c.currency = p.currency
        AND c.stream = p.stream AND c.sequence = p.sequence
)
SELECT line_id, partner_id, currency, stream, min(sequence), max(sequence)
FROM (
    SELECT *, n - row_number() OVER (PARTITION BY line_id, stream ORDER BY sequence) AS run
    FROM numbered WHERE line_id IS NOT NULL
) runs
GROUP BY line_id, partner_id, currency, stream, run
"""


def upgrade() -> None:
    op.add_column("postings", sa.Column("stream", sa.Text))
    op.add_column("postings", sa.Column("sequence", sa.BigInteger))
    op.execute("ALTER TABLE postings DISABLE TRIGGER postings_immutable")
    op.execute(
        "UPDATE postings p SET stream = e.stream, sequence = e.sequence FROM journal_entries e "
        "WHERE e.entry_id = p.entry_id"
    )
    op.execute("ALTER TABLE postings ENABLE TRIGGER postings_immutable")
    op.alter_column("postings", "stream", nullable=False)
    op.alter_column("postings", "sequence", nullable=False)
    op.execute(
        """
        CREATE FUNCTION fill_posting_position() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            SELECT e.stream, e.sequence INTO NEW.stream, NEW.sequence
            FROM journal_entries e WHERE e.entry_id = NEW.entry_id;
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER postings_position BEFORE INSERT ON postings FOR EACH ROW "
        "WHEN (NEW.stream IS NULL OR NEW.sequence IS NULL) EXECUTE FUNCTION fill_posting_position()"
    )
    op.create_index(
        "postings_payable_position", "postings", ["partner_id", "account", "currency", "stream", "sequence"]
    )

    op.create_table(
        "payout_coverage_ranges",
        sa.Column("line_id", sa.Text, sa.ForeignKey("payout_lines.line_id"), nullable=False),
        sa.Column("partner_id", sa.Text, nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("stream", sa.Text, nullable=False),
        sa.Column("from_sequence", sa.BigInteger, nullable=False),
        sa.Column("to_sequence", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("line_id", "stream", "from_sequence"),
        sa.CheckConstraint("from_sequence <= to_sequence", name="payout_coverage_ranges_ordered"),
    )
    op.create_index(
        "payout_coverage_ranges_partner",
        "payout_coverage_ranges",
        ["partner_id", "currency", "stream", "from_sequence"],
    )
    # An entry is in at most one open or paid line of a currency (what the per-entry key ensured):
    # the ranges a statement adds may overlap no range of their partner, currency and stream.
    op.execute(
        """
        CREATE FUNCTION reject_overlapping_coverage() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            clash record;
        BEGIN
            SELECT a.line_id, r.line_id AS other, a.partner_id INTO clash
            FROM added a JOIN payout_coverage_ranges r ON r.partner_id = a.partner_id
                AND r.currency = a.currency AND r.stream = a.stream
                AND r.from_sequence <= a.to_sequence AND r.to_sequence >= a.from_sequence
                AND NOT (r.line_id = a.line_id AND r.from_sequence = a.from_sequence)
            LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION 'payout line % covers entries of partner % that line % covers',
                    clash.line_id, clash.partner_id, clash.other
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER payout_coverage_ranges_disjoint AFTER INSERT ON payout_coverage_ranges "
        "REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION reject_overlapping_coverage()"
    )
    op.rename_table("payout_coverage", "payout_coverage_entries")
    op.execute(RANGES_FROM_ENTRIES)
    op.drop_table("payout_coverage_entries")
    op.execute(COVERAGE_VIEW)


def downgrade() -> None:
    op.execute("ALTER VIEW payout_coverage RENAME TO payout_coverage_ranged")
    op.create_table(
        "payout_coverage",
        sa.Column("posted_seq", sa.BigInteger, primary_key=True),
        sa.Column("line_id", sa.Text, nullable=False),
        sa.Column("amount", sa.Numeric, nullable=False),
    )
    op.execute(
        "INSERT INTO payout_coverage (posted_seq, line_id, amount) "
        "SELECT posted_seq, line_id, amount FROM payout_coverage_ranged ORDER BY posted_seq"
    )
    op.execute("DROP VIEW payout_coverage_ranged")
    op.drop_index("payout_coverage_ranges_partner", "payout_coverage_ranges")
    op.drop_table("payout_coverage_ranges")
    op.execute("DROP FUNCTION IF EXISTS reject_overlapping_coverage()")
    op.drop_index("postings_payable_position", "postings")
    op.execute("DROP TRIGGER IF EXISTS postings_position ON postings")
    op.execute("DROP FUNCTION IF EXISTS fill_posting_position()")
    op.drop_column("postings", "sequence")
    op.drop_column("postings", "stream")
