"""Every journal entry balances, checked by the database at commit: a deferred constraint trigger
on postings rejects a transaction that leaves an entry whose postings do not sum to zero in some
currency. Deferred, so the batch writers (COPY of entries, then of their postings) and the replay's
bulk paths are checked once their transaction is complete, not row by row.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION reject_unbalanced_entry() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            off record;
        BEGIN
            SELECT currency, sum(amount) AS total INTO off
            FROM postings WHERE entry_id = NEW.entry_id
            GROUP BY currency HAVING sum(amount) <> 0
            ORDER BY currency LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION 'journal entry % does not balance: its % postings sum to %',
                    NEW.entry_id, off.currency, off.total
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'postings_balanced';
            END IF;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE CONSTRAINT TRIGGER postings_balanced AFTER INSERT ON postings "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION reject_unbalanced_entry()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS postings_balanced ON postings")
    op.execute("DROP FUNCTION IF EXISTS reject_unbalanced_entry()")
