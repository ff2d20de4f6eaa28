/**
 * The fetcher machine over a real cluster actor and one in-process fake broker, for the
 * paths a real broker will not take on demand: session errors, leadership errors, offset
 * resets per policy, errors that stop a partition, corrupt data, old Fetch versions.
 */
import test from 'ava';
import { createFetcher, type Fetcher } from '../../../../machines/fetcher/fetcher-machine.js';
import { NoPositionError, OffsetOutOfRangeError, PartitionFetchError, UnassignedPartitionError } from '../../../../machines/fetcher/errors.js';
import type { FetchedBatch, FetcherOptions } from '../../../../machines/fetcher/types.js';
import type { FetchRequest, FetchResponsePartitionData } from '../../../../protocol/messages/fetch.js';
import type { ListOffsetsRequest } from '../../../../protocol/messages/list-offsets.js';
import { encodeRecordBatch } from '../../../../protocol/records/index.js';
import { ApiKey, startFakeCluster, type FakeCluster } from '../admin/fake-cluster.js';

const FETCH = 1;
const TOPIC = 'events';

interface Harness {
  readonly fake: FakeCluster;
  readonly fetcher: Fetcher;
  readonly batches: FetchedBatch[];
  readonly errors: Error[];
  fetches(): FetchRequest[];
  stop(): Promise<void>;
}

/** Records `from`..`from+count-1` of one batch. */
function batch(from: number, count: number): Buffer {
  return encodeRecordBatch({ baseOffset: BigInt(from), records: Array.from({ length: count }, (_, i) => ({ key: `k${from + i}`, value: `v${from + i}` })) });
}

type PartitionAnswer = (req: FetchRequest, fetchOffset: bigint, version: number) => Partial<FetchResponsePartitionData> | null;

/**
 * A broker whose partitions answer by `answer` (null: nothing new, omitted from an incremental
 * answer); empty answers wait a little, as a long poll would.
 */
function serveFetch(fake: FakeCluster, answer: PartitionAnswer, session: { id: number; topLevelError?: () => number } = { id: 0 }): void {
  fake.broker.on(FETCH, async (req) => {
    const body = req.body as FetchRequest;
    const error = session.topLevelError?.() ?? 0;
    const responses = [];
    for (const t of body.topics) {
      const partitions = [];
      for (const p of t.partitions) {
        const a = answer(body, p.fetchOffset, req.version);
        if (a === null) continue;
        partitions.push({ partitionIndex: p.partition, errorCode: 0, highWatermark: 100n, lastStableOffset: 100n, logStartOffset: 0n, abortedTransactions: null, preferredReadReplica: -1, records: null, ...a });
      }
      if (partitions.length > 0) responses.push({ topic: t.topic, topicId: t.topicId, partitions });
    }
    if (responses.length === 0) await new Promise((r) => setTimeout(r, 20));
    return { body: { throttleTimeMs: 0, errorCode: error, sessionId: error === 0 ? session.id : 0, responses: error === 0 ? responses : [] } };
  });
}

async function harness(options: Partial<FetcherOptions> = {}, versions: Record<number, { min: number; max: number }> = {}, autoRelease = true): Promise<Harness> {
  const fake = await startFakeCluster(versions);
  fake.topics.set(TOPIC, 2);
  await fake.client.refreshMetadata(2000);
  const batches: FetchedBatch[] = [];
  const errors: Error[] = [];
  const fetcher = createFetcher({
    cluster: fake.client,
    options: { maxWaitMs: 10, retryBackoffMs: 10, requestTimeoutMs: 2000, ...options },
    consumer: {
      onBatch: (b) => {
        batches.push(b);
        if (autoRelease) b.release();
      },
      onError: (e) => errors.push(e),
    },
  });
  return {
    fake,
    fetcher,
    batches,
    errors,
    fetches: () => fake.received(FETCH).map((r) => r.body as FetchRequest),
    stop: async () => {
      await fetcher.stop();
      await fake.stop();
    },
  };
}

