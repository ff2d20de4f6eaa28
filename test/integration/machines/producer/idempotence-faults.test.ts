/**
 * Idempotence under faults: the producer's produce lane goes through a proxy that cuts its
 * connection shortly after requests went out (test/helpers/fault-proxy.ts), many times during
 * the run. Every record must still arrive exactly once and in order per partition, which kcat
 * (librdkafka) checks by reading everything back.
 *
 * PRODUCER_FAULT_RECORDS changes the count (default 100,000, about 15 s here);
 * PRODUCER_FAULT_NO_IDEMPOTENCE=1 turns idempotence off, to see this test catch the
 * duplicates and reordering that retries then cause.
 */
import test from 'ava';
import { createActor } from 'xstate';
import { request } from '../../../../machines/connection/connection-client.js';
import { connectionMachine, type ConnectionActor } from '../../../../machines/connection/connection-machine.js';
import { Lane } from '../../../../machines/cluster/broker-machine.js';
import { producerMachine } from '../../../../machines/producer/producer-machine.js';
import type { ProducerCluster } from '../../../../machines/producer/sender.js';
import type { OutgoingRecord } from '../../../../machines/producer/producer.js';
import { startFaultProxy, type FaultProxy } from '../../../helpers/fault-proxy.js';
import { eventually, clusterPerFile } from '../admin/cluster-fixture.js';
import { DEFAULT_SETTINGS, kcatRead, readyTopic } from './producer-fixture.js';

const RECORDS = Number(process.env.PRODUCER_FAULT_RECORDS ?? 100_000);
const PARTITIONS = 3;
const CALL_SIZE = 500;
const CONCURRENT_CALLS = 8;

const shared = clusterPerFile(test);

/**
 * The real shared.cluster client, except that produce-lane requests go to a connection actor of our
 * own whose broker address is the proxy: the producer code under test is unchanged.
 */
function clusterThroughProxy(proxy: FaultProxy, connections: Map<number, ConnectionActor>): ProducerCluster {
  const real = shared.cluster.client;
  const produceConnection = (nodeId: number): ConnectionActor => {
    let actor = connections.get(nodeId);
    if (actor === undefined) {
      actor = createActor(connectionMachine, {
        input: {
          host: proxy.host,
          port: proxy.port,
          clientId: 'fault-test',
          connectTimeoutMs: 10_000,
          requestTimeoutMs: 20_000,
          maxInFlight: 5,
          backoff: { minMs: 20, maxMs: 200 },
        },
      });
      actor.subscribe({ error: () => undefined });
      actor.start();
      connections.set(nodeId, actor);
    }
    return actor;
  };
  return {
    get metadata() {
      return real.metadata;
    },
    request: (nodeId, lane, api, body, options) => (lane === Lane.produce ? request(produceConnection(nodeId), api, body, options) : real.request(nodeId, lane, api, body, options)),
    noteError: (error) => real.noteError(error),
    refreshMetadata: (timeoutMs) => real.refreshMetadata(timeoutMs),
  };
}

test.serial(`${RECORDS} records through a connection-cutting proxy arrive exactly once and in order per partition`, async (t) => {
  t.timeout(600_000);
  if (shared.cluster.client.metadata.brokers.size !== 1) {
    t.pass('the proxy fronts one broker; this run has several');
    return;
  }
  const [broker] = [...shared.cluster.client.metadata.brokers.values()];
  const topic = await readyTopic(shared.cluster.client, 'producer-faults', PARTITIONS);
  // Cut after ~16 KiB of requests on each connection: dozens of cuts over the run.
  const proxy = await startFaultProxy({ upstreamHost: broker!.host, upstreamPort: broker!.port, dropAfterBytes: 16 * 1024, dropDelayMs: 5 });
  const connections = new Map<number, ConnectionActor>();
  const faulty = clusterThroughProxy(proxy, connections);
  const actor = createActor(producerMachine, {
    input: {
      settings: { ...DEFAULT_SETTINGS, idempotent: process.env.PRODUCER_FAULT_NO_IDEMPOTENCE === undefined, requestTimeoutMs: 15_000, retryBackoffMs: 20, batchBytes: 8192, lingerMs: 2 },
      cluster: () => faulty,
      backoff: { minMs: 50, maxMs: 500 },
      initTimeoutMs: 30_000,
    },
  });
  actor.subscribe({ error: () => undefined });
  actor.start();
  t.teardown(async () => {
    actor.stop();
    for (const c of connections.values()) c.stop();
    await proxy.close();
  });
  await eventually('the producer to be ready', async () => (actor.getSnapshot().matches('ready') ? true : undefined));
  const producer = actor.getSnapshot().context.producer;

  const started = Date.now();
  let next = 0;
  let failures = 0;
  const worker = async (): Promise<void> => {
    while (next < RECORDS) {
      const from = next;
      const count = Math.min(CALL_SIZE, RECORDS - from);
      next += count;
      const records: OutgoingRecord[] = [];
      for (let i = from; i < from + count; i++) {
        // The partition is explicit so the check below knows each partition's expected order.
        records.push({ key: null, value: Buffer.from(String(i)), headers: [], timestamp: started, partition: i % PARTITIONS });
      }
      const outcomes = await producer.send(topic, records);
      for (const o of outcomes) if (!o.ok) failures++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENT_CALLS }, worker));
  const elapsed = Date.now() - started;
  t.log(`${RECORDS} records in ${elapsed} ms with ${proxy.drops} connection cuts, ${actor.getSnapshot().context.bumps} epoch bumps`);
  t.is(failures, 0);
  t.true(proxy.drops >= 10, `only ${proxy.drops} cuts`);

  const read = await kcatRead(shared.brokers, topic, RECORDS);
  t.is(read.length, RECORDS, 'every record once: no loss, no duplicate');
  const perPartition = new Map<number, number[]>();
  for (const r of read) {
    let list = perPartition.get(r.partition);
    if (list === undefined) perPartition.set(r.partition, (list = []));
    list.push(Number(r.value!.toString()));
  }
  for (let p = 0; p < PARTITIONS; p++) {
    const values = perPartition.get(p) ?? [];
    const expected = Array.from({ length: Math.ceil((RECORDS - p) / PARTITIONS) }, (_, k) => p + k * PARTITIONS);
    // In order and exactly once: the partition holds exactly the values sent to it, in sending order.
    t.deepEqual(values, expected, `partition ${p}`);
  }
});
