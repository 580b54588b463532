"""Every journal entry still balances at commit, checked once per statement instead of once per posting.

Migration 0008's deferred constraint trigger ran a query per posting at commit (the sum of its
entry's postings): a payout cut's 20,000 postings cost 0.14 s of commit, and the projector paid it
on every posting it wrote. Now an AFTER INSERT statement trigger sums the statement's own postings
per entry and currency (one aggregate over its transition table). The guarantee is unchanged:

- An entry the statement's postings leave balanced in every currency is balanced: its earlier
  postings summed to zero (each statement before was checked the same way).
- Any other entry goes into ``journal_balance_checks``, whose deferred constraint trigger checks
  the entry's postings at commit (as 0008 did) and deletes the row. So postings written one
  statement at a time may still balance only once the transaction is complete, and the error is
  the same (``check_violation``, constraint ``postings_balanced``, the entry and the currency).

The batch writers write an entry's postings in one ``COPY``, so nothing is queued on their path,
and the check needs none of the journal's indexes: replay's bulk load keeps it on and no longer
checks every entry in one pass at the end (a serial 8-15 s over 4,000,000 postings).

Revision ID: 0015
Revises: 0014
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

CHECK_AT_COMMIT = """
CREATE FUNCTION check_queued_entry_balances() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    off record;
BEGIN
    DELETE FROM journal_balance_checks WHERE entry_id = NEW.entry_id;
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
QUEUE_UNBALANCED = """
CREATE FUNCTION queue_unbalanced_entries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO journal_balance_checks (entry_id)
    SELECT DISTINCT entry_id FROM inserted_postings GROUP BY entry_id, currency HAVING sum(amount) <> 0;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.execute("CREATE TABLE journal_balance_checks (entry_id text NOT NULL)")
    op.execute(CHECK_AT_COMMIT)
    op.execute(
        "CREATE CONSTRAINT TRIGGER journal_balance_checked AFTER INSERT ON journal_balance_checks "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION check_queued_entry_balances()"
    )
    op.execute(QUEUE_UNBALANCED)
    op.execute("DROP TRIGGER postings_balanced ON postings")
    op.execute(
        "CREATE TRIGGER postings_balanced AFTER INSERT ON postings REFERENCING NEW TABLE AS inserted_postings "
        "FOR EACH STATEMENT EXECUTE FUNCTION queue_unbalanced_entries()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER postings_balanced ON postings")
    op.execute(
        "CREATE CONSTRAINT TRIGGER postings_balanced AFTER INSERT ON postings "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION reject_unbalanced_entry()"
    )
    op.execute("DROP FUNCTION queue_unbalanced_entries()")
    op.execute("DROP TABLE journal_balance_checks")
    op.execute("DROP FUNCTION check_queued_entry_balances()")
