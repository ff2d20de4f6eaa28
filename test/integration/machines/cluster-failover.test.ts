/**
 * A 3-node cluster of this run's Kafka version: the cluster actor's metadata lists all
 * brokers; after the leader of a replicated partition is killed, leadership moves and the
 * metadata follows.
 */
import test from 'ava';
import { createActor } from 'xstate';
import { ClusterClient, Lane } from '../../../machines/cluster/cluster-client.js';
import { clusterMachine } from '../../../machines/cluster/cluster-machine.js';
import { CreateTopicsApi } from '../../../protocol/messages/create-topics.js';
import { kafkaVersions, startLocalKafka, type KafkaVersion, type LocalKafka } from '../../helpers/kafka.js';

const version: KafkaVersion = (kafkaVersions as readonly string[]).includes(process.env.KAFKA_VERSION ?? '')
  ? (process.env.KAFKA_VERSION as KafkaVersion)
  : '4.1.1';

let kafka: LocalKafka | undefined;
/** Stopped even when an assertion fails midway, so no reconnect timer keeps the worker alive. */
const actors: Array<{ stop(): void }> = [];
test.after.always(async () => {
  for (const actor of actors) actor.stop();
  await kafka?.stop();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test(`Kafka ${version}: 3 brokers in the metadata; a killed leader's partitions move and the metadata follows`, async (t) => {
  kafka = await startLocalKafka({ version, nodes: 3 });
  const cluster = createActor(clusterMachine, {
    input: {
      bootstrap: kafka.env.brokers,
      connection: { clientId: 'it-failover', connectTimeoutMs: 3000, requestTimeoutMs: 10_000, maxInFlight: 8, backoff: { minMs: 200, maxMs: 2000 } },
      metadataRefreshMs: 1000,
      minRefreshIntervalMs: 200,
      brokerRestarts: { maxRestarts: 10, windowMs: 60_000, backoff: { minMs: 100, maxMs: 1000 } },
    },
  });
  const errors: unknown[] = [];
  cluster.subscribe({ error: (e) => errors.push(e) });
  cluster.start();
  actors.push(cluster);
  const client = new ClusterClient(cluster);
  let metadata = await client.whenReady(30_000);
  t.is(metadata.brokers.size, 3);

  const topic = `failover-${process.pid}-${Date.now()}`;
  const created = await client.request(metadata.controllerId >= 0 ? metadata.controllerId : client.anyBroker(), Lane.control, CreateTopicsApi, {
    topics: [{ name: topic, numPartitions: 3, replicationFactor: 3, assignments: [], configs: [] }],
    timeoutMs: 10_000,
    validateOnly: false,
  });
  t.is(created.topics[0].errorCode, 0, `CreateTopics error ${created.topics[0].errorCode}`);
  const deadline = Date.now() + 30_000;
  while (client.metadata.leaderFor(topic, 0) === undefined && Date.now() < deadline) {
    await client.refreshMetadata(10_000).catch(() => undefined);
    await sleep(300);
  }
  metadata = client.metadata;
  const leader = metadata.leaderFor(topic, 0);
  if (leader === undefined) return t.fail(`no leader for ${topic}-0`);
  const leaderAddress = `${metadata.brokers.get(leader)?.host}:${metadata.brokers.get(leader)?.port}`;
  const node = Number(Object.entries(kafka.vars).find(([k, v]) => /^KAFKA_NODE_\d+$/.test(k) && v === leaderAddress)?.[0].slice('KAFKA_NODE_'.length));
  t.true(node >= 1 && node <= 3, `leader ${leader} at ${leaderAddress} is one of our nodes`);

  await kafka.killNode(node);
  const moveDeadline = Date.now() + 120_000;
  let newLeader = client.metadata.leaderFor(topic, 0);
  while ((newLeader === undefined || newLeader === leader) && Date.now() < moveDeadline) {
    await sleep(1000);
    newLeader = client.metadata.leaderFor(topic, 0);
  }
  t.not(newLeader, undefined);
  t.not(newLeader, leader, 'leadership moved away from the killed broker');
  t.true(client.metadata.partition(topic, 0)?.leaderEpoch !== undefined);
  const partition = client.metadata.partition(topic, 0);
  t.true((partition?.leaderEpoch ?? -1) > (metadata.partition(topic, 0)?.leaderEpoch ?? -1) || (partition?.leaderEpoch ?? -1) === -1);
  t.deepEqual(errors, []);
  t.is(cluster.getSnapshot().status, 'active');
  cluster.stop();
  return undefined;
});
