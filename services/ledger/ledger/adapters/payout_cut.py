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
    SELECT partner_id, stream, after_sequence, before_sequence FROM (
        SELECT partner_id, stream, coalesce(lag(to_sequence) OVER w, 0) AS after_sequence,
               coalesce(from_sequence, {LAST_POSITION}) AS before_sequence
        FROM marks WINDOW w AS (PARTITION BY partner_id, stream ORDER BY from_sequence NULLS LAST)
    ) g
    WHERE before_sequence > after_sequence + 1
    """
)
# The payable entries in those gaps, one row each; ``due``: effective by the cutoff (the entries
# after it stay in the table: they end a run).
OPEN_TABLE = text(
    """
    CREATE TEMP TABLE payout_open ON COMMIT DROP AS
    SELECT p.partner_id, p.stream, g.after_sequence AS gap, p.sequence, p.entry_id,
           0 - sum(p.amount) AS amount, bool_and(p.effective_at <= :cutoff) AS due
    FROM payout_gaps g
    JOIN payout_partners pp ON pp.partner_id = g.partner_id
    JOIN postings p ON p.partner_id = g.partner_id AND p.account = pp.account AND p.currency = :currency
        AND p.stream = g.stream AND p.sequence > g.after_sequence AND p.sequence < g.before_sequence
    GROUP BY p.partner_id, p.stream, g.after_sequence, p.sequence, p.entry_id
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
# The due entries of each partner paid in the batch, as maximal runs within a gap: a run ends at an
# entry that is not due (the count of such entries so far names the run).
COVER = text(
    """
    INSERT INTO payout_coverage_ranges (line_id, partner_id, currency, stream, from_sequence, to_sequence)
    SELECT l.line_id, o.partner_id, l.currency, o.stream, min(o.sequence), max(o.sequence)
    FROM (
        SELECT partner_id, stream, gap, sequence, due,
               count(*) FILTER (WHERE NOT due) OVER (PARTITION BY partner_id, stream, gap ORDER BY sequence) AS run
        FROM payout_open
        WHERE partner_id IN (SELECT partner_id FROM payout_lines WHERE batch_id = :batch_id)
    ) o
    JOIN payout_lines l ON l.batch_id = :batch_id AND l.partner_id = o.partner_id
    WHERE o.due
    GROUP BY l.line_id, o.partner_id, l.currency, o.stream, o.gap, o.run
    """
)
# A failed line frees its entries.
UNCOVER = text("DELETE FROM payout_coverage_ranges WHERE line_id = ANY(:lines)")
