/**
 * A broker stopped (SIGKILL) and started again under a connection actor and a cluster actor:
 * the connection goes through backoff and returns to ready; requests issued meanwhile succeed
 * after the reconnect or fail with a retriable error within their timeout; nothing crashes.
 * Starts a broker of its own (of this run's Kafka version) so it can kill it.
 */
import test from 'ava';
import { createActor } from 'xstate';
import { ClusterClient, Lane } from '../../../machines/cluster/cluster-client.js';
import { clusterMachine } from '../../../machines/cluster/cluster-machine.js';
import { request, whenReady } from '../../../machines/connection/connection-client.js';
import { connectionMachine } from '../../../machines/connection/connection-machine.js';
import { MetadataApi } from '../../../protocol/messages/metadata.js';
import { kafkaVersions, startLocalKafka, type KafkaVersion, type LocalKafka } from '../../helpers/kafka.js';

const version: KafkaVersion = (kafkaVersions as readonly string[]).includes(process.env.KAFKA_VERSION ?? '')
  ? (process.env.KAFKA_VERSION as KafkaVersion)
  : '4.1.1';

const connection = {
  clientId: 'it-restart',
  connectTimeoutMs: 3000,
  requestTimeoutMs: 5000,
  maxInFlight: 8,
  backoff: { minMs: 200, maxMs: 2000 },
};

let kafka: LocalKafka | undefined;
/** Stopped even when an assertion fails midway, so no reconnect timer keeps the worker alive. */
const actors: Array<{ stop(): void }> = [];
test.after.always(async () => {
  for (const actor of actors) actor.stop();
  await kafka?.stop();
});

interface Outcome {
  ok: boolean;
  ms: number;
  retriable?: boolean;
  code?: string;
}

async function timed(timeoutMs: number, send: () => Promise<unknown>): Promise<Outcome> {
  const started = Date.now();
  try {
    await send();
    return { ok: true, ms: Date.now() - started };
  } catch (error) {
    const e = error as { retriable?: boolean; code?: string };
    return { ok: false, ms: Date.now() - started, retriable: e.retriable, code: e.code };
  }
}

test(`Kafka ${version}: a killed and restarted broker: backoff, back to ready, requests meanwhile settle in time`, async (t) => {
  kafka = await startLocalKafka({ version, nodes: 1 });
  const [host, port] = kafka.env.brokers[0].split(':');
  const conn = createActor(connectionMachine, { input: { ...connection, host, port: Number(port) } });
  const connErrors: unknown[] = [];
  conn.subscribe({ error: (e) => connErrors.push(e) });
  const states = new Set<string>();
  conn.subscribe((s) => states.add(JSON.stringify(s.value)));
  conn.start();
  actors.push(conn);
  const cluster = createActor(clusterMachine, {
    input: {
      bootstrap: kafka.env.brokers,
      connection,
      metadataRefreshMs: 2000,
      brokerRestarts: { maxRestarts: 5, windowMs: 60_000, backoff: { minMs: 100, maxMs: 1000 } },
    },
  });
  const clusterErrors: unknown[] = [];
  cluster.subscribe({ error: (e) => clusterErrors.push(e) });
  cluster.start();
  actors.push(cluster);
  const client = new ClusterClient(cluster);
  const metadata = await client.whenReady(30_000);
  const nodeId = [...metadata.brokers.keys()][0];
  await whenReady(conn, 30_000);
  await client.request(nodeId, Lane.control, MetadataApi, { topics: null });

  await kafka.killNode(1);
  const outcomes: Outcome[] = [];
  const timeoutMs = 2000;
  for (let i = 0; i < 3; i++) {
    outcomes.push(await timed(timeoutMs, () => request(conn, MetadataApi, { topics: null }, { timeoutMs })));
    outcomes.push(await timed(timeoutMs, () => client.request(nodeId, Lane.control, MetadataApi, { topics: null }, { timeoutMs })));
  }
  t.true(states.has('"backoff"'), `states seen: ${[...states].join(' ')}`);
  const restarting = kafka.startNode(1);
  const during = request(conn, MetadataApi, { topics: null }, { timeoutMs: 60_000 });
  await restarting;
  // A ZooKeeper-mode broker answers with an empty broker list until its controller updates it,
  // so only the success of the request is checked here.
  t.true(Array.isArray((await during).brokers), 'a request issued while the broker was down succeeds after the reconnect');

  await whenReady(conn, 30_000);
  t.deepEqual(conn.getSnapshot().value, { ready: 'serving' });
  t.true(Array.isArray((await client.request(nodeId, Lane.control, MetadataApi, { topics: null }, { timeoutMs: 30_000 })).brokers));
  for (const o of outcomes) {
    t.true(o.ms <= timeoutMs + 500, `settled after ${o.ms} ms`);
    if (!o.ok) t.true(o.retriable, `failed with ${o.code}, which must be retriable`);
  }
  t.deepEqual(connErrors, []);
  t.deepEqual(clusterErrors, []);
  t.is(cluster.getSnapshot().status, 'active');
  conn.stop();
  cluster.stop();
});
