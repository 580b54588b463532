"""Every journal entry still balances at commit, checked once per statement instead of once per posting.

Migration 0008's deferred constraint trigger ran a query per posting at commit (the sum of its
entry's postings): a payout cut's 20,000 postings cost 0.14 s of commit, and the projector paid it
on every posting it wrote. Now an AFTER INSERT statement trigger sums the statement's own postings
per entry and currency (one aggregate over its transition table). The guarantee is unchanged:

- An entry the statement's postings leave balanced in every currency is balanced: its earlier
  postings summed to zero (each statement before was checked the same way).
- Any other entry goes into ``journal_balance_checks``, whose deferred constraint triggers check
  the entry's postings at commit (with 0008's function) and delete the row. So postings written one
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

# A queued entry is checked at commit by 0008's own function (it reads ``NEW.entry_id``: the entry
# and its error are as they were), and its row is forgotten then too.
FORGET_CHECKED = """
CREATE FUNCTION forget_checked_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM journal_balance_checks WHERE entry_id = NEW.entry_id;
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
    op.execute(FORGET_CHECKED)
    for name, function in (
        ("journal_balance_checked", "reject_unbalanced_entry"),
        ("journal_balance_forgotten", "forget_checked_entry"),
    ):
        op.execute(
            f"CREATE CONSTRAINT TRIGGER {name} AFTER INSERT ON journal_balance_checks "
            f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {function}()"
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
    op.execute("DROP FUNCTION forget_checked_entry()")
