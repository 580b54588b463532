"""Tables of the shared runtime, present in every service's database.

Each service's first Alembic migration creates them with :func:`create_runtime_tables`.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.engine import Connection

runtime_metadata = MetaData()

outbox = Table(
    "outbox",
    runtime_metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("event_id", UUID(as_uuid=False), nullable=False, unique=True),
    Column("topic", Text, nullable=False),
    Column("partition_key", Text, nullable=False),
    Column("sequence", BigInteger, nullable=True),
    Column("event_type", Text, nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("published_at", DateTime(timezone=True), nullable=True),
    Index("outbox_unpublished", "id", postgresql_where=text("published_at IS NULL")),
)

stream_sequences = Table(
    "stream_sequences",
    runtime_metadata,
    Column("partition_key", Text, primary_key=True),
    Column("last_sequence", BigInteger, nullable=False),
)

consumed_events = Table(
    "consumed_events",
    runtime_metadata,
    Column("event_id", UUID(as_uuid=False), nullable=False),
    Column("consumer_group", Text, nullable=False),
    Column("topic", Text, nullable=False),
    Column("partition", Integer, nullable=False),
    Column("offset", BigInteger, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("event_time", DateTime(timezone=True), nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column(
        "consumed_seq", BigInteger, nullable=False, autoincrement=True, server_default=text("nextval('consumed_seq')")
    ),
    Index("consumed_events_order", "consumed_seq", unique=True),
    # Each consumer group has an inbox of its own: two groups in one database both apply an event.
    PrimaryKeyConstraint("consumer_group", "event_id", name="consumed_events_pkey"),
)

consumer_offsets = Table(
    "consumer_offsets",
    runtime_metadata,
    Column("consumer_group", Text, nullable=False),
    Column("topic", Text, nullable=False),
    Column("partition", Integer, nullable=False),
    Column("next_offset", BigInteger, nullable=False),
    Column("high_watermark", BigInteger, nullable=False, server_default="0"),
    Column("applied_count", BigInteger, nullable=False, server_default="0"),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("consumer_group", "topic", "partition"),
)

dead_letters = Table(
    "dead_letters",
    runtime_metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("consumer_group", Text, nullable=False),
    Column("event_id", Text, nullable=True),
    Column("topic", Text, nullable=False),
    Column("partition", Integer, nullable=False),
    Column("offset", BigInteger, nullable=False),
    Column("reason", Text, nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("redriven_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("consumer_group", "topic", "partition", "offset", name="dead_letters_origin"),
    # The inbox's claim skips a redelivered event that waits in the dead letters for a re-drive.
    Index("dead_letters_open_event", "consumer_group", "event_id", postgresql_where=text("redriven_at IS NULL")),
)

idempotency_keys = Table(
    "idempotency_keys",
    runtime_metadata,
    Column("caller", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("request_hash", Text, nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("response_body", JSONB, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("caller", "key"),
)


# Added after the first migrations: each service creates it in a migration of its own.
parking_metadata = MetaData()

parked_events = Table(
    "parked_events",
    parking_metadata,
    Column("serial", BigInteger, primary_key=True, autoincrement=True),  # the order events parked in
    Column("consumer_group", Text, nullable=False),
    Column("event_id", UUID(as_uuid=False), nullable=False),
    Column("topic", Text, nullable=False),
    Column("partition", Integer, nullable=False),
    Column("offset", BigInteger, nullable=False),
    Column("subject", Text, nullable=False),
    Column("waiting_for", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("parked_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("payload", LargeBinary, nullable=False),
    UniqueConstraint("consumer_group", "event_id", name="parked_events_event"),
    Index("parked_events_queue", "consumer_group", "subject", "serial"),
)


def create_runtime_tables(bind: Connection) -> None:
    """Create the runtime tables (used from each service's first migration)."""
    bind.execute(text("CREATE SEQUENCE IF NOT EXISTS consumed_seq"))
    runtime_metadata.create_all(bind)


def drop_runtime_tables(bind: Connection) -> None:
    runtime_metadata.drop_all(bind)
    bind.execute(text("DROP SEQUENCE IF EXISTS consumed_seq"))


def create_parking_tables(bind: Connection) -> None:
    """Create ``parked_events`` (each service's parking migration)."""
    parking_metadata.create_all(bind)


def drop_parking_tables(bind: Connection) -> None:
    parking_metadata.drop_all(bind)


def key_inbox_by_group(bind: Connection) -> None:
    """Key ``consumed_events`` by (consumer_group, event_id) (each service's inbox-key migration).

    The first migrations create the table from :data:`runtime_metadata`, so a database built from
    scratch may already have this key: the constraint is replaced either way."""
    bind.execute(text("ALTER TABLE consumed_events DROP CONSTRAINT consumed_events_pkey"))
    bind.execute(
        text("ALTER TABLE consumed_events ADD CONSTRAINT consumed_events_pkey PRIMARY KEY (consumer_group, event_id)")
    )


def index_open_dead_letters(bind: Connection) -> None:
    """Index the dead letters not yet re-driven by event id (each service's dead-letter migration).

    A database built from scratch already has it (:data:`runtime_metadata` declares it)."""
    bind.execute(
        text(
            "CREATE INDEX IF NOT EXISTS dead_letters_open_event ON dead_letters (consumer_group, event_id) "
            "WHERE redriven_at IS NULL"
        )
    )


def drop_open_dead_letters_index(bind: Connection) -> None:
    bind.execute(text("DROP INDEX IF EXISTS dead_letters_open_event"))


def key_inbox_by_event(bind: Connection) -> None:
    """Undo :func:`key_inbox_by_group` (fails if two groups consumed the same event)."""
    bind.execute(text("ALTER TABLE consumed_events DROP CONSTRAINT consumed_events_pkey"))
    bind.execute(text("ALTER TABLE consumed_events ADD CONSTRAINT consumed_events_pkey PRIMARY KEY (event_id)"))
