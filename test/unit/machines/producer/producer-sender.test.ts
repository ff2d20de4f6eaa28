/**
 * The producer's sender against a fake cluster that answers Produce requests as told: retries
 * keep their sequence, a batch behind a retried one follows it without an epoch bump, a batch
 * that fails for good asks for one, InitProducerId sets the identity.
 */
import test from 'ava';
import { ClusterMetadata } from '../../../../machines/cluster/metadata.js';
import { ConnectionClosedError } from '../../../../machines/connection/errors.js';
import type { MetadataResponse } from '../../../../protocol/messages/metadata.js';
import { Producer, type ProducerSettings } from '../../../../machines/producer/producer.js';
import type { ProducerCluster } from '../../../../machines/producer/sender.js';
import { KafkaErrorCode } from '../../../../protocol/errors/kafka-error.js';
import type { ProduceRequest, ProduceResponse } from '../../../../protocol/messages/produce.js';
import { BatchLayout, CompressionCodec } from '../../../../protocol/records/record-types.js';

const TOPIC = 't';

function metadata(partitions: number): ClusterMetadata {
  const response = {
    brokers: [{ nodeId: 1, host: 'h', port: 1, rack: null }],
    clusterId: 'c',
    controllerId: 1,
    topics: [
      {
        errorCode: 0,
        name: TOPIC,
        isInternal: false,
        partitions: Array.from({ length: partitions }, (_, p) => ({ errorCode: 0, partitionIndex: p, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] })),
      },
    ],
  } as unknown as MetadataResponse;
  return ClusterMetadata.empty().merge(response, true);
}

interface SentBatch {
  readonly partition: number;
  readonly baseSequence: number;
  readonly producerEpoch: number;
  readonly count: number;
}

/** Answers each Produce request with `answer(batch)` per partition: an error code, or 0 (written). */
function fakeCluster(answer: (batch: SentBatch, attempt: number) => number) {
  const sent: SentBatch[] = [];
  let refreshes = 0;
  let nextOffset = 0n;
  const cluster: ProducerCluster & { anyBroker(): number; whenReady(): Promise<void> } = {
    metadata: metadata(2),
    anyBroker: () => 1,
    whenReady: () => Promise.resolve(),
    noteError: () => {
      refreshes++;
      return true;
    },
    refreshMetadata: () => Promise.resolve(cluster.metadata),
    request: (async (_node: number, _lane: string, api: { name: string }, body: unknown) => {
      if (api.name === 'InitProducerId') return { throttleTimeMs: 0, errorCode: 0, producerId: 42n, producerEpoch: 3 };
      const req = body as ProduceRequest;
      const response: ProduceResponse = { responses: [], throttleTimeMs: 0 };
      for (const topic of req.topicData) {
        const partitionResponses = topic.partitionData.map((p) => {
          const records = p.records!;
          const batch: SentBatch = {
            partition: p.index,
            baseSequence: records.readInt32BE(BatchLayout.baseSequence),
            producerEpoch: records.readInt16BE(BatchLayout.producerEpoch),
            count: records.readInt32BE(BatchLayout.recordsCount),
          };
          const attempt = sent.filter((s) => s.partition === batch.partition && s.baseSequence === batch.baseSequence).length;
          sent.push(batch);
          const errorCode = answer(batch, attempt);
          const baseOffset = errorCode === 0 ? nextOffset : -1n;
          if (errorCode === 0) nextOffset += BigInt(batch.count);
          return { index: p.index, errorCode, baseOffset, logAppendTimeMs: -1n };
        });
        response.responses.push({ name: topic.name, partitionResponses });
      }
      return response;
    }) as ProducerCluster['request'],
  };
  return { cluster, sent, refreshes: () => refreshes };
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
  requestTimeoutMs: 1000,
  retryBackoffMs: 1,
};

function records(n: number, partition: number) {
  return Array.from({ length: n }, (_, i) => ({ key: null, value: Buffer.from(`v${i}`), headers: [], timestamp: 1, partition }));
}

test('InitProducerId sets the identity; batches carry it with sequences from 0 that grow by record count', async (t) => {
  const fake = fakeCluster(() => 0);
  const producer = new Producer(settings, () => fake.cluster);
  await producer.initialize(1000);
  producer.resume();
  const first = await producer.send(TOPIC, records(3, 0));
  const second = await producer.send(TOPIC, records(2, 0));
  t.true([...first, ...second].every((o) => o.ok));
  t.deepEqual(
    fake.sent.map((s) => [s.partition, s.baseSequence, s.producerEpoch, s.count]),
    [
      [0, 0, 3, 3],
      [0, 3, 3, 2],
    ],
  );
});

test('a retriable error retries the batch with the same sequence and asks for fresh metadata', async (t) => {
  const fake = fakeCluster((_b, attempt) => (attempt === 0 ? KafkaErrorCode.NOT_LEADER_OR_FOLLOWER : 0));
  const producer = new Producer(settings, () => fake.cluster);
  await producer.initialize(1000);
  producer.resume();
  const outcomes = await producer.send(TOPIC, records(4, 1));
  t.true(outcomes.every((o) => o.ok));
  t.deepEqual(
    outcomes.map((o) => (o.ok ? o.offset : null)),
    [0n, 1n, 2n, 3n],
  );
  t.deepEqual(
    fake.sent.map((s) => s.baseSequence),
    [0, 0],
  );
  t.true(fake.refreshes() >= 1);
});

