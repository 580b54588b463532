"""Event ids made in bulk are RFC 4122 version 4 UUIDs, as ``new_event_id`` makes them one by one."""

from __future__ import annotations

import uuid

from registration.adapters.unit import event_ids


def test_bulk_event_ids_are_distinct_version_4_uuids_in_canonical_form():
    ids = event_ids(5000)
    assert len(set(ids)) == 5000
    for text in ids[:500] + ids[-500:]:
        parsed = uuid.UUID(text)
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)
        assert str(parsed) == text


def test_single_and_empty():
    [one] = event_ids(1)
    assert uuid.UUID(one).version == 4
    assert event_ids(0) == []