async function until(what: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const offsetsOf = (batches: readonly FetchedBatch[]): number[] => batches.flatMap((b) => b.records.map((r) => Number(r.offset)));

test('states: idle without partitions, fetching with them, idle again after revoking all, stopped at the end', async (t) => {
  const h = await harness();
  serveFetch(h.fake, () => null);
  try {
    t.is(h.fetcher.actor.getSnapshot().value, 'idle');
    h.fetcher.assign([{ topic: TOPIC, partition: 0, position: 0n }]);
    t.is(h.fetcher.actor.getSnapshot().value, 'fetching');
    await until('a fetch', () => h.fetches().length > 0);
    h.fetcher.revoke([{ topic: TOPIC, partition: 0 }]);
    t.is(h.fetcher.actor.getSnapshot().value, 'idle');
    t.throws(() => h.fetcher.pause([{ topic: TOPIC, partition: 0 }]), { instanceOf: UnassignedPartitionError });
  } finally {
    await h.stop();
  }
  t.is(h.fetcher.actor.getSnapshot().value, 'stopped');
  t.is(h.fetcher.actor.getSnapshot().status, 'done');
});

test('incremental session: full first, then only changed partitions; a lost session starts over with a full fetch', async (t) => {
  const h = await harness();
  let lose = false;
  serveFetch(
    h.fake,
    (_req, offset) => (offset < 6n ? { records: batch(Number(offset), 3) } : null),
    { id: 42, topLevelError: () => (lose ? ((lose = false), 70) : 0) },
  );
  try {
    h.fetcher.assign([
      { topic: TOPIC, partition: 0, position: 0n },
      { topic: TOPIC, partition: 1, position: 100n },
    ]);
    await until('6 records of each partition or so', () => offsetsOf(h.batches).length >= 6 && h.fetches().length >= 4);
    const [first, second] = h.fetches();
    t.deepEqual([first.sessionId, first.sessionEpoch], [0, 0]);
    t.deepEqual(first.topics[0].partitions.map((p) => p.partition).sort(), [0, 1]);
    t.deepEqual([second.sessionId, second.sessionEpoch], [42, 1]);
    t.deepEqual(second.topics.flatMap((x) => x.partitions.map((p) => [p.partition, p.fetchOffset])), [[0, 3n]], 'partition 1 did not change: not sent');
    // Pausing partition 1 lists it as forgotten.
    h.fetcher.pause([{ topic: TOPIC, partition: 1 }]);
    await until('a forgotten partition', () => h.fetches().some((f) => (f.forgottenTopicsData ?? []).some((x) => x.partitions.includes(1))));
    const count = h.fetches().length;
    lose = true;
    await until('a full fetch after FETCH_SESSION_ID_NOT_FOUND', () => h.fetches().slice(count + 1).some((f) => f.sessionId === 0 && f.sessionEpoch === 0));
    t.deepEqual(offsetsOf(h.batches).filter((o) => o < 6), [0, 1, 2, 3, 4, 5]);
  } finally {
    await h.stop();
  }
});

test('a broker with Fetch below v7 gets full fetches without sessions; one with v13+ and topic ids gets ids', async (t) => {
  const old = await harness({}, { [FETCH]: { min: 4, max: 6 } });
  serveFetch(old.fake, (_r, offset) => (offset < 2n ? { records: batch(Number(offset), 2) } : null));
  try {
    old.fetcher.assign([{ topic: TOPIC, partition: 0, position: 0n }]);
    await until('two records', () => offsetsOf(old.batches).length === 2 && old.fetches().length >= 3);
    t.true(old.fake.received(FETCH).every((r) => r.version === 6));
    t.true(old.fetches().every((f) => f.topics[0]?.partitions.length === 1), 'every request lists the partition');
  } finally {
    await old.stop();
  }
  const ids = await harness();
  const topicId = 'AAAAAAAAAAAAAAAAAAAAAQ';
  const metadataHandler = ids.fake.broker;
  metadataHandler.on(ApiKey.metadata, () => ({
    body: {
      throttleTimeMs: 0,
      brokers: [{ nodeId: 1, host: '127.0.0.1', port: ids.fake.broker.port, rack: null }],
      clusterId: 'fake',
      controllerId: 1,
      topics: [{ errorCode: 0, name: TOPIC, topicId, isInternal: false, partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 7, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] }] }],
    },
  }));
  await ids.fake.client.refreshMetadata(2000);
  serveFetch(ids.fake, (_r, offset) => (offset < 2n ? { records: batch(Number(offset), 2) } : null));
  try {
    ids.fetcher.assign([{ topic: TOPIC, partition: 0, position: 0n }]);
    await until('two records', () => offsetsOf(ids.batches).length === 2);
    const first = ids.fake.received(FETCH)[0];
    t.true(first.version >= 13);
    t.is((first.body as FetchRequest).topics[0].topicId, topicId);
    t.is((first.body as FetchRequest).topics[0].partitions[0].currentLeaderEpoch, 7);
  } finally {
    await ids.stop();
  }
});

