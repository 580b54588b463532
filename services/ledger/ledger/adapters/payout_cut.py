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

The postings are read once (``GAP_TOTALS``; a gap where some entry is not due, or may be covered by
a line of another currency, once more by ``SPLIT_RUNS``): the per-partner measure (amount, count,
coverage hash) and the ranges written are both derived from the runs found there.

The locked partners are measured in chunks (``chunk``: consecutive partners in id order), each chunk
by the same statements restricted to it, so the caller can build one chunk's lines while PostgreSQL
measures the next. A partner's gaps, runs and measure all lie in its own chunk, so the chunks'
measures together are the whole measure, in partner order.
"""

from __future__ import annotations

from sqlalchemy import text

from ..domain.chain import GENESIS
from ..domain.state import PAYOUT_STREAM, REGISTRATION_STREAM

PAYABLE = "'partner:' || {t}.partner_id || '\\:rebates_payable'"  # \\: not a bind parameter
LAST_POSITION = 9223372036854775807

# For this transaction only: the cut's aggregates sort and gather a row per entry due (a million at
# the benchmark's size) in memory rather than on disk, and its estimates (row comparisons, temp tables)
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
    SELECT b.partner_id, b.account, 0 - b.balance AS payable_now,
           (row_number() OVER (ORDER BY b.partner_id) - 1) / :chunk_size AS chunk
    FROM balances b JOIN unnest(CAST(:ids AS text[])) AS locked(partner_id) ON locked.partner_id = b.partner_id
    WHERE b.currency = :currency AND b.account = {PAYABLE.format(t="b")}
    """
)
# Per locked partner and stream (its chain heads, the payout stream left out), the positions no
# range of this currency covers: between consecutive ranges, and after the last one; numbered in
# partner, stream and position order (``gap_id``), and ``elsewhere`` when a range of another currency
# overlaps the gap (only then can an entry in it be covered by a line of another currency).
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
    SELECT row_number() OVER (ORDER BY g.partner_id, g.stream, g.after_sequence) AS gap_id,
           g.partner_id, pp.account, pp.chunk, g.stream, g.after_sequence, g.before_sequence,
           EXISTS (SELECT 1 FROM payout_coverage_ranges r
                   WHERE r.partner_id = g.partner_id AND r.stream = g.stream AND r.currency <> :currency
                     AND r.to_sequence > g.after_sequence AND r.from_sequence < g.before_sequence) AS elsewhere
    FROM (
        SELECT partner_id, stream, coalesce(lag(to_sequence) OVER w, 0) AS after_sequence,
               coalesce(from_sequence, {LAST_POSITION}) AS before_sequence
        FROM marks WINDOW w AS (PARTITION BY partner_id, stream ORDER BY from_sequence NULLS LAST)
    ) g
    JOIN payout_partners pp ON pp.partner_id = g.partner_id
    WHERE g.before_sequence > g.after_sequence + 1
    ORDER BY g.partner_id, g.stream, g.after_sequence
    """
)
# Per gap, its payable postings read once and totalled into ``payout_runs``: a gap whose postings are
# all effective by the cutoff, that no range of another currency overlaps (``elsewhere``) and that
# holds one payable posting per entry is one run of every entry in it (``simple``: the usual case, a
# partner paid up to a cutoff that is now) and stays as it is; only the other gaps are split into runs
# by SPLIT_RUNS (whose join reads the same postings; see there for the row comparisons).
# Grouped by ``gap_id`` alone (the gap's partner, stream and ``elsewhere`` are one value per gap, taken
# by ``min``): the postings arrive in ``gap_id`` order, so no sort is needed to group them. Each run's
# entry ids are aggregated in the coverage hash's order (byte order), so MEASURE hashes a partner paid
# in one run straight from its array.
GAP_TOTALS = """
    SELECT g.gap_id, min(g.partner_id) AS partner_id, min(g.stream) AS stream,
           min(p.sequence) AS from_sequence, max(p.sequence) AS to_sequence,
           0 - sum(p.amount) AS due, count(DISTINCT p.sequence) AS n,
           array_agg(p.entry_id ORDER BY p.entry_id COLLATE "C") AS entry_ids,
           bool_and(p.effective_at <= :cutoff) AND NOT bool_or(g.elsewhere)
               AND count(*) = count(DISTINCT p.sequence) AS simple,
           min(g.chunk) AS chunk
    FROM (SELECT * FROM payout_gaps WHERE chunk = :chunk ORDER BY gap_id) g
    JOIN postings p
      ON (p.partner_id, p.account, p.currency, p.stream, p.sequence)
         > (g.partner_id, g.account, :currency, g.stream, g.after_sequence)
     AND (p.partner_id, p.account, p.currency, p.stream, p.sequence)
         < (g.partner_id, g.account, :currency, g.stream, g.before_sequence)
    GROUP BY g.gap_id
    """
# The runs' entry ids (a hundred or so per partner, a few kB) are kept out of line uncompressed: pglz
# compressing each array on the way in and expanding it on each read cost a quarter of the measure.
RUNS_TABLE = (
    text(f"CREATE TEMP TABLE payout_runs ON COMMIT DROP AS {GAP_TOTALS} WITH NO DATA"),
    text("ALTER TABLE payout_runs ALTER COLUMN entry_ids SET STORAGE EXTERNAL"),
)
# A chunk's gaps totalled into ``payout_runs``; returns how many of them must be split (SPLIT_RUNS is
# sent only then: one statement per chunk in the usual case).
CHUNK_RUNS = text(
    f"WITH runs AS (INSERT INTO payout_runs {GAP_TOTALS} RETURNING simple) SELECT count(*) FROM runs WHERE NOT simple"
)
# Per gap that is not simple, the maximal runs of its entries due (no other payable entry of the
# stream in between): each run's first and last position, amount, count and entry ids (in byte order), in
# one pass over the gap's payable postings (no table of the entries; they are not read again); the
# gap's own row is then dropped (``DROP_SPLIT_GAPS``). An entry is due when all its payable postings
# are effective by the cutoff and no open or paid line of another currency covers it (as in the
# per-entry plan, where coverage was keyed by the entry alone; only the entries of a gap that such a
# range overlaps are looked up). An entry not due ends a run: the count of them so far names it. The
# gaps are taken in ``gap_id`` order and each gap's postings come in position order, so the sorts
# below are per gap (a hundred rows), never over every entry.
#
# The join is written as row comparisons on the columns of ``postings_payable_position`` (equal
# partner, account, currency and stream; position strictly between the gap's ends), which holds every
# column read (index-only where the table's pages are all-visible). Measured on a journal with no
# statistics, with statistics and vacuumed, the planner took that index in every case; as a subquery
# per gap (LATERAL) it took the older (partner, account, currency, time) index or, with bitmap scans
# off, scanned the whole table once per gap.
SPLIT_RUNS = text(
    f"""
    INSERT INTO payout_runs
    SELECT e.gap_id, e.partner_id, e.stream, min(e.sequence) AS from_sequence, max(e.sequence) AS to_sequence,
           sum(e.amount) AS due, count(*) AS n, array_agg(e.entry_id ORDER BY e.entry_id COLLATE "C") AS entry_ids,
           true AS simple, CAST(:chunk AS bigint) AS chunk
    FROM (
        SELECT e.gap_id, e.partner_id, e.stream, e.sequence, e.entry_id, e.amount, e.due,
               count(*) FILTER (WHERE NOT e.due) OVER (PARTITION BY e.gap_id ORDER BY e.sequence) AS run
        FROM (
            SELECT e.gap_id, e.partner_id, e.stream, e.sequence, e.entry_id, e.amount,
                   CASE WHEN e.due AND e.elsewhere THEN NOT EXISTS (
                       SELECT 1 FROM payout_coverage_ranges r
                       WHERE r.partner_id = e.partner_id AND r.stream = e.stream AND r.currency <> :currency
                         AND e.sequence BETWEEN r.from_sequence AND r.to_sequence
                         AND EXISTS (SELECT 1 FROM postings q WHERE q.entry_id = e.entry_id
                                     AND q.currency = r.currency AND q.account = {PAYABLE.format(t="e")})
                   ) ELSE e.due END AS due
            FROM (
                SELECT g.gap_id, p.sequence, g.partner_id, g.stream, g.elsewhere,
                       min(p.entry_id) AS entry_id, 0 - sum(p.amount) AS amount,
                       bool_and(p.effective_at <= :cutoff) AS due
                FROM (SELECT * FROM payout_gaps
                      WHERE gap_id IN (SELECT gap_id FROM payout_runs WHERE NOT simple AND chunk = :chunk)
                      ORDER BY gap_id) g
                JOIN postings p
                  ON (p.partner_id, p.account, p.currency, p.stream, p.sequence)
                     > (g.partner_id, g.account, :currency, g.stream, g.after_sequence)
                 AND (p.partner_id, p.account, p.currency, p.stream, p.sequence)
                     < (g.partner_id, g.account, :currency, g.stream, g.before_sequence)
                GROUP BY g.gap_id, p.sequence, g.partner_id, g.stream, g.elsewhere
            ) e
        ) e
    ) e
    WHERE e.due
    GROUP BY e.gap_id, e.run, e.partner_id, e.stream
    """
)
DROP_SPLIT_GAPS = text("DELETE FROM payout_runs WHERE NOT simple")
# Per locked partner of a chunk: the runs' amounts and counts summed, and the hash over its due entries' ids
# (each id and a newline, in byte order). A partner with one run (the usual case) is hashed from that
# run's array, already in order; only a partner with several runs has its ids unnested and sorted
# together (what every partner cost before: a third of the measure's time at full size).
MEASURE = text(
    f"""
    SELECT pp.partner_id, pp.payable_now, coalesce(d.due, 0) AS due, coalesce(d.n, 0) AS n,
           coalesce(d.coverage_hash, '') AS coverage_hash,
           coalesce(rh.last_sequence, 0) AS registration_sequence,
           coalesce(ph.last_sequence, 0) AS payout_sequence, coalesce(ph.head_hash, '{GENESIS}') AS payout_hash
    FROM payout_partners pp
    LEFT JOIN (
        WITH r AS (SELECT *, count(*) OVER (PARTITION BY partner_id) AS runs FROM payout_runs WHERE chunk = :chunk)
        SELECT r.partner_id, r.due, cardinality(r.entry_ids) AS n,
               encode(sha256(convert_to(array_to_string(r.entry_ids, E'\\n') || E'\\n', 'UTF8')), 'hex')
                   AS coverage_hash
        FROM r WHERE r.runs = 1
        UNION ALL
        SELECT r.partner_id, sum(r.due) FILTER (WHERE x.i = 1) AS due, count(*) AS n,
               encode(sha256(convert_to(string_agg(x.entry_id || E'\\n', '' ORDER BY x.entry_id COLLATE "C"), 'UTF8')),
                      'hex') AS coverage_hash
        FROM (SELECT * FROM r WHERE r.runs > 1 ORDER BY partner_id) r
        CROSS JOIN LATERAL unnest(r.entry_ids) WITH ORDINALITY AS x(entry_id, i)
        GROUP BY r.partner_id
    ) d ON d.partner_id = pp.partner_id
    LEFT JOIN chain_heads rh ON rh.partner_id = pp.partner_id AND rh.stream = '{REGISTRATION_STREAM}'
    LEFT JOIN chain_heads ph ON ph.partner_id = pp.partner_id AND ph.stream = '{PAYOUT_STREAM}'
    WHERE pp.chunk = :chunk
    ORDER BY pp.partner_id
    """
)
# The runs of each partner paid in the batch become its line's ranges.
COVER = text(
    """
    INSERT INTO payout_coverage_ranges (line_id, partner_id, currency, stream, from_sequence, to_sequence)
    SELECT l.line_id, r.partner_id, l.currency, r.stream, r.from_sequence, r.to_sequence
    FROM payout_runs r JOIN payout_lines l ON l.batch_id = :batch_id AND l.partner_id = r.partner_id
    """
)
# A failed line frees its entries.
UNCOVER = text("DELETE FROM payout_coverage_ranges WHERE line_id = ANY(:lines)")
