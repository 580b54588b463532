"""Event ids made a block at a time are what ``str(uuid.uuid4())`` gives, and never handed out twice."""

from __future__ import annotations

import os
import threading
import uuid

from hypothesis import given
from hypothesis import strategies as st
from incentive_contracts import event_ids
from incentive_contracts.event_ids import BLOCK, new_event_id, new_event_ids, random_ids


def is_uuid4_text(value: str) -> bool:
    parsed = uuid.UUID(value)
    return str(parsed) == value and parsed.version == 4 and parsed.variant == uuid.RFC_4122


@given(st.integers(min_value=1, max_value=600))
def test_random_ids_are_version_4_uuids_written_as_uuid4_writes_them(count):
    ids = random_ids(count)
    assert len(ids) == count
    assert all(is_uuid4_text(i) for i in ids)


def test_new_event_ids_are_uuid4_text_and_distinct_across_blocks():
    ids = [new_event_id() for _ in range(BLOCK * 5 + 7)]
    assert all(is_uuid4_text(i) for i in ids)
    assert len(set(ids)) == len(ids)


@given(st.lists(st.integers(min_value=0, max_value=BLOCK * 2), max_size=12))
def test_ids_taken_a_few_or_many_at_a_time_are_uuid4_text_and_never_repeat(counts):
    taken = [new_event_ids(n) for n in counts]
    assert [len(ids) for ids in taken] == counts
    every = [i for ids in taken for i in ids] + [new_event_id()]
    assert all(is_uuid4_text(i) for i in every)
    assert len(set(every)) == len(every)


def test_threads_never_take_the_same_id():
    taken: list[list[str]] = [[] for _ in range(8)]

    def take(into: list[str]) -> None:
        into.extend(new_event_id() for _ in range(BLOCK * 4))

    threads = [threading.Thread(target=take, args=(t,)) for t in taken]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [i for ids in taken for i in ids]
    assert len(set(every)) == len(every) == 8 * BLOCK * 4


def test_a_forked_child_does_not_hand_out_its_parents_ids():
    new_event_id()  # the parent now holds a block with ids left in it
    assert event_ids._block.ids
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next ids go to the parent, then it exits at once
        try:
            os.write(write_end, "\n".join(new_event_id() for _ in range(BLOCK)).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        child = set(pipe.read().split("\n"))
    os.waitpid(pid, 0)
    parent = {new_event_id() for _ in range(BLOCK)}
    assert len(child) == BLOCK
    assert not child & parent