for (const [name, code] of [
  ['NOT_LEADER_OR_FOLLOWER', 6],
  ['FENCED_LEADER_EPOCH', 74],
] as const) {
  test(`${name} refreshes the metadata and retries the partition`, async (t) => {
    const h = await harness();
    let failures = 2;
    serveFetch(h.fake, (_r, offset) => {
      if (failures > 0) {
        failures--;
        return { errorCode: code };
      }
      return offset < 3n ? { records: batch(Number(offset), 3) } : null;
    });
    try {
      const metadataBefore = h.fake.received(ApiKey.metadata).length;
      h.fetcher.assign([{ topic: TOPIC, partition: 0, position: 0n }]);
      await until('the records after the errors', () => offsetsOf(h.batches).length === 3);
      t.true(h.fake.received(ApiKey.metadata).length > metadataBefore, 'metadata refreshed');
      t.deepEqual(h.errors, []);
      t.is(h.fetcher.actor.getSnapshot().context.failures, 0);
    } finally {
      await h.stop();
    }
  });
}

test('OFFSET_OUT_OF_RANGE with policy earliest resets through ListOffsets and fetches from there', async (t) => {
  const h = await harness({ resetPolicy: 'earliest' });
  h.fake.broker.on(ApiKey.listOffsets, (req) => {
    const body = req.body as ListOffsetsRequest;
    return {
      body: {
        throttleTimeMs: 0,
        topics: body.topics.map((x) => ({ name: x.name, partitions: x.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: 0, timestamp: -1n, offset: 50n, leaderEpoch: 7 })) })),
      },
    };
  });
  serveFetch(h.fake, (_r, offset) => (offset === 999n ? { errorCode: 1 } : offset === 50n ? { records: batch(50, 2) } : null));
  try {
    h.fetcher.assign([{ topic: TOPIC, partition: 0, position: 999n }]);
    await until('records from 50', () => offsetsOf(h.batches).length === 2);
    t.deepEqual(offsetsOf(h.batches), [50, 51]);
    const asked = h.fake.received(ApiKey.listOffsets).map((r) => (r.body as ListOffsetsRequest).topics[0].partitions[0].timestamp);
    t.deepEqual(asked, [-2n]);
  } finally {
    await h.stop();
  }
});

