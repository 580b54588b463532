"""The payout cut's statements: what each locked partner has due, and the ranges its line covers.

Coverage is recorded per partner and range (``payout_coverage_ranges``): a range covers every entry
of its partner and stream between two positions with a payable posting in the range's currency
(payout entries excepted). Each posting carries its entry's stream and position (migration 0011),
so a partner's uncovered payable postings are read by index between its ranges: the cut's cost
grows with the entries not yet paid, not with the partner's whole history.

The set of entries due is exactly what the per-entry plan computed (payable postings effective by
the cutoff, not payout entries, in no open or paid line), and each maximal run of them (no other
payable entry of the stream in between) becomes one range, so a range never takes in an entry the
cut left out (effective after the cutoff, or covered by a line of another currency).
"""

from __future__ import annotations

from sqlalchemy import text

from ..domain.chain import GENESIS
from ..domain.state import PAYOUT_STREAM, REGISTRATION_STREAM

PAYABLE = "'partner:' || {t}.partner_id || '\\:rebates_payable'"  # \\: not a bind parameter
LAST_POSITION = 9223372036854775807

# For this transaction only: the cut's aggregates hash and sort a row per entry due (a million at the
# benchmark's size) in memory rather than on disk, and its estimates (row comparisons, temp tables)
# are too rough for JIT compilation to pay (on PostgreSQL 15 it took longer than the statements).
CUT_SETTINGS = (text("SET LOCAL work_mem = '64MB'"), text("SET LOCAL jit = off"))

