// Reads every record of a topic with KafkaJS (a non-Python Kafka client) and prints one JSON line each.
const { Kafka, logLevel } = require('kafkajs');
const [broker, topic] = process.argv.slice(2);
(async () => {
  const kafka = new Kafka({ brokers: [broker], logLevel: logLevel.NOTHING });
  const admin = kafka.admin(); await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic); await admin.disconnect();
  let remaining = offsets.reduce((n, p) => n + (Number(p.high) - Number(p.low)), 0);
  const consumer = kafka.consumer({ groupId: 'kjs-' + Date.now() });
  await consumer.connect(); await consumer.subscribe({ topic, fromBeginning: true });
  if (remaining === 0) { await consumer.disconnect(); return; }
  await new Promise((resolve) => consumer.run({ eachMessage: async ({ partition, message }) => {
    console.log(JSON.stringify({ partition, offset: message.offset, key: message.key && message.key.toString(), headers: Object.fromEntries(Object.entries(message.headers || {}).map(([k, v]) => [k, v.toString()])), value: message.value.toString() }));
    if (--remaining === 0) resolve();
  }}));
  await consumer.disconnect();
})().catch((e) => { console.error(e); process.exit(1); });
