"""The set-based statements of the CRM batch path: one statement per kind of key, whatever the batch size."""

from __future__ import annotations

from sqlalchemy import text

# Lookups of a batch's keys are LATERAL subqueries behind a fence (LIMIT 1 / OFFSET 0), so each key
# is one index probe whatever the statistics say. As a plain join, a table growing faster than
# autovacuum analyzes it got a hash join over all of it under the generic plan: 15 ms a batch at
# 50,000 notification ids, 75 ms at 200,000 (one probe per key: 3 ms).
SEEN_NOTIFICATIONS = text(
    """
    SELECT k.source, k.delivery_id
    FROM unnest(CAST(:sources AS text[]), CAST(:ids AS text[])) AS k(source, delivery_id)
    CROSS JOIN LATERAL (
        SELECT 1 FROM webhook_deliveries w WHERE w.source = k.source AND w.delivery_id = k.delivery_id LIMIT 1
    ) AS seen
    """
)
# The notification ids the batch claimed, each with its outcome, in one statement at the end. A row
# another transaction inserted meanwhile is not overwritten, and counts as a claim lost.
CLAIM_NOTIFICATIONS = text(
    """
    INSERT INTO webhook_deliveries (source, delivery_id, record_id, outcome)
    SELECT source, delivery_id, record_id, outcome
    FROM unnest(CAST(:sources AS text[]), CAST(:ids AS text[]), CAST(:records AS text[]), CAST(:outcomes AS text[]))
        AS claimed(source, delivery_id, record_id, outcome)
    ON CONFLICT (source, delivery_id) DO NOTHING
    RETURNING 1
    """
)
LOAD_RECORDS = text(
    """
    SELECT r.source, r.record_id, r.deal_id, r.fields, r.versions, r.modified_at
    FROM unnest(CAST(:sources AS text[]), CAST(:ids AS text[])) AS k(source, record_id)
    CROSS JOIN LATERAL (
        SELECT * FROM crm_records r WHERE r.source = k.source AND r.record_id = k.record_id LIMIT 1
    ) AS r
    """
)
# Every record the batch saved, in one statement (its final fields, versions and last outcome).
SAVE_RECORDS = text(
    """
    INSERT INTO crm_records (source, record_id, deal_id, fields, versions, modified_at, outcome)
    SELECT source, record_id, deal_id, CAST(fields AS jsonb), CAST(versions AS jsonb), modified_at, outcome
    FROM unnest(
        CAST(:sources AS text[]), CAST(:ids AS text[]), CAST(:deal_ids AS text[]), CAST(:fields AS text[]),
        CAST(:versions AS text[]), CAST(:modified AS timestamptz[]), CAST(:outcomes AS text[])
    ) AS saved(source, record_id, deal_id, fields, versions, modified_at, outcome)
    ON CONFLICT (source, record_id) DO UPDATE SET
        deal_id = excluded.deal_id, fields = excluded.fields, versions = excluded.versions,
        modified_at = excluded.modified_at, outcome = excluded.outcome
    """
)
# Earlier registrations of many customers and their vendor-direct deals: each key looked up through
# its index (see above; as ``= ANY(:array)`` filters they were checked against every row of a
# sequential scan, linearly in the array: 100 ms a batch at 36,000 deals, growing with the table).
KNOWN = text(
    """
    SELECT d.deal_id, d.partner_id, d.customer_name, d.customer_domain, d.customer_name_key, d.product_key,
           d.status, d.registered_on
    FROM unnest(CAST(:name_keys AS text[])) AS k(name_key)
    CROSS JOIN LATERAL (
        SELECT * FROM deals WHERE deals.customer_name_key = k.name_key AND deals.registered_on >= :since OFFSET 0
    ) AS d
    UNION
    SELECT d.deal_id, d.partner_id, d.customer_name, d.customer_domain, d.customer_name_key, d.product_key,
           d.status, d.registered_on
    FROM unnest(CAST(:domains AS text[])) AS k(domain)
    CROSS JOIN LATERAL (
        SELECT * FROM deals WHERE deals.customer_domain = k.domain AND deals.registered_on >= :since OFFSET 0
    ) AS d
    """
)
DIRECT = text(
    """
    SELECT d.direct_deal_id, d.customer_domain, d.customer_name_key, d.product_key, d.registered_on, d.status
    FROM unnest(CAST(:name_keys AS text[])) AS k(name_key)
    CROSS JOIN LATERAL (
        SELECT * FROM direct_deals WHERE direct_deals.customer_name_key = k.name_key AND status = 'active' OFFSET 0
    ) AS d
    UNION
    SELECT d.direct_deal_id, d.customer_domain, d.customer_name_key, d.product_key, d.registered_on, d.status
    FROM unnest(CAST(:domains AS text[])) AS k(domain)
    CROSS JOIN LATERAL (
        SELECT * FROM direct_deals WHERE direct_deals.customer_domain = k.domain AND status = 'active' OFFSET 0
    ) AS d
    """
)