LOCK_PAYABLE_PARTNERS = text(
    f"""
    SELECT lp.partner_id FROM ledger_partners lp
    WHERE lp.partner_id IN (
        SELECT b.partner_id FROM balances b
        WHERE b.currency = :currency AND b.account = {PAYABLE.format(t="b")}
          AND b.balance < 0 AND b.balance <= -CAST(:minimum AS numeric))
    ORDER BY lp.partner_id
    FOR UPDATE OF lp
    """
)
PARTNERS_TABLE = text(
    f"""
    CREATE TEMP TABLE payout_partners ON COMMIT DROP AS
    SELECT b.partner_id, b.account, 0 - b.balance AS payable_now
    FROM balances b JOIN unnest(CAST(:ids AS text[])) AS locked(partner_id) ON locked.partner_id = b.partner_id
    WHERE b.currency = :currency AND b.account = {PAYABLE.format(t="b")}
    """
)
# Per locked partner and stream (its chain heads, the payout stream left out), the positions no
# range of this currency covers: between consecutive ranges, and after the last one.
GAPS_TABLE = text(
    f"""
    CREATE TEMP TABLE payout_gaps ON COMMIT DROP AS
    WITH marks AS (
        SELECT r.partner_id, r.stream, r.from_sequence, r.to_sequence
        FROM payout_coverage_ranges r JOIN payout_partners pp ON pp.partner_id = r.partner_id
        WHERE r.currency = :currency
        UNION ALL
        SELECT h.partner_id, h.stream, NULL, NULL
        FROM chain_heads h JOIN payout_partners pp ON pp.partner_id = h.partner_id
        WHERE h.stream <> '{PAYOUT_STREAM}'
    )
    SELECT g.partner_id, pp.account, g.stream, g.after_sequence, g.before_sequence FROM (
        SELECT partner_id, stream, coalesce(lag(to_sequence) OVER w, 0) AS after_sequence,
               coalesce(from_sequence, {LAST_POSITION}) AS before_sequence
        FROM marks WINDOW w AS (PARTITION BY partner_id, stream ORDER BY from_sequence NULLS LAST)
    ) g
    JOIN payout_partners pp ON pp.partner_id = g.partner_id
    WHERE g.before_sequence > g.after_sequence + 1
    ORDER BY g.partner_id, g.stream, g.after_sequence
    """
)
# The payable entries in those gaps, one row each; ``due``: effective by the cutoff (the entries
# after it stay in the table: they end a run). The join is written as row comparisons on the index's
# columns (equal partner, account, currency and stream; position strictly between the gap's ends) so
# that only ``postings_payable_position`` can serve it: with equalities the planner, without
# statistics on a freshly written journal, took the older (partner, account, currency, time) index
# and read every payable posting the partner ever had.
OPEN_TABLE = text(
    """
    CREATE TEMP TABLE payout_open ON COMMIT DROP AS
    SELECT g.partner_id, g.stream, g.after_sequence AS gap, p.sequence, min(p.entry_id) AS entry_id,
           0 - sum(p.amount) AS amount, bool_and(p.effective_at <= :cutoff) AS due
    FROM payout_gaps g
    JOIN postings p
      ON (p.partner_id, p.account, p.currency, p.stream, p.sequence)
         > (g.partner_id, g.account, :currency, g.stream, g.after_sequence)
     AND (p.partner_id, p.account, p.currency, p.stream, p.sequence)
         < (g.partner_id, g.account, :currency, g.stream, g.before_sequence)
    GROUP BY g.partner_id, g.stream, g.after_sequence, p.sequence
    """
)
# An entry with payable postings in two currencies that an open or paid line of the other currency
# covers is not due (as in the per-entry plan, where coverage was keyed by the entry alone).
COVERED_ELSEWHERE = text(
    f"""
    UPDATE payout_open o SET due = false
    FROM payout_coverage_ranges r
    WHERE o.due AND r.partner_id = o.partner_id AND r.stream = o.stream AND r.currency <> :currency
      AND o.sequence BETWEEN r.from_sequence AND r.to_sequence
      AND EXISTS (SELECT 1 FROM postings q WHERE q.entry_id = o.entry_id AND q.currency = r.currency
                  AND q.account = {PAYABLE.format(t="o")})
    """
)
MEASURE = text(
    f"""
    SELECT pp.partner_id, pp.payable_now, coalesce(d.due, 0) AS due, coalesce(d.n, 0) AS n,
           coalesce(d.coverage_hash, '') AS coverage_hash,
           coalesce(rh.last_sequence, 0) AS registration_sequence,
           coalesce(ph.last_sequence, 0) AS payout_sequence, coalesce(ph.head_hash, '{GENESIS}') AS payout_hash
    FROM payout_partners pp
    LEFT JOIN (
        SELECT partner_id, sum(amount) AS due, count(*) AS n,
               encode(sha256(convert_to(string_agg(entry_id || E'\\n', '' ORDER BY entry_id COLLATE "C"), 'UTF8')),
                      'hex') AS coverage_hash
        FROM payout_open WHERE due GROUP BY partner_id
    ) d ON d.partner_id = pp.partner_id
    LEFT JOIN chain_heads rh ON rh.partner_id = pp.partner_id AND rh.stream = '{REGISTRATION_STREAM}'
    LEFT JOIN chain_heads ph ON ph.partner_id = pp.partner_id AND ph.stream = '{PAYOUT_STREAM}'
    ORDER BY pp.partner_id
    """
)
# The due entries of each partner paid in the batch, as maximal runs within a gap. A gap whose entries
# that are not due all lie before or after its due ones is one run (measured by one hash aggregate);
# in the others a run ends at an entry that is not due (the count of such entries so far names it).
COVER = text(
    """
    INSERT INTO payout_coverage_ranges (line_id, partner_id, currency, stream, from_sequence, to_sequence)
    WITH paid AS (
        SELECT o.*, l.line_id, l.currency FROM payout_open o
        JOIN payout_lines l ON l.batch_id = :batch_id AND l.partner_id = o.partner_id
    ), spans AS (
        SELECT line_id, partner_id, currency, stream, gap,
               min(sequence) FILTER (WHERE due) AS first_due, max(sequence) FILTER (WHERE due) AS last_due,
               min(sequence) FILTER (WHERE NOT due) AS first_other, max(sequence) FILTER (WHERE NOT due) AS last_other
        FROM paid GROUP BY line_id, partner_id, currency, stream, gap
    ), split AS (
        SELECT * FROM spans
        WHERE first_due IS NOT NULL AND first_other IS NOT NULL AND first_other < last_due AND last_other > first_due
    )
    SELECT line_id, partner_id, currency, stream, first_due, last_due FROM spans
    WHERE first_due IS NOT NULL AND NOT (first_other IS NOT NULL AND first_other < last_due AND last_other > first_due)
    UNION ALL
    SELECT line_id, partner_id, currency, stream, min(sequence), max(sequence)
    FROM (
        SELECT p.line_id, p.partner_id, p.currency, p.stream, p.gap, p.sequence, p.due,
               count(*) FILTER (WHERE NOT p.due)
                   OVER (PARTITION BY p.partner_id, p.stream, p.gap ORDER BY p.sequence) AS run
        FROM paid p JOIN split s ON s.partner_id = p.partner_id AND s.stream = p.stream AND s.gap = p.gap
    ) runs
    WHERE due
    GROUP BY line_id, partner_id, currency, stream, gap, run
    """
)
# A failed line frees its entries.
UNCOVER = text("DELETE FROM payout_coverage_ranges WHERE line_id = ANY(:lines)")
