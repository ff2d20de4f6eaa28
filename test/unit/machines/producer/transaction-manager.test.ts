/**
 * The transactional producer against a fake cluster whose coordinator answers as scripted:
 * partitions are registered before their first batch, Produce carries the transactional id
 * and flag, EndTxn ends the transaction; coordinator moves and retriable answers are asked
 * again; fencing is fatal; abortable errors allow only an abort, which bumps the epoch when
 * the sequences broke.
 */
import test from 'ava';
import { ClusterMetadata } from '../../../../machines/cluster/metadata.js';
import { Producer, type ProducerSettings } from '../../../../machines/producer/producer.js';
import {
  ProducerFencedError,
  TransactionAbortableError,
  TransactionErrorCode,
  TransactionStateError,
  TxnErrorClass,
  classifyTxnError,
} from '../../../../machines/producer/transaction-errors.js';
import type { TransactionCluster } from '../../../../machines/producer/transaction-manager.js';
import { KafkaErrorCode } from '../../../../protocol/errors/kafka-error.js';
import type { MetadataResponse } from '../../../../protocol/messages/metadata.js';
import type { ProduceRequest, ProduceResponse } from '../../../../protocol/messages/produce.js';
import { BatchAttribute, BatchLayout, CompressionCodec } from '../../../../protocol/records/record-types.js';

const TOPIC = 't';

function metadata(): ClusterMetadata {
  const response = {
    brokers: [
      { nodeId: 1, host: 'h', port: 1, rack: null },
      { nodeId: 2, host: 'h', port: 2, rack: null },
    ],
    clusterId: 'c',
    controllerId: 1,
    topics: [
      {
        errorCode: 0,
        name: TOPIC,
        isInternal: false,
        partitions: [0, 1].map((p) => ({ errorCode: 0, partitionIndex: p, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] })),
      },
    ],
  } as unknown as MetadataResponse;
  return ClusterMetadata.empty().merge(response, true);
}

interface Call {
  readonly api: string;
  readonly nodeId: number;
  readonly body: Record<string, unknown>;
}

/**
 * A cluster whose coordinator is broker 2 and whose leader is broker 1. `script[api]` lists the
 * error codes of that API's successive answers (then 0).
 */
function fakeCluster(script: Partial<Record<string, number[]>> = {}) {
  const calls: Call[] = [];
  const moved: string[] = [];
  let epoch = 0;
  let nextOffset = 0n;
  const next = (api: string): number => script[api]?.shift() ?? 0;
  const cluster: TransactionCluster = {
    metadata: metadata(),
    noteError: () => true,
    refreshMetadata: () => Promise.resolve(cluster.metadata),
    findCoordinator: (keyType, key) => Promise.resolve({ key: `${keyType}:${key}`, nodeId: 2, host: 'h', port: 2 }),
    coordinatorMoved: (keyType, key) => void moved.push(`${keyType}:${key}`),
    request: (async (nodeId: number, _lane: string, api: { name: string }, body: Record<string, unknown>) => {
      calls.push({ api: api.name, nodeId, body });
      switch (api.name) {
        case 'InitProducerId': {
          const errorCode = next(api.name);
          return { throttleTimeMs: 0, errorCode, producerId: errorCode === 0 ? 7n : -1n, producerEpoch: errorCode === 0 ? epoch++ : -1 };
        }
        case 'AddPartitionsToTxn': {
          const errorCode = next(api.name);
          const topics = body.v3AndBelowTopics as { name: string; partitions: number[] }[];
          return { throttleTimeMs: 0, resultsByTopicV3AndBelow: topics.map((t) => ({ name: t.name, resultsByPartition: t.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: errorCode })) })) };
        }
        case 'AddOffsetsToTxn':
        case 'EndTxn':
          return { throttleTimeMs: 0, errorCode: next(api.name) };
        case 'TxnOffsetCommit': {
          const errorCode = next(api.name);
          const topics = body.topics as { name: string; partitions: { partitionIndex: number }[] }[];
          return { throttleTimeMs: 0, topics: topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })) };
        }
        case 'Produce': {
          const req = body as unknown as ProduceRequest;
          const response: ProduceResponse = { responses: [], throttleTimeMs: 0 };
          for (const topic of req.topicData) {
            const partitionResponses = topic.partitionData.map((p) => {
              const errorCode = next(api.name);
              const count = p.records!.readInt32BE(BatchLayout.recordsCount);
              const baseOffset = errorCode === 0 ? nextOffset : -1n;
              if (errorCode === 0) nextOffset += BigInt(count);
              return { index: p.index, errorCode, baseOffset, logAppendTimeMs: -1n };
            });
            response.responses.push({ name: topic.name, partitionResponses });
          }
          return response;
        }
        default:
          throw new Error(`unexpected ${api.name}`);
      }
    }) as TransactionCluster['request'],
  };
  return { cluster, calls, moved, apis: () => calls.map((c) => c.api) };
}

