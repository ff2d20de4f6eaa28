/**
 * Transactions against the run's real brokers: committed records are visible to read_committed
 * readers (our fetcher and kcat) and aborted ones are not; a second producer with the same
 * transactional id fences the first; offsets sent to a transaction commit with its records.
 */
import test from 'ava';
import { atCoordinator } from '../../../../machines/admin/coordinator.js';
import { Deadline } from '../../../../machines/admin/deadline.js';
import { fetchCommittedOffsets } from '../../../../machines/admin/group-offsets.js';
import { IsolationLevel } from '../../../../machines/fetcher/types.js';
import type { OutgoingRecord, Producer } from '../../../../machines/producer/producer.js';
import { TRANSACTION_CHILD_ID } from '../../../../machines/producer/producer-machine.js';
import { ProducerFencedError, TransactionErrorCode } from '../../../../machines/producer/transaction-errors.js';
import { CALL_TIMEOUT_MS, clusterPerFile, eventually, uniqueName } from '../admin/cluster-fixture.js';
import { collect, sleep, text } from '../fetcher/fetch-fixture.js';
import { kcatRead, readyTopic, startProducer } from './producer-fixture.js';

const shared = clusterPerFile(test);

async function readyProducer(actor: ReturnType<typeof startProducer>): Promise<Producer> {
  await eventually('the producer to be ready', async () => (actor.getSnapshot().matches('ready') ? true : undefined));
  return actor.getSnapshot().context.producer;
}

function records(values: readonly string[], partition?: number): OutgoingRecord[] {
  return values.map((value) => ({ key: Buffer.from('k'), value: Buffer.from(value), headers: [], timestamp: Date.now(), ...(partition === undefined ? {} : { partition }) }));
}

async function sendOk(producer: Producer, topic: string, values: readonly string[], partition?: number): Promise<void> {
  const outcomes = await producer.send(topic, records(values, partition));
  for (const o of outcomes) if (!o.ok) throw o.error;
}

test('committed transactions are visible to read_committed readers, aborted ones are not', async (t) => {
  const { cluster, brokers } = shared;
  const topic = await readyTopic(cluster.client, 'txn-commit', 2);
  const actor = startProducer(cluster.client, { transactionalId: uniqueName('txn-a') });
  try {
    const producer = await readyProducer(actor);
    producer.beginTransaction();
    await sendOk(producer, topic, ['c1', 'c2'], 0);
    await sendOk(producer, topic, ['c3'], 1);
    await producer.commitTransaction();
    t.is(producer.transaction!.state, 'ready');
    // The life cycle is the producer actor's child, the same actor the manager drives.
    const child = actor.getSnapshot().children[TRANSACTION_CHILD_ID];
    t.true((child as unknown) === producer.transaction!.lifecycle);
    t.is((child?.getSnapshot() as { value?: unknown } | undefined)?.value, 'ready');

    producer.beginTransaction();
    // Appended and not awaited: the abort fails what is still queued, the rest is aborted at the broker.
    const pendingAborted = producer.send(topic, records(['a1', 'a2'], 0));
    await sendOk(producer, topic, ['a3'], 1);
    await producer.abortTransaction();
    for (const o of await pendingAborted) if (!o.ok) t.is((o.error as { code?: string }).code, TransactionErrorCode.aborted);

    producer.beginTransaction();
    await sendOk(producer, topic, ['c4'], 0);
    await producer.commitTransaction();

    // Outside a transaction records are refused with a typed error.
    const [outside] = await producer.send(topic, records(['x'], 0));
    t.false(outside!.ok);
    t.is(!outside!.ok && (outside!.error as { code?: string }).code, TransactionErrorCode.invalidState);

    const committed = ['c1', 'c2', 'c4'];
    const reader = collect(cluster.client, { isolationLevel: IsolationLevel.readCommitted });
    try {
      reader.fetcher.assign([
        { topic, partition: 0, position: 'earliest' },
        { topic, partition: 1, position: 'earliest' },
      ]);
      await reader.waitFor(undefined, committed.length + 1);
      await sleep(500);
      t.deepEqual((reader.records.get(0) ?? []).map((r) => text(r.value)), committed);
      t.deepEqual((reader.records.get(1) ?? []).map((r) => text(r.value)), ['c3']);
      t.deepEqual(reader.errors, []);
    } finally {
      await reader.fetcher.stop();
    }
    const byKcat = await kcatRead(brokers, topic, 4, ['-X', 'isolation.level=read_committed']);
    t.deepEqual(byKcat.map((r) => `${r.partition}:${r.value?.toString()}`).sort(), ['0:c1', '0:c2', '0:c4', '1:c3']);
  } finally {
    actor.stop();
  }
});

