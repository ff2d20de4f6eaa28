/**
 * A 3-node cluster of this run's Kafka version: the fetcher follows a partition whose leader
 * is killed to its new leader, and every record (before and after the move) arrives exactly
 * once, in order.
 */
import test from 'ava';
import { join } from 'node:path';
import { kafkaVersions, startLocalKafka, type KafkaVersion, type LocalKafka } from '../../../helpers/kafka.js';
import { repoRoot } from '../../../helpers/repo.js';
import { createTopics } from '../../../../machines/admin/create-topics.js';
import { eventually, startCluster, uniqueName, type TestCluster } from '../admin/cluster-fixture.js';
import { collect, kcatProduce, text } from './fetch-fixture.js';

const version: KafkaVersion = (kafkaVersions as readonly string[]).includes(process.env.KAFKA_VERSION ?? '') ? (process.env.KAFKA_VERSION as KafkaVersion) : '4.1.1';

let kafka: LocalKafka | undefined;
let cluster: TestCluster | undefined;
test.after.always(async () => {
  cluster?.stop();
  await kafka?.stop();
});

test(`Kafka ${version}: the fetcher follows a killed leader's partition to its new leader without losing or repeating records`, async (t) => {
  kafka = await startLocalKafka({ version, nodes: 3, dir: join(repoRoot, '.kafka', `fetcher-three-${process.pid}`) });
  const brokers = kafka.env.brokers.join(',');
  cluster = await startCluster(kafka.env.brokers);
  const topic = uniqueName('fetch-move');
  const [created] = await createTopics(cluster.client, [{ name: topic, partitions: 1, replicationFactor: 3 }], { timeoutMs: 60_000 });
  if (created.error) throw created.error;
  const leader = await eventually('a leader', async () => {
    await cluster?.client.refreshMetadata(10_000);
    return cluster?.client.metadata.leaderFor(topic, 0);
  });
  const values = (from: number): string[] => Array.from({ length: 100 }, (_, i) => `k${from + i}:v${from + i}`);
  await kcatProduce(brokers, topic, 0, 'lz4', values(0));

  const c = collect(cluster.client, { requestTimeoutMs: 10_000 });
  try {
    c.fetcher.assign([{ topic, partition: 0, position: 'earliest' }]);
    await c.waitFor(0, 100);

    const address = `${cluster.client.metadata.brokers.get(leader)?.host}:${cluster.client.metadata.brokers.get(leader)?.port}`;
    const node = Number(Object.entries(kafka.vars).find(([k, v]) => /^KAFKA_NODE_\d+$/.test(k) && v === address)?.[0].slice('KAFKA_NODE_'.length));
    t.true(node >= 1 && node <= 3, `leader ${leader} at ${address} is one of our nodes`);
    await kafka.killNode(node);
    const survivors = Object.entries(kafka.vars)
      .filter(([k, v]) => /^KAFKA_NODE_\d+$/.test(k) && v !== address)
      .map(([, v]) => v)
      .join(',');
    await kcatProduce(survivors, topic, 0, 'zstd', values(100));

    await c.waitFor(0, 200, 120_000);
    const got = (c.records.get(0) ?? []).map((r) => `${r.offset}:${text(r.value)}`);
    t.deepEqual(got, Array.from({ length: 200 }, (_, i) => `${i}:v${i}`));
    t.not(cluster.client.metadata.leaderFor(topic, 0), leader);
    t.true(c.fetcher.actor.getSnapshot().context.leaderMoves >= 1, 'the move was noticed');
    t.deepEqual(c.errors, []);
  } finally {
    await c.fetcher.stop();
  }
});