const settings: ProducerSettings = {
  acks: 'all',
  compression: CompressionCodec.none,
  idempotent: true,
  lingerMs: 0,
  batchBytes: 16_384,
  bufferBytes: 1 << 20,
  maxBlockMs: 1000,
  deliveryTimeoutMs: 10_000,
  maxInFlightPerBroker: 5,
  retries: 100,
  requestTimeoutMs: 2000,
  retryBackoffMs: 1,
  transactionalId: 'tx-1',
};

function records(n: number, partition: number) {
  return Array.from({ length: n }, (_, i) => ({ key: null, value: Buffer.from(`v${i}`), headers: [], timestamp: 1, partition }));
}

async function started(fake: ReturnType<typeof fakeCluster>, hooks: ConstructorParameters<typeof Producer>[2] = {}): Promise<Producer> {
  const producer = new Producer(settings, () => fake.cluster, hooks);
  await producer.initialize(2000);
  producer.resume();
  return producer;
}

test('a committed transaction: InitProducerId at the coordinator, AddPartitionsToTxn before the first batch, transactional Produce, EndTxn(commit)', async (t) => {
  const fake = fakeCluster();
  const producer = await started(fake);
  t.is(producer.transaction!.state, 'ready');
  const init = fake.calls[0]!;
  t.deepEqual([init.api, init.nodeId, init.body.transactionalId], ['InitProducerId', 2, 'tx-1']);
  producer.beginTransaction();
  const first = await producer.send(TOPIC, records(2, 0));
  const second = await producer.send(TOPIC, records(1, 0));
  const other = await producer.send(TOPIC, records(1, 1));
  t.true([...first, ...second, ...other].every((o) => o.ok));
  await producer.commitTransaction();
  t.is(producer.transaction!.state, 'ready');
  // One registration per partition per transaction, each before that partition's first batch.
  t.deepEqual(fake.apis(), ['InitProducerId', 'AddPartitionsToTxn', 'Produce', 'Produce', 'AddPartitionsToTxn', 'Produce', 'EndTxn']);
  const produce = fake.calls.find((c) => c.api === 'Produce')!;
  t.is(produce.nodeId, 1);
  t.is(produce.body.transactionalId, 'tx-1');
  const bytes = (produce.body as unknown as ProduceRequest).topicData[0]!.partitionData[0]!.records!;
  t.true((bytes.readInt16BE(BatchLayout.attributes) & BatchAttribute.transactional) !== 0);
  const end = fake.calls.at(-1)!;
  t.deepEqual([end.nodeId, end.body.committed, end.body.producerId, end.body.producerEpoch], [2, true, 7n, 0]);

  // The next transaction registers its partitions again.
  producer.beginTransaction();
  t.true((await producer.send(TOPIC, records(1, 0))).every((o) => o.ok));
  await producer.commitTransaction();
  t.deepEqual(fake.apis().slice(-3), ['AddPartitionsToTxn', 'Produce', 'EndTxn']);
});

test('calls out of order are refused with TransactionStateError; records outside a transaction fail with INVALID_TXN_STATE', async (t) => {
  const fake = fakeCluster();
  const producer = await started(fake);
  await t.throwsAsync(producer.commitTransaction(), { instanceOf: TransactionStateError });
  await t.throwsAsync(producer.abortTransaction(), { instanceOf: TransactionStateError });
  const [outside] = await producer.send(TOPIC, records(1, 0));
  t.is(!outside!.ok && (outside!.error as TransactionStateError).code, TransactionErrorCode.invalidState);
  producer.beginTransaction();
  t.throws(() => producer.beginTransaction(), { instanceOf: TransactionStateError });
  const [leaderOnly] = await producer.send(TOPIC, records(1, 0), 'leader');
  t.false(leaderOnly!.ok);
  t.false(fake.apis().includes('Produce'));
  // A transaction that sent nothing ends without asking the coordinator.
  await producer.commitTransaction();
  t.false(fake.apis().includes('EndTxn'));
  const plain = new Producer({ ...settings, transactionalId: null }, () => fake.cluster);
  t.throws(() => plain.beginTransaction(), { instanceOf: TransactionStateError });
});

