/**
 * The sidecar benchmark's candidates. Each does the same two things with 100-byte values,
 * acks=all, to the fixture's one-partition topic:
 * - batched: `records` records in calls of BATCH records, WINDOW calls outstanding, timed from
 *   the first call to the last answer; the topic must grow by exactly that many records;
 * - latency: `latencyCalls` single-record calls, each awaited before the next; p50 and p99.
 * The daemon runs its default producer settings (idempotent, linger 5 ms, 256 KiB batches); the
 * in-process producer gets exactly those, KafkaJS runs without idempotence (cheaper for it).
 */
import { createRequire } from 'node:module';
import { createActor, waitFor } from 'xstate';
import { connect, type SidecarClient } from '../../client/index.js';
import { loadConfig } from '../../config/load.js';
import { producerOptionsFrom } from '../../daemon/producer-options.js';
import { ClusterClient } from '../../machines/cluster/cluster-client.js';
import { clusterMachine } from '../../machines/cluster/cluster-machine.js';
import { producerMachine } from '../../machines/producer/producer-machine.js';
import type { RunContext } from '../lib/scenario.js';
import { checkGrowth, endOffset, sendInChunks } from '../producer/cases.js';
import type { SidecarSetup } from './daemon.js';

export const VALUE_BYTES = 100;
/** Records per batched call: the size the socket figure is quoted for. */
export const BATCH = 500;
/** Batched calls outstanding at once. */
export const WINDOW = 8;
const TIMEOUT_MS = 60_000;

const value = (i: number): string => `${String(i).padStart(10, '0')}:${'x'.repeat(VALUE_BYTES - 11)}`;

/** One way of producing: a batched call and a single-record call, both resolving once acknowledged. */
interface Producing {
  batch(values: readonly string[]): Promise<void>;
  one(value: string): Promise<void>;
  close(): Promise<void>;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(setup: SidecarSetup, producing: Producing): Promise<Record<string, number>> {
  try {
    // A few warm-up calls: connections, JIT, the first batch's metadata lookups.
    for (let i = 0; i < 20; i++) await producing.one(value(i));
    const before = endOffset(setup.brokers, setup.topic);
    const started = performance.now();
    await sendInChunks(
      setup.records,
      BATCH,
      WINDOW,
      (first, count) => Array.from({ length: count }, (_, i) => value(first + i)),
      (values) => producing.batch(values),
    );
    const seconds = (performance.now() - started) / 1000;
    checkGrowth('candidate', { id: 'batched', records: setup.records }, before, endOffset(setup.brokers, setup.topic));
    const latencies: number[] = [];
    for (let i = 0; i < setup.latencyCalls; i++) {
      const t0 = performance.now();
      await producing.one(value(i));
      latencies.push(performance.now() - t0);
    }
    latencies.sort((a, b) => a - b);
    return { records_per_second: setup.records / seconds, p50_latency: percentile(latencies, 50), p99_latency: percentile(latencies, 99) };
  } finally {
    await producing.close();
  }
}

function throughClient(client: SidecarClient, topic: string): Producing {
  const check = (reply: { results: readonly unknown[] }): void => {
    for (const r of reply.results) if (typeof r === 'object' && r !== null && 'error' in r) throw new Error(`produce failed: ${JSON.stringify(r)}`);
  };
  return {
    batch: async (values) => check(await client.produce(topic, values.map((v) => ({ value: v })))),
    one: async (v) => check(await client.produce(topic, [{ value: v }])),
    close: () => client.close(),
  };
}

export async function runSocket(ctx: RunContext): Promise<Record<string, number>> {
  const setup = ctx.setup as unknown as SidecarSetup;
  const client = await connect({ socketPath: setup.socketPath, reconnect: false, timeoutMs: TIMEOUT_MS });
  return measure(setup, throughClient(client, setup.topic));
}

export async function runNats(ctx: RunContext): Promise<Record<string, number>> {
  const setup = ctx.setup as unknown as SidecarSetup;
  const client = await connect({ nats: { servers: setup.natsUrl, prefix: setup.natsPrefix }, timeoutMs: TIMEOUT_MS });
  return measure(setup, throughClient(client, setup.topic));
}

/** This project's producer actor in the candidate's own process, with the daemon's defaults. */
export async function runInProcess(ctx: RunContext): Promise<Record<string, number>> {
  const setup = ctx.setup as unknown as SidecarSetup;
  const backoff = { minMs: 100, maxMs: 2000 };
  const cluster = createActor(clusterMachine, {
    input: {
      bootstrap: setup.brokers.split(','),
      connection: { clientId: 'bench-sidecar-inprocess', connectTimeoutMs: 10_000, requestTimeoutMs: 30_000, maxInFlight: 5, backoff },
      metadataRefreshMs: 60_000,
      brokerRestarts: { maxRestarts: 5, windowMs: 60_000, backoff },
    },
  });
  cluster.subscribe({ error: () => undefined });
  cluster.start();
  const client = new ClusterClient(cluster);
  await client.whenReady(TIMEOUT_MS);
  // Exactly the settings the daemon derives from its default configuration.
  const options = producerOptionsFrom(loadConfig({ env: {} }).config);
  const actor = createActor(producerMachine, { input: { ...options, cluster: () => client } });
  actor.subscribe({ error: () => undefined });
  actor.start();
  await waitFor(actor, (s) => s.matches('ready'), { timeout: TIMEOUT_MS });
  const producer = actor.getSnapshot().context.producer;
  const send = async (values: readonly string[]): Promise<void> => {
    const now = Date.now();
    const outcomes = await producer.send(setup.topic, values.map((v) => ({ key: null, value: Buffer.from(v), headers: [], timestamp: now })), 'all');
    for (const o of outcomes) if (!o.ok) throw o.error;
  };
  return measure(setup, {
    batch: send,
    one: (v) => send([v]),
    close: async () => {
      actor.send({ type: 'producer.close' });
      actor.stop();
      cluster.send({ type: 'cluster.stop' });
      cluster.stop();
    },
  });
}

interface KafkaJsModule {
  Kafka: new (config: object) => {
    producer(config: object): {
      connect(): Promise<void>;
      send(r: { topic: string; acks: number; messages: { value: string }[] }): Promise<unknown>;
      disconnect(): Promise<void>;
    };
  };
  logLevel: { NOTHING: number };
}

export async function runKafkaJs(ctx: RunContext): Promise<Record<string, number>> {
  const setup = ctx.setup as unknown as SidecarSetup;
  const { Kafka, logLevel } = createRequire(import.meta.url)('kafkajs') as KafkaJsModule;
  const kafka = new Kafka({ clientId: 'bench-sidecar-kafkajs', brokers: setup.brokers.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: false, maxInFlightRequests: 5 });
  await producer.connect();
  const send = async (values: readonly string[]): Promise<void> => {
    await producer.send({ topic: setup.topic, acks: -1, messages: values.map((v) => ({ value: v })) });
  };
  return measure(setup, { batch: send, one: (v) => send([v]), close: () => producer.disconnect() });
}
