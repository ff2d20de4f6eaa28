import test from 'ava';
import type { Delivery } from '../../../../machines/fetcher/ack-tracker.js';
import { RevokedPartitionError } from '../../../../machines/fetcher/ack-tracker.js';
import { ConsumerCore, PULL_HOLDER, type Subscriber } from '../../../../machines/consumer/consumer-core.js';
import type { Fetcher } from '../../../../machines/fetcher/fetcher-machine.js';
import type { FetchedBatch } from '../../../../machines/fetcher/types.js';
import type { KafkaRecord } from '../../../../protocol/records/record-types.js';

const T = 'orders';

/** Records what the core asks of its fetcher. */
function fakeFetcher(): { fetcher: Fetcher; calls: string[] } {
  const calls: string[] = [];
  const fetcher = {
    assign: (ps: Array<{ topic: string; partition: number; position?: unknown }>) => calls.push(`assign ${ps.map((p) => `${p.partition}@${String(p.position)}`).join(',')}`),
    revoke: (ps: Array<{ partition: number }>) => calls.push(`revoke ${ps.map((p) => p.partition).join(',')}`),
  } as unknown as Fetcher;
  return { fetcher, calls };
}

function batch(partition: number, from: number, count: number, released: string[], key?: (o: number) => string): FetchedBatch {
  const records: KafkaRecord[] = Array.from({ length: count }, (_, i) => ({
    offset: BigInt(from + i),
    timestamp: 0,
    key: key ? Buffer.from(key(from + i)) : null,
    value: Buffer.from(`v${from + i}`),
    headers: [],
  }));
  return { topic: T, partition, records, nextOffset: BigInt(from + count), highWatermark: BigInt(from + count), bytes: count * 10, release: () => released.push(`${partition}:${from}`) };
}

function subscriber(id: string, maxInFlight: number, log: Array<Delivery<KafkaRecord>>, notes: string[] = []): Subscriber {
  return {
    id,
    maxInFlight,
    ackTimeoutMs: 1000,
    deliver: (d) => {
      log.push(d);
      return true;
    },
    assigned: (ps) => notes.push(`${id} assigned ${ps.map((p) => p.partition).join(',')}`),
    revoked: (ps) => notes.push(`${id} revoked ${ps.map((p) => p.partition).join(',')}`),
  };
}

function core(now: { t: number }): ConsumerCore {
  return new ConsumerCore({ group: 'g', ordering: 'none', now: () => now.t, tickMs: 1_000_000 });
}

test('assigned partitions start fetching at their starting offsets and are announced to subscribers', (t) => {
  const now = { t: 0 };
  const c = core(now);
  const { fetcher, calls } = fakeFetcher();
  c.attach(() => fetcher);
  t.teardown(() => c.detach());
  const notes: string[] = [];
  c.addSubscriber(subscriber('s1', 10, [], notes));
  c.onAssigned([
    { topic: T, partition: 0, offset: 5n, committed: true },
    { topic: T, partition: 1, offset: 0n, committed: false },
  ]);
  t.deepEqual(calls, ['assign 0@5,1@0']);
  t.deepEqual(notes, ['s1 assigned 0,1']);
  t.deepEqual(c.committable(), [
    { topic: T, partition: 0, offset: 5n },
    { topic: T, partition: 1, offset: 0n },
  ]);
});

test('records go to subscribers within their maxInFlight; a batch is released once all its records are acked', (t) => {
  const now = { t: 0 };
  const c = core(now);
  const { fetcher } = fakeFetcher();
  c.attach(() => fetcher);
  t.teardown(() => c.detach());
  c.onAssigned([{ topic: T, partition: 0, offset: 0n, committed: true }]);
  const a: Array<Delivery<KafkaRecord>> = [];
  const b: Array<Delivery<KafkaRecord>> = [];
  c.addSubscriber(subscriber('a', 2, a));
  c.addSubscriber(subscriber('b', 3, b));
  const released: string[] = [];
  c.fetcherConsumer.onBatch(batch(0, 0, 4, released));
  c.fetcherConsumer.onBatch(batch(0, 4, 4, released));
  t.is(a.length + b.length, 5, 'both subscribers filled up to their limits');
  t.is(a.length, 2);
  t.is(b.length, 3);
  t.is(c.status().buffered, 8);
  t.deepEqual(released, [], 'nothing released while unacked');
  // Acks of the first four records release the first batch; room lets the rest go out.
  const firstFour = [...a, ...b].filter((d) => d.offset < 4n);
  t.is(c.ack(firstFour), 4);
  t.deepEqual(released, ['0:0']);
  t.is(a.length + b.length, 8);
  t.is(c.ack([...a, ...b].filter((d) => d.offset >= 4n)), 4);
  t.deepEqual(released, ['0:0', '0:4']);
  t.deepEqual(c.committable(), [{ topic: T, partition: 0, offset: 8n }]);
  t.is(c.status().buffered, 0);
});

