// A real daemon process over a real broker for the consume tests, and small helpers around it.
import type { ExecutionContext } from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type SidecarClient } from '../../../client/index.js';
import { startDaemon, type DaemonProcess } from '../../helpers/daemon-process.js';
import { kafkaEnv } from '../../helpers/kafka.js';

/** Settings that make groups settle and commit fast enough for tests. */
export const FAST_GROUP_ENV: Record<string, string> = {
  KAFKA_SIDECAR_CONSUMER_SESSION_TIMEOUT_MS: '10000',
  KAFKA_SIDECAR_CONSUMER_HEARTBEAT_INTERVAL_MS: '500',
  KAFKA_SIDECAR_CONSUMER_REBALANCE_TIMEOUT_MS: '20000',
  KAFKA_SIDECAR_CONSUMER_AUTO_COMMIT_INTERVAL_MS: '300',
  KAFKA_SIDECAR_CONSUMER_AUTO_OFFSET_RESET: 'earliest',
  KAFKA_SIDECAR_SHUTDOWN_TIMEOUT_MS: '20000',
  KAFKA_SIDECAR_CONNECTION_METADATA_REFRESH_MS: '2000',
};

export interface ConsumeFixture {
  readonly daemon: DaemonProcess;
  readonly brokers: string;
  client(name?: string): Promise<SidecarClient>;
}

export async function startConsumeDaemon(t: ExecutionContext, env: Record<string, string> = {}): Promise<ConsumeFixture> {
  const kafka = await kafkaEnv();
  const brokers = kafka.brokers.join(',');
  const daemon = await startDaemon({ KAFKA_SIDECAR_KAFKA_BROKERS: brokers, ...FAST_GROUP_ENV, ...env });
  t.teardown(() => void daemon.stop('SIGKILL'));
  const clients: SidecarClient[] = [];
  t.teardown(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
  });
  return {
    daemon,
    brokers,
    client: async (name = 'consume-test') => {
      const c = await connect({ socketPath: daemon.socketPath, client: name, reconnect: false });
      clients.push(c);
      return c;
    },
  };
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export async function createTopic(client: SidecarClient, name: string, partitions: number): Promise<void> {
  await client.call('createTopics', { topics: [{ name, partitions, replicationFactor: 1 }] });
}

/** Polls `probe` until it returns something other than undefined. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

export interface CommittedOffsets {
  readonly state: string;
  readonly byPartition: Map<number, string | null>;
}

export async function committedOffsets(client: SidecarClient, group: string, topic: string): Promise<CommittedOffsets> {
  const d = await client.call<{ state: string; offsets: Array<{ topic: string; partition: number; committed: string | null }> }>('describeGroup', { group });
  return { state: d.state, byPartition: new Map(d.offsets.filter((o) => o.topic === topic).map((o) => [o.partition, o.committed])) };
}

export interface MessageNote {
  readonly subscription: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: unknown;
  readonly value: unknown;
  readonly attempt: number;
}

/** Message notifications of one client as they come, with a way to wait for the next ones. */
export class Inbox {
  readonly received: MessageNote[] = [];
  private waiters: Array<() => void> = [];

  constructor(client: SidecarClient) {
    client.on('notification', (n) => {
      if (n.method !== 'message') return;
      this.received.push(n.params as MessageNote);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Waits until `count` messages (in all) arrived; returns them all. */
  async until(count: number, timeoutMs = 30_000): Promise<MessageNote[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`only ${this.received.length} of ${count} messages arrived in ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.received;
  }

  /** What arrived within `ms` from now (for asserting that nothing more comes). */
  async settle(ms: number): Promise<MessageNote[]> {
    await sleep(ms);
    return this.received;
  }
}

export function refOf(m: MessageNote): { topic: string; partition: number; offset: string } {
  return { topic: m.topic, partition: m.partition, offset: m.offset };
}

export async function produceValues(client: SidecarClient, topic: string, messages: Array<{ key?: string; value: string; partition?: number }>): Promise<void> {
  const r = await client.produce(topic, messages);
  if (!r.results.every((x) => 'offset' in x)) throw new Error(`produce failed: ${JSON.stringify(r.results)}`);
}
