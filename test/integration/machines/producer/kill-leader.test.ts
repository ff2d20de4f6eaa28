/**
 * A 3-node cluster of this run's Kafka version (its own, started here), acks=all, idempotent:
 * the leader of the partition is killed while records flow. Every record must still be
 * written, none twice, in order, as kcat reads them back from the surviving brokers.
 */
import test from 'ava';
import { createActor } from 'xstate';
import { createTopics } from '../../../../machines/admin/create-topics.js';
import { ClusterClient } from '../../../../machines/cluster/cluster-client.js';
import { clusterMachine } from '../../../../machines/cluster/cluster-machine.js';
import type { OutgoingRecord } from '../../../../machines/producer/producer.js';
import { kafkaVersions, startLocalKafka, type KafkaVersion, type LocalKafka } from '../../../helpers/kafka.js';
import { eventually } from '../admin/cluster-fixture.js';
import { kcatRead, startProducer } from './producer-fixture.js';

const version: KafkaVersion = (kafkaVersions as readonly string[]).includes(process.env.KAFKA_VERSION ?? '') ? (process.env.KAFKA_VERSION as KafkaVersion) : '4.1.1';
const RECORDS = 30_000;
const CALL_SIZE = 200;

let kafka: LocalKafka | undefined;
const actors: Array<{ stop(): void }> = [];
test.after.always(async () => {
  for (const actor of actors) actor.stop();
  await kafka?.stop();
});

test(`Kafka ${version}, 3 nodes, acks=all: killing the partition leader mid-run loses and duplicates nothing`, async (t) => {
  t.timeout(400_000);
  kafka = await startLocalKafka({ version, nodes: 3 });
  const clusterActor = createActor(clusterMachine, {
    input: {
      bootstrap: kafka.env.brokers,
      connection: { clientId: 'it-kill-leader', connectTimeoutMs: 3000, requestTimeoutMs: 10_000, maxInFlight: 8, backoff: { minMs: 100, maxMs: 1000 } },
      metadataRefreshMs: 2000,
      minRefreshIntervalMs: 200,
      brokerRestarts: { maxRestarts: 20, windowMs: 60_000, backoff: { minMs: 100, maxMs: 1000 } },
    },
  });
  clusterActor.subscribe({ error: () => undefined });
  clusterActor.start();
  actors.push(clusterActor);
  const client = new ClusterClient(clusterActor);
  await client.whenReady(60_000);
  const topic = `kill-leader-${process.pid}-${Date.now()}`;
  const [created] = await createTopics(client, [{ name: topic, partitions: 1, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } }], { timeoutMs: 30_000 });
  t.is(created!.error, null);
  await eventually('a leader', async () => {
    await client.refreshMetadata(10_000).catch(() => undefined);
    return client.metadata.leaderFor(topic, 0);
  });

  const producer = startProducer(client, { requestTimeoutMs: 10_000, retryBackoffMs: 100 });
  actors.push(producer);
  await eventually('the producer to be ready', async () => (producer.getSnapshot().matches('ready') ? true : undefined));
  const data = producer.getSnapshot().context.producer;

  let failures = 0;
  let killed = false;
  const started = Date.now();
  for (let from = 0; from < RECORDS; from += CALL_SIZE) {
    const records: OutgoingRecord[] = [];
    for (let i = from; i < from + CALL_SIZE; i++) records.push({ key: null, value: Buffer.from(String(i)), headers: [], timestamp: started, partition: 0 });
    const pending = data.send(topic, records);
    if (!killed && from >= RECORDS / 3) {
      killed = true;
      const leader = client.metadata.leaderFor(topic, 0)!;
      const address = `${client.metadata.brokers.get(leader)?.host}:${client.metadata.brokers.get(leader)?.port}`;
      const node = Number(Object.entries(kafka.vars).find(([k, v]) => /^KAFKA_NODE_\d+$/.test(k) && v === address)?.[0].slice('KAFKA_NODE_'.length));
      t.log(`killing node ${node} (broker ${leader}, the leader) after ${from} records`);
      await kafka.killNode(node);
    }
    for (const o of await pending) if (!o.ok) failures++;
  }
  t.log(`${RECORDS} records in ${Date.now() - started} ms`);
  t.true(killed);
  t.is(failures, 0);

  const survivors = Object.entries(kafka.vars)
    .filter(([k]) => /^KAFKA_NODE_\d+$/.test(k))
    .map(([, v]) => v)
    .filter((v) => v !== undefined);
  const read = await kcatRead(survivors.join(','), topic, RECORDS);
  t.deepEqual(
    read.map((r) => Number(r.value!.toString())),
    Array.from({ length: RECORDS }, (_, i) => i),
  );
});