test('OFFSET_OUT_OF_RANGE with policy none stops the partition with OffsetOutOfRangeError until a seek', async (t) => {
  const h = await harness({ resetPolicy: 'none' });
  serveFetch(h.fake, (_r, offset) => (offset === 999n ? { errorCode: 1 } : offset === 5n ? { records: batch(5, 1) } : null));
  try {
    h.fetcher.assign([{ topic: TOPIC, partition: 0, position: 999n }]);
    await until('an error', () => h.errors.length > 0);
    const error = h.errors[0] as OffsetOutOfRangeError;
    t.true(error instanceof OffsetOutOfRangeError);
    t.like(error, { topic: TOPIC, partition: 0, offset: 999n, code: 'OFFSET_OUT_OF_RANGE' });
    const count = h.fetches().length;
    await new Promise((r) => setTimeout(r, 100));
    t.false(h.fetches().slice(count).some((f) => f.topics.some((x) => x.partitions.some((p) => p.fetchOffset === 999n))), 'not fetched again');
    t.is(h.fetcher.actor.getSnapshot().context.failures, 1);
    h.fetcher.seek({ topic: TOPIC, partition: 0 }, 5n);
    await until('records from 5', () => offsetsOf(h.batches).length === 1);
    // Without a position and with policy none, a partition fails at once.
    h.fetcher.assign([{ topic: TOPIC, partition: 1 }]);
    await until('a second error', () => h.errors.length > 1);
    t.true(h.errors[1] instanceof NoPositionError);
  } finally {
    await h.stop();
  }
});

test('a non-retriable error or corrupt records stop only that partition with PartitionFetchError', async (t) => {
  const h = await harness();
  serveFetch(h.fake, (req, offset) => {
    void req;
    if (offset === 0n) return { errorCode: 29 }; // TOPIC_AUTHORIZATION_FAILED
    if (offset === 10n) {
      const bytes = Buffer.from(batch(10, 2));
      bytes[bytes.length - 1] ^= 0xff; // CRC mismatch
      return { records: bytes };
    }
    return offset === 20n ? { records: batch(20, 2) } : null;
  });
  try {
    h.fetcher.assign([{ topic: TOPIC, partition: 0, position: 0n }]);
    h.fetcher.assign([{ topic: TOPIC, partition: 1, position: 10n }]);
    await until('two errors', () => h.errors.length === 2);
    t.true(h.errors.every((e) => e instanceof PartitionFetchError));
    t.deepEqual(h.errors.map((e) => (e as PartitionFetchError).partition).sort(), [0, 1]);
    t.regex(h.errors.find((e) => (e as PartitionFetchError).partition === 0)?.message ?? '', /TOPIC_AUTHORIZATION_FAILED/);
    h.fetcher.seek({ topic: TOPIC, partition: 1 }, 20n);
    await until('records after the seek', () => offsetsOf(h.batches).length === 2);
    t.deepEqual(offsetsOf(h.batches), [20, 21]);
  } finally {
    await h.stop();
  }
});

test('all partitions together stop at maxBufferedBytes; releasing lets fetching go on', async (t) => {
  const one = batch(0, 1).length;
  const h = await harness({ maxBufferedBytes: 3 * one, maxPartitionBufferedBytes: 100 * one }, {}, false);
  serveFetch(h.fake, (_r, offset) => (offset < 10n ? { records: batch(Number(offset), 1) } : null));
  try {
    h.fetcher.assign([
      { topic: TOPIC, partition: 0, position: 0n },
      { topic: TOPIC, partition: 1, position: 0n },
    ]);
    await until('the buffer to fill', () => h.batches.reduce((n, b) => n + b.bytes, 0) >= 3 * one);
    await new Promise((r) => setTimeout(r, 100));
    const held = h.batches.length;
    t.true(held <= 4, `at most one answer past the limit (${held} batches)`);
    const requests = h.fetches().length;
    await new Promise((r) => setTimeout(r, 100));
    t.true(h.fetches().length <= requests + 1, 'no fetching while full');
    t.is(h.batches.length, held);
    for (const b of [...h.batches]) b.release();
    await until('more records', () => h.batches.length > held);
    t.deepEqual(h.errors, []);
  } finally {
    await h.stop();
  }
});