test('a batch that fails for good reports its Kafka error and asks for an epoch bump; after the bump sequences restart at 0', async (t) => {
  let bumps = 0;
  const fake = fakeCluster((b) => (b.producerEpoch === 3 && b.baseSequence === 0 ? KafkaErrorCode.MESSAGE_TOO_LARGE : 0));
  const producer = new Producer(settings, () => fake.cluster, { onBumpNeeded: () => bumps++ });
  await producer.initialize(1000);
  producer.resume();
  const failed = await producer.send(TOPIC, records(2, 0));
  t.false(failed[0]!.ok);
  if (!failed[0]!.ok) t.is((failed[0]!.error as { code?: string }).code, 'MESSAGE_TOO_LARGE');
  t.is(bumps, 1);
  await producer.bumpEpoch(1000);
  t.is(producer.idempotence!.producerEpoch, 4);
  producer.resume();
  const later = await producer.send(TOPIC, records(1, 0));
  t.true(later[0]!.ok);
  t.deepEqual(fake.sent.at(-1), { partition: 0, baseSequence: 0, producerEpoch: 4, count: 1 });
});

test('acks none resolves with unknown offsets (-1) for every record', async (t) => {
  const fake = fakeCluster(() => 0);
  const producer = new Producer({ ...settings, idempotent: false, acks: 'none' }, () => fake.cluster);
  producer.resume();
  // With acks=0 the connection resolves without a response; the fake answers anyway and the sender ignores it.
  const outcomes = await producer.send(TOPIC, records(3, 0));
  t.deepEqual(
    outcomes.map((o) => (o.ok ? o.offset : null)),
    [-1n, -1n, -1n],
  );
  t.is(fake.sent[0]!.baseSequence, -1);
});

test('answers that arrive together refill every free request slot at once, not one request per wake', async (t) => {
  // The broker holds every Produce request until the test answers it.
  const held: (() => void)[] = [];
  const fake = fakeCluster(() => 0);
  const answerNow = fake.cluster.request;
  fake.cluster.request = ((...args: Parameters<ProducerCluster['request']>) =>
    new Promise<unknown>((resolve, reject) => held.push(() => void (answerNow(...args) as Promise<unknown>).then(resolve, reject)))) as ProducerCluster['request'];
  const producer = new Producer({ ...settings, idempotent: false, batchBytes: 200 }, () => fake.cluster);
  producer.resume();
  // One record per batch: twelve batches for one partition, five of them in flight at a time.
  const value = Buffer.alloc(150, 1);
  const done = producer.send(TOPIC, Array.from({ length: 12 }, () => ({ key: null, value, headers: [], timestamp: 1, partition: 0 })));
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  };
  await settle();
  t.is(held.length, 5);
  // Five answers in one go: five new requests follow before any further answer.
  for (const answer of held.splice(0)) answer();
  await settle();
  t.is(held.length, 5);
  for (const answer of held.splice(0)) answer();
  await settle();
  t.is(held.length, 2);
  for (const answer of held.splice(0)) answer();
  const outcomes = await done;
  t.true(outcomes.every((o) => o.ok));
  t.is(fake.sent.length, 12);
});

test.serial("a broker's answer gives the request's batch memory back to the pool; a failed request's stays out of it", async (t) => {
  const { batchBuffers } = await import('../../../../protocol/records/buffer-pool.js');
  const seen: Buffer[] = [];
  let attempts = 0;
  const fake = fakeCluster(() => 0);
  const answer = fake.cluster.request;
  fake.cluster.request = (async (node: number, lane: string, api: { name: string }, body: unknown, options: unknown) => {
    if (api.name === 'Produce') {
      seen.push((body as ProduceRequest).topicData[0]!.partitionData[0]!.records!);
      // The first attempt is lost with its connection: the socket may still hold its bytes.
      if (attempts++ === 0) throw new ConnectionClosedError('Produce request lost: connection closed');
    }
    return (answer as (...args: unknown[]) => Promise<unknown>)(node, lane, api, body, options);
  }) as ProducerCluster['request'];
  const producer = new Producer({ ...settings, idempotent: false }, () => fake.cluster);
  producer.resume();
  const big = Array.from({ length: 10 }, () => ({ key: null, value: Buffer.alloc(1000, 1), headers: [], timestamp: 1, partition: 0 }));
  const outcomes = await producer.send(TOPIC, big);
  t.true(outcomes.every((o) => o.ok));
  t.is(seen.length, 2);
  const [lost, answered] = seen as [Buffer, Buffer];
  t.is(lost.buffer.byteLength, 16_384);
  t.not(lost.buffer, answered.buffer);
  const next = batchBuffers.take(lost.length);
  t.is(next.buffer, answered.buffer, 'the answered batch is the next one taken');
  t.not(batchBuffers.take(lost.length).buffer, lost.buffer, 'the lost one is never handed out again');
});
