// Helpers of the IPC transaction tests: a daemon whose groups read committed records only, and
// kcat as the independent reader of what the transactions left in a topic.
import type { ExecutionContext } from 'ava';
import { SidecarError, type SidecarClient } from '../../../client/index.js';
import { kcatOk } from '../../helpers/kcat.js';
import { startConsumeDaemon, type ConsumeFixture } from './consume-fixture.js';

/** Consumers of the daemon read committed records only; transactional producers idle out fast enough to be seen doing so. */
export const TXN_ENV: Record<string, string> = {
  KAFKA_SIDECAR_CONSUMER_ISOLATION_LEVEL: 'read_committed',
  KAFKA_SIDECAR_PRODUCER_TRANSACTIONS_IDLE_MS: '3000',
};

export function startTxnDaemon(t: ExecutionContext, env: Record<string, string> = {}): Promise<ConsumeFixture> {
  return startConsumeDaemon(t, { ...TXN_ENV, ...env });
}

/** Every value in `topic` as kcat (librdkafka) reads it, read_committed or not, sorted. */
export async function kcatValues(brokers: string, topic: string, isolation: 'read_committed' | 'read_uncommitted'): Promise<string[]> {
  const out = await kcatOk(['-b', brokers, '-X', `isolation.level=${isolation}`, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%s\n']);
  return out
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .sort();
}

/** Produces `values` in a transaction; throws when a record failed. */
export async function produceIn(client: SidecarClient, transaction: string, topic: string, values: readonly string[], partition = 0): Promise<void> {
  const { results } = await client.produce(
    topic,
    values.map((value) => ({ value, partition })),
    { transaction },
  );
  if (!results.every((r) => 'offset' in r)) throw new Error(`transactional produce failed: ${JSON.stringify(results)}`);
}

/** The SidecarError `call` rejects with (fails the test when it resolves). */
export async function rejection(t: ExecutionContext, call: Promise<unknown>): Promise<SidecarError> {
  const error = await t.throwsAsync(call);
  if (!(error instanceof SidecarError)) throw new Error(`expected a SidecarError, got ${String(error)}`);
  return error;
}