test('a moved coordinator is found again and retriable answers are asked again', async (t) => {
  const fake = fakeCluster({
    InitProducerId: [KafkaErrorCode.COORDINATOR_LOAD_IN_PROGRESS],
    AddPartitionsToTxn: [KafkaErrorCode.NOT_COORDINATOR, KafkaErrorCode.CONCURRENT_TRANSACTIONS],
    EndTxn: [KafkaErrorCode.COORDINATOR_NOT_AVAILABLE],
  });
  const producer = await started(fake);
  producer.beginTransaction();
  t.true((await producer.send(TOPIC, records(1, 0))).every((o) => o.ok));
  await producer.commitTransaction();
  t.deepEqual(fake.apis(), ['InitProducerId', 'InitProducerId', 'AddPartitionsToTxn', 'AddPartitionsToTxn', 'AddPartitionsToTxn', 'Produce', 'EndTxn', 'EndTxn']);
  t.deepEqual(fake.moved, ['1:tx-1', '1:tx-1']);
  t.is(producer.transaction!.state, 'ready');
});

test('a fenced producer becomes fatal: commit rejects with ProducerFencedError and every later record fails with it', async (t) => {
  const fake = fakeCluster({ EndTxn: [KafkaErrorCode.PRODUCER_FENCED] });
  const fatal: Error[] = [];
  const producer = await started(fake, { onFatal: (error) => fatal.push(error) });
  producer.beginTransaction();
  t.true((await producer.send(TOPIC, records(1, 0))).every((o) => o.ok));
  const error = await t.throwsAsync(producer.commitTransaction(), { instanceOf: ProducerFencedError });
  t.is(error.kafkaName, 'PRODUCER_FENCED');
  t.is(producer.transaction!.state, 'fatal');
  t.is(fatal[0], error);
  const [after] = await producer.send(TOPIC, records(1, 0));
  t.is(!after!.ok && after!.error, error);
  t.throws(() => producer.beginTransaction(), { instanceOf: ProducerFencedError });
});

test('an abortable failure (topic not authorised) fails queued records; commit is refused; abort returns to ready', async (t) => {
  const fake = fakeCluster({ AddPartitionsToTxn: [KafkaErrorCode.TOPIC_AUTHORIZATION_FAILED] });
  const producer = await started(fake);
  producer.beginTransaction();
  const [refused] = await producer.send(TOPIC, records(1, 0));
  t.is(!refused!.ok && (refused!.error as TransactionAbortableError).code, TransactionErrorCode.abortable);
  t.is(producer.transaction!.state, 'abortableError');
  const [later] = await producer.send(TOPIC, records(1, 1));
  t.true(!later!.ok && later!.error instanceof TransactionAbortableError);
  await t.throwsAsync(producer.commitTransaction(), { instanceOf: TransactionAbortableError });
  await producer.abortTransaction();
  t.is(producer.transaction!.state, 'ready');
  // Nothing reached the coordinator's transaction, so there was nothing to end there.
  t.deepEqual(fake.apis(), ['InitProducerId', 'AddPartitionsToTxn']);
  producer.beginTransaction();
  t.true((await producer.send(TOPIC, records(1, 0))).every((o) => o.ok));
  await producer.commitTransaction();
});

test('a failed batch dooms the transaction; the abort ends it at the coordinator and takes a new epoch when the sequences broke', async (t) => {
  const fake = fakeCluster({ Produce: [KafkaErrorCode.MESSAGE_TOO_LARGE] });
  const producer = await started(fake);
  producer.beginTransaction();
  const [failed] = await producer.send(TOPIC, records(1, 0));
  t.is(!failed!.ok && (failed!.error as { code?: string }).code, 'MESSAGE_TOO_LARGE');
  t.is(producer.transaction!.state, 'abortableError');
  await t.throwsAsync(producer.commitTransaction(), { instanceOf: TransactionAbortableError });
  await producer.abortTransaction();
  const end = fake.calls.find((c) => c.api === 'EndTxn')!;
  t.false(end.body.committed);
  t.deepEqual(fake.apis().slice(-2), ['EndTxn', 'InitProducerId']);
  t.is(producer.idempotence!.producerEpoch, 1);
  producer.beginTransaction();
  t.true((await producer.send(TOPIC, records(1, 0))).every((o) => o.ok));
  await producer.commitTransaction();
});

