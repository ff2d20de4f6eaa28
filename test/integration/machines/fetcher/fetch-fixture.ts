/**
 * Helpers of the fetcher's integration tests: a consumer that collects what a fetcher hands
 * on and lets a test wait for a number of records, and kcat producing with a chosen codec.
 */
import { spawn } from 'node:child_process';
import { createTopics } from '../../../../machines/admin/create-topics.js';
import { listOffsets } from '../../../../machines/admin/list-offsets.js';
import type { ClusterClient } from '../../../../machines/cluster/cluster-client.js';
import { createFetcher, type Fetcher } from '../../../../machines/fetcher/fetcher-machine.js';
import type { FetchedBatch, FetcherOptions } from '../../../../machines/fetcher/types.js';
import type { KafkaRecord } from '../../../../protocol/records/index.js';
import { CALL_TIMEOUT_MS, eventually, uniqueName } from '../admin/cluster-fixture.js';

export interface Collected {
  readonly fetcher: Fetcher;
  readonly records: Map<number, KafkaRecord[]>;
  readonly batches: FetchedBatch[];
  readonly errors: Error[];
  /** Whether batches are released as soon as they arrive (true unless asked otherwise). */
  autoRelease: boolean;
  count(partition?: number): number;
  waitFor(partition: number | undefined, count: number, timeoutMs?: number): Promise<void>;
  waitForError(timeoutMs?: number): Promise<Error>;
}

export function collect(cluster: ClusterClient, options: Partial<FetcherOptions> = {}, autoRelease = true): Collected {
  const records = new Map<number, KafkaRecord[]>();
  const batches: FetchedBatch[] = [];
  const errors: Error[] = [];
  const collected: Collected = {
    fetcher: createFetcher({
      cluster,
      options: { maxWaitMs: 200, ...options },
      consumer: {
        onBatch: (batch) => {
          batches.push(batch);
          const list = records.get(batch.partition) ?? [];
          list.push(...batch.records);
          records.set(batch.partition, list);
          if (collected.autoRelease) batch.release();
        },
        onError: (error) => errors.push(error),
      },
    }),
    records,
    batches,
    errors,
    autoRelease,
    count: (partition) => (partition === undefined ? [...records.values()].reduce((n, l) => n + l.length, 0) : (records.get(partition)?.length ?? 0)),
    waitFor: (partition, count, timeoutMs = CALL_TIMEOUT_MS) =>
      eventually(`${count} records${partition === undefined ? '' : ` of partition ${partition}`} (have ${collected.count(partition)})`, async () => (collected.count(partition) >= count ? true : undefined), timeoutMs).then(() => undefined),
    waitForError: (timeoutMs = CALL_TIMEOUT_MS) => eventually('an error from the fetcher', async () => errors[0], timeoutMs),
  };
  return collected;
}

export async function readyTopic(cluster: ClusterClient, prefix: string, partitions: number): Promise<string> {
  const topic = uniqueName(prefix);
  const [result] = await createTopics(cluster, [{ name: topic, partitions }], { timeoutMs: CALL_TIMEOUT_MS });
  if (result.error) throw result.error;
  await eventually(`${topic} to have leaders`, async () => ((await listOffsets(cluster, topic, 'latest', { timeoutMs: CALL_TIMEOUT_MS })).length === partitions ? true : undefined));
  return topic;
}

/** kcat -P with a codec, keys split at the first ':' and null values for empty ones (-Z), and headers on every record. */
export function kcatProduce(brokers: string, topic: string, partition: number, codec: string, lines: readonly string[], headers: readonly string[] = []): Promise<void> {
  return new Promise((resolve, reject) => {
    const args = ['-P', '-b', brokers, '-t', topic, '-p', String(partition), '-z', codec, '-K', ':', '-Z', ...headers.flatMap((h) => ['-H', h])];
    const child = spawn('kcat', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kcat -P exited ${code}: ${stderr}`))));
    // A child that dies early reports through its exit code; its stdin's EPIPE must not crash the file.
    child.stdin.on('error', () => undefined);
    child.stdin.end(lines.join('\n') + '\n');
  });
}

export function text(buffer: Buffer | null): string | null {
  return buffer === null ? null : buffer.toString('utf8');
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