test('a second producer with the same transactional id fences the first', async (t) => {
  const { cluster } = shared;
  const topic = await readyTopic(cluster.client, 'txn-fence', 2);
  const transactionalId = uniqueName('txn-fence');
  const first = startProducer(cluster.client, { transactionalId });
  let second: ReturnType<typeof startProducer> | undefined;
  try {
    const old = await readyProducer(first);
    old.beginTransaction();
    await sendOk(old, topic, ['zombie'], 0);
    second = startProducer(cluster.client, { transactionalId });
    const fresh = await readyProducer(second);
    t.true(fresh.idempotence!.producerEpoch > old.idempotence!.producerEpoch || fresh.idempotence!.producerId !== old.idempotence!.producerId);

    // The zombie's next partition needs the coordinator, which knows the newer epoch.
    const [late] = await old.send(topic, records(['zombie-2'], 1));
    t.true(!late!.ok && late!.error instanceof ProducerFencedError, `got ${late!.ok ? 'a write' : String(late!.error)}`);
    const error = await t.throwsAsync(old.commitTransaction());
    t.true(error instanceof ProducerFencedError, `got ${String(error)}`);
    t.is((error as ProducerFencedError).code, TransactionErrorCode.fenced);
    t.is(old.transaction!.state, 'fatal');
    await eventually('the fenced producer machine to be fatal', async () => (first.getSnapshot().matches('fatal') ? true : undefined));

    fresh.beginTransaction();
    await sendOk(fresh, topic, ['fresh'], 0);
    await fresh.commitTransaction();
    const reader = collect(cluster.client, { isolationLevel: IsolationLevel.readCommitted });
    try {
      reader.fetcher.assign([
        { topic, partition: 0, position: 'earliest' },
        { topic, partition: 1, position: 'earliest' },
      ]);
      await reader.waitFor(0, 1);
      await sleep(500);
      t.deepEqual((reader.records.get(0) ?? []).map((r) => text(r.value)), ['fresh']);
      t.deepEqual(reader.records.get(1) ?? [], []);
    } finally {
      await reader.fetcher.stop();
    }
  } finally {
    first.stop();
    second?.stop();
  }
});

test('sendOffsetsToTransaction commits the group offsets with the records, and an abort drops them', async (t) => {
  const { cluster } = shared;
  const topic = await readyTopic(cluster.client, 'txn-offsets', 1);
  const source = await readyTopic(cluster.client, 'txn-source', 2);
  const group = uniqueName('txn-group');
  const actor = startProducer(cluster.client, { transactionalId: uniqueName('txn-o') });
  const committedOffsets = async (): Promise<string[]> => {
    const offsets = await atCoordinator(cluster.client, group, new Deadline(CALL_TIMEOUT_MS), (nodeId) => fetchCommittedOffsets(cluster.client, nodeId, group, new Deadline(CALL_TIMEOUT_MS)));
    return offsets.filter((o) => o.topic === source).map((o) => `${o.partition}:${o.offset}`).sort();
  };
  try {
    const producer = await readyProducer(actor);
    producer.beginTransaction();
    await sendOk(producer, topic, ['out-1'], 0);
    await producer.sendOffsetsToTransaction(
      [
        { topic: source, partition: 0, offset: 7n },
        { topic: source, partition: 1, offset: 3n },
      ],
      { groupId: group },
    );
    await producer.abortTransaction();
    t.deepEqual(await committedOffsets(), []);

    producer.beginTransaction();
    await sendOk(producer, topic, ['out-2'], 0);
    await producer.sendOffsetsToTransaction([{ topic: source, partition: 0, offset: 42n }, { topic: source, partition: 1, offset: 5n }], { groupId: group });
    await producer.commitTransaction();
    await eventually('the transactional offsets to be visible', async () => ((await committedOffsets()).length === 2 ? true : undefined));
    t.deepEqual(await committedOffsets(), ['0:42', '1:5']);
  } finally {
    actor.stop();
  }
});