test('a removed subscriber\'s records go to another with attempt + 1; expired leases too', (t) => {
  const now = { t: 0 };
  const c = core(now);
  const { fetcher } = fakeFetcher();
  c.attach(() => fetcher);
  t.teardown(() => c.detach());
  c.onAssigned([{ topic: T, partition: 0, offset: 0n, committed: true }]);
  const a: Array<Delivery<KafkaRecord>> = [];
  c.addSubscriber(subscriber('a', 10, a));
  c.fetcherConsumer.onBatch(batch(0, 0, 3, []));
  t.is(a.length, 3);
  const b: Array<Delivery<KafkaRecord>> = [];
  c.addSubscriber(subscriber('b', 10, b));
  t.is(b.length, 0);
  t.is(c.removeSubscriber('a'), 3);
  t.deepEqual(b.map((d) => [Number(d.offset), d.attempt]), [[0, 2], [1, 2], [2, 2]]);
  t.is(c.inFlightOf('b'), 3);
  now.t = 1000;
  c.tick();
  t.deepEqual(b.slice(3).map((d) => [Number(d.offset), d.attempt]), [[0, 3], [1, 3], [2, 3]]);
  t.is(c.inFlightOf('b'), 3);
});

test('revoked partitions stop fetching, tell subscribers, and later acks fail with RevokedPartitionError', (t) => {
  const now = { t: 0 };
  const c = core(now);
  const { fetcher, calls } = fakeFetcher();
  c.attach(() => fetcher);
  t.teardown(() => c.detach());
  const notes: string[] = [];
  const a: Array<Delivery<KafkaRecord>> = [];
  c.addSubscriber(subscriber('a', 10, a, notes));
  c.onAssigned([
    { topic: T, partition: 0, offset: 0n, committed: true },
    { topic: T, partition: 1, offset: 0n, committed: true },
  ]);
  c.fetcherConsumer.onBatch(batch(0, 0, 2, []));
  c.fetcherConsumer.onBatch(batch(1, 0, 2, []));
  t.is(c.ack([a.find((d) => d.partition === 0 && d.offset === 0n)!]), 1);
  c.onRevoked([{ topic: T, partition: 0 }]);
  t.deepEqual(calls.slice(1), ['revoke 0']);
  t.true(notes.includes('a revoked 0'));
  t.is(c.inFlightOf('a'), 2, 'leases of the revoked partition are gone');
  const late = a.find((d) => d.partition === 0 && d.offset === 1n)!;
  t.throws(() => c.ack([late, ...a.filter((d) => d.partition === 1)]), { instanceOf: RevokedPartitionError });
  t.is(c.inFlightOf('a'), 0, 'the other acks of the call still counted');
  t.deepEqual(c.committable(), [{ topic: T, partition: 1, offset: 2n }]);
  // Records of a partition no longer assigned are released and dropped.
  const released: string[] = [];
  c.fetcherConsumer.onBatch(batch(0, 2, 2, released));
  t.deepEqual(released, ['0:2']);
});

test('pull leases records to the pull holder and waits for records when none is ready', async (t) => {
  const c = new ConsumerCore({ group: 'g', ordering: 'none', tickMs: 1_000_000 });
  const { fetcher } = fakeFetcher();
  c.attach(() => fetcher);
  t.teardown(() => c.detach());
  c.onAssigned([{ topic: T, partition: 0, offset: 0n, committed: true }]);
  const waiting = c.pull(10, 5000, 1000);
  setTimeout(() => c.fetcherConsumer.onBatch(batch(0, 0, 3, [])), 20);
  const got = await waiting;
  t.is(got.length, 3);
  t.is(c.inFlightOf(PULL_HOLDER), 3);
  t.deepEqual(await c.pull(10, 0, 1000), [], 'all leased');
  t.is(c.ack(got), 3);
  t.is(c.inFlightOf(PULL_HOLDER), 0);
});

test('progress reports each partition\'s high watermark and acknowledged position; assignment changes are counted', (t) => {
  const now = { t: 0 };
  const c = core(now);
  const { fetcher } = fakeFetcher();
  c.attach(() => fetcher);
  t.teardown(() => c.detach());
  const log: Array<Delivery<KafkaRecord>> = [];
  c.addSubscriber(subscriber('s', 100, log));
  c.onAssigned([
    { topic: T, partition: 0, offset: 0n, committed: true },
    { topic: T, partition: 1, offset: 0n, committed: true },
  ]);
  t.deepEqual(c.assignmentCounts, { assigned: 1, revoked: 0 });
  t.deepEqual(
    c.progress().map((p) => [p.partition, p.highWatermark]),
    [
      [0, undefined],
      [1, undefined],
    ],
    'no watermark before the first fetch answer',
  );
  c.fetcherConsumer.onBatch(batch(0, 0, 6, []));
  t.is(c.ack(log.filter((d) => d.offset < 2n)), 2);
  const p0 = c.progress().find((p) => p.partition === 0)!;
  t.is(p0.highWatermark, 6n);
  t.is(p0.committable, 2n, 'lag is 4: six records, two acknowledged');
  c.onRevoked([{ topic: T, partition: 0 }]);
  t.deepEqual(c.assignmentCounts, { assigned: 1, revoked: 1 });
  t.deepEqual(c.progress().map((p) => p.partition), [1]);
});
