/**
 * A real cluster actor over the run's brokers, for tests of the admin operations and methods,
 * and the kcat and polling helpers they share. Timeouts are generous: other engineers' brokers
 * and tests load the same machine.
 */
import type { TestFn } from 'ava';
import { spawn } from 'node:child_process';
import { createActor } from 'xstate';
import { ClusterClient } from '../../../../machines/cluster/cluster-client.js';
import { clusterMachine } from '../../../../machines/cluster/cluster-machine.js';
import { kafkaEnv } from '../../../helpers/kafka.js';
import { kcatOk } from '../../../helpers/kcat.js';

export const CALL_TIMEOUT_MS = 60_000;

export interface TestCluster {
  readonly client: ClusterClient;
  stop(): void;
}

export async function startCluster(brokers: readonly string[]): Promise<TestCluster> {
  const backoff = { minMs: 100, maxMs: 2000 };
  const actor = createActor(clusterMachine, {
    systemId: 'cluster',
    input: {
      bootstrap: brokers,
      connection: { clientId: 'admin-test', connectTimeoutMs: 30_000, requestTimeoutMs: 40_000, maxInFlight: 5, backoff },
      metadataRefreshMs: 60_000,
      brokerRestarts: { maxRestarts: 5, windowMs: 60_000, backoff },
    },
  });
  actor.subscribe({ error: () => undefined });
  actor.start();
  const client = new ClusterClient(actor);
  await client.whenReady(CALL_TIMEOUT_MS);
  return {
    client,
    stop: () => {
      actor.send({ type: 'cluster.stop' });
      actor.stop();
    },
  };
}

/** One cluster actor on the run's brokers for all tests of a file: started before them, stopped after. */
export function clusterPerFile(test: TestFn): { readonly cluster: TestCluster; readonly brokers: string } {
  const shared = {} as { cluster: TestCluster; brokers: string };
  test.before(async () => {
    const env = await kafkaEnv();
    shared.brokers = env.brokers.join(',');
    shared.cluster = await startCluster(env.brokers);
  });
  test.after.always(() => shared.cluster?.stop());
  return shared;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Calls `probe` until it returns a value other than undefined, or fails naming `what` after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = CALL_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (let delay = 50; ; delay = Math.min(1000, delay * 2)) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() + delay > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, delay));
  }
}

interface KcatTopic {
  readonly topic: string;
  readonly partitions?: ReadonlyArray<{ partition: number }>;
  readonly err?: string;
}

/** The topic as kcat (librdkafka) sees it in a Metadata answer, or undefined when it does not exist. */
export async function kcatTopic(brokers: string, topic: string): Promise<{ partitions: number } | undefined> {
  const out = await kcatOk(['-b', brokers, '-L', '-J']);
  const metadata = JSON.parse(out.toString('utf8')) as { topics: KcatTopic[] };
  const found = metadata.topics.find((t) => t.topic === topic);
  return found && !found.err ? { partitions: found.partitions?.length ?? 0 } : undefined;
}

/** Produces one record per line of `values` to one partition, with kcat. */
export async function kcatProduce(brokers: string, topic: string, partition: number, values: readonly string[]): Promise<void> {
  await kcatOk(['-b', brokers, '-P', '-t', topic, '-p', String(partition)], `${values.join('\n')}\n`);
}

export interface KcatConsumer {
  /** SIGINT, so kcat commits and leaves the group, then waits for it to exit. */
  stop(): Promise<void>;
  /** SIGKILL, for teardown after a failed test; nothing if already stopped. */
  kill(): void;
}

/**
 * A kcat balanced consumer (librdkafka, classic "consumer" protocol) of `topic` in `group`,
 * from the earliest offset, committing every 100 ms. It runs until stopped.
 */
export function startKcatConsumer(brokers: string, group: string, topic: string, clientId: string): KcatConsumer {
  const child = spawn(
    'kcat',
    ['-b', brokers, '-G', group, '-q', '-X', 'auto.offset.reset=earliest', '-X', 'auto.commit.interval.ms=100', '-X', `client.id=${clientId}`, topic],
    { stdio: ['ignore', 'ignore', 'ignore'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let running = true;
  return {
    stop: async () => {
      if (running) child.kill('SIGINT');
      running = false;
      await exited;
    },
    kill: () => {
      if (running) child.kill('SIGKILL');
      running = false;
    },
  };
}
