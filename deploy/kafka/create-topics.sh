#!/bin/sh
# Provision (or re-assert) the incentive topics on a real Apache Kafka cluster with the Kafka CLI.
# Idempotent: creates missing topics, then enforces the configs on every topic. It never adds
# partitions to an existing topic (that would move partners to other partitions and break their
# ordering); a partition-count mismatch is reported and fails the run.
#
#   BOOTSTRAP_SERVERS=kafka-0:9092 deploy/kafka/create-topics.sh          # production defaults
#   DRY_RUN=1 deploy/kafka/create-topics.sh                                # print the commands only
#
# Settings (environment):
#   BOOTSTRAP_SERVERS     broker list                                  (default localhost:9092)
#   TOPIC_PREFIX          prepended to every name, like <SVC>_TOPIC_PREFIX (default empty)
#   PARTITIONS            partitions per topic; must equal <SVC>_TOPIC_PARTITIONS (default 48)
#   REPLICATION_FACTOR    copies of each partition                     (default 3)
#   MIN_INSYNC_REPLICAS   replicas that must ack an acks=all write     (default 2)
#   COMMAND_CONFIG        client properties file (TLS/SASL) for the CLI (default none)
#   KAFKA_BIN             folder holding kafka-topics.sh               (default /opt/kafka/bin)
#   DRY_RUN               1 = print the commands instead of running them
set -eu

BOOTSTRAP_SERVERS="${BOOTSTRAP_SERVERS:-localhost:9092}"
TOPIC_PREFIX="${TOPIC_PREFIX:-}"
PARTITIONS="${PARTITIONS:-48}"
REPLICATION_FACTOR="${REPLICATION_FACTOR:-3}"
MIN_INSYNC_REPLICAS="${MIN_INSYNC_REPLICAS:-2}"
KAFKA_BIN="${KAFKA_BIN:-/opt/kafka/bin}"
DRY_RUN="${DRY_RUN:-0}"

# The names in contracts/incentive_contracts/topics.py (a test keeps them equal).
TOPICS="incentives.registration incentives.mdf incentives.ledger incentives.insights incentives.deadletter"

# Event topics are the audit record: auditors replay from offset 0, so nothing ever expires
# (retention.ms=-1, retention.bytes=-1). No compaction: every topic is keyed by partner id, and
# compaction would keep only a partner's latest event and destroy the history. The dead-letter
# topic keeps everything too (each record carries its reason and original offset).
CONFIGS="cleanup.policy=delete
retention.ms=-1
retention.bytes=-1
min.insync.replicas=${MIN_INSYNC_REPLICAS}
unclean.leader.election.enable=false
message.timestamp.type=CreateTime
max.message.bytes=4194304"

client_config=""
if [ -n "${COMMAND_CONFIG:-}" ]; then
  client_config="--command-config ${COMMAND_CONFIG}"
fi

run() {
  if [ "$DRY_RUN" = "1" ]; then
    echo "$*"
  else
    "$@"
  fi
}

config_flags=""
alter_list=""
for c in $CONFIGS; do
  config_flags="$config_flags --config $c"
  alter_list="${alter_list:+$alter_list,}$c"
done

for base in $TOPICS; do
  topic="${TOPIC_PREFIX}${base}"
  # shellcheck disable=SC2086 # flags are split on purpose
  run "$KAFKA_BIN/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP_SERVERS" $client_config \
    --create --if-not-exists --topic "$topic" \
    --partitions "$PARTITIONS" --replication-factor "$REPLICATION_FACTOR" $config_flags
  # shellcheck disable=SC2086
  run "$KAFKA_BIN/kafka-configs.sh" --bootstrap-server "$BOOTSTRAP_SERVERS" $client_config \
    --alter --entity-type topics --entity-name "$topic" --add-config "$alter_list"
  if [ "$DRY_RUN" != "1" ]; then
    # shellcheck disable=SC2086
    actual=$("$KAFKA_BIN/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP_SERVERS" $client_config \
      --describe --topic "$topic" | sed -n 's/.*PartitionCount: *\([0-9]*\).*/\1/p' | head -n 1)
    if [ "$actual" != "$PARTITIONS" ]; then
      echo "topic $topic has $actual partitions, expected $PARTITIONS: settle this by hand (see deploy/SCALING.md)" >&2
      exit 1
    fi
  fi
  echo "topic $topic: $PARTITIONS partitions, replication factor $REPLICATION_FACTOR, configs asserted" >&2
done
