// Reads records of a topic from the beginning with KafkaJS (a non-Python Kafka client) and prints
// one JSON line each. Usage: node read_topic.js BROKER TOPIC EXPECTED_COUNT [TIMEOUT_MS]
const { Kafka, logLevel } = require('kafkajs');
const [broker, topic, expected, timeoutMs = '30000'] = process.argv.slice(2);
(async () => {
  const kafka = new Kafka({ brokers: [broker], logLevel: logLevel.NOTHING });
  // A short session: the embedded broker (Tansu) answers a group's first join after half of it
  // (KafkaJS's default 30 s made the reader wait 15 s).
  const consumer = kafka.consumer({ groupId: `kafkajs-reader-${Date.now()}`, sessionTimeout: 2000, heartbeatInterval: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let remaining = Number(expected);
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${remaining} records not read in time`)), Number(timeoutMs));
    consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers || {}).map(([k, v]) => [k, v.toString()]));
        console.log(JSON.stringify({
          partition, offset: message.offset, key: message.key && message.key.toString(), headers,
          value: message.value.toString(),
        }));
        if (--remaining <= 0) { clearTimeout(timer); resolve(); }
      },
    });
  });
  await consumer.disconnect();
})().catch((e) => { console.error(e.message); process.exit(1); });