test('sendOffsetsToTransaction: AddOffsetsToTxn at the transaction coordinator, TxnOffsetCommit at the group coordinator with the membership', async (t) => {
  const fake = fakeCluster({ TxnOffsetCommit: [KafkaErrorCode.COORDINATOR_LOAD_IN_PROGRESS] });
  const producer = await started(fake);
  await t.throwsAsync(producer.sendOffsetsToTransaction([{ topic: 'in', partition: 0, offset: 5n }], { groupId: 'g' }), { instanceOf: TransactionStateError });
  producer.beginTransaction();
  await producer.sendOffsetsToTransaction([{ topic: 'in', partition: 0, offset: 5n }, { topic: 'in', partition: 1, offset: 9n }], { groupId: 'g', generationId: 4, memberId: 'm' });
  await producer.commitTransaction();
  t.deepEqual(fake.apis(), ['InitProducerId', 'AddOffsetsToTxn', 'TxnOffsetCommit', 'TxnOffsetCommit', 'EndTxn']);
  const commit = fake.calls.find((c) => c.api === 'TxnOffsetCommit')!;
  t.like(commit.body, { transactionalId: 'tx-1', groupId: 'g', generationId: 4, memberId: 'm' });
  t.deepEqual(commit.body.topics, [
    {
      name: 'in',
      partitions: [
        { partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, committedMetadata: null },
        { partitionIndex: 1, committedOffset: 9n, committedLeaderEpoch: -1, committedMetadata: null },
      ],
    },
  ]);
});

test('a stale consumer generation in TxnOffsetCommit makes the transaction abortable', async (t) => {
  const fake = fakeCluster({ TxnOffsetCommit: [KafkaErrorCode.ILLEGAL_GENERATION] });
  const producer = await started(fake);
  producer.beginTransaction();
  await t.throwsAsync(producer.sendOffsetsToTransaction([{ topic: 'in', partition: 0, offset: 1n }], { groupId: 'g' }), { instanceOf: TransactionAbortableError });
  t.is(producer.transaction!.state, 'abortableError');
  await producer.abortTransaction();
  t.is(fake.calls.at(-1)!.api, 'EndTxn');
  t.false(fake.calls.at(-1)!.body.committed);
});

test('error classes of transactional answers', (t) => {
  t.is(classifyTxnError(0), TxnErrorClass.ok);
  t.is(classifyTxnError(KafkaErrorCode.NOT_COORDINATOR), TxnErrorClass.coordinator);
  t.is(classifyTxnError(KafkaErrorCode.COORDINATOR_NOT_AVAILABLE), TxnErrorClass.coordinator);
  t.is(classifyTxnError(KafkaErrorCode.CONCURRENT_TRANSACTIONS), TxnErrorClass.retry);
  t.is(classifyTxnError(KafkaErrorCode.COORDINATOR_LOAD_IN_PROGRESS), TxnErrorClass.retry);
  for (const code of [KafkaErrorCode.PRODUCER_FENCED, KafkaErrorCode.INVALID_PRODUCER_EPOCH, KafkaErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED]) {
    t.is(classifyTxnError(code), TxnErrorClass.fatal);
  }
  for (const code of [KafkaErrorCode.TOPIC_AUTHORIZATION_FAILED, KafkaErrorCode.GROUP_AUTHORIZATION_FAILED, KafkaErrorCode.ILLEGAL_GENERATION, KafkaErrorCode.UNKNOWN_MEMBER_ID]) {
    t.is(classifyTxnError(code), TxnErrorClass.abortable);
  }
});

for (const code of [KafkaErrorCode.PRODUCER_FENCED, KafkaErrorCode.INVALID_PRODUCER_EPOCH]) {
  test(`Produce answered ${code === KafkaErrorCode.PRODUCER_FENCED ? 'PRODUCER_FENCED' : 'INVALID_PRODUCER_EPOCH'} fences the producer instead of bumping its epoch`, async (t) => {
    const fake = fakeCluster({ Produce: [code] });
    const fatal: Error[] = [];
    const producer = await started(fake, { onFatal: (error) => fatal.push(error) });
    producer.beginTransaction();
    const [outcome] = await producer.send(TOPIC, records(1, 0));
    t.false(outcome!.ok);
    t.is(producer.transaction!.state, 'fatal');
    t.true(fatal[0] instanceof ProducerFencedError);
    await t.throwsAsync(producer.abortTransaction(), { instanceOf: ProducerFencedError });
    t.is(fake.apis().filter((a) => a === 'InitProducerId').length, 1);
  });
}
