import test from 'ava';
import fc from 'fast-check';
import {
  StickyPartitioner,
  checkExplicitPartition,
  checkTopicPartitions,
  murmur2,
  partitionForKey,
  toPositive,
} from '../../../../machines/producer/partitioner.js';
import { InvalidPartitionError, UnknownTopicError } from '../../../../machines/producer/errors.js';

/** A random source that replays `values`, then fails the test if asked for more. */
function scripted(values: number[]): () => number {
  let i = 0;
  return () => {
    if (i >= values.length) throw new Error('the partitioner asked for more random numbers than expected');
    return values[i++]!;
  };
}

// Values printed by kafka-clients 4.1.1's Utils.murmur2 (test/integration/machines/producer
// checks thousands more); these pin every tail length 0-3 and the sign handling.
const javaMurmur2: [hex: string, hash: number][] = [
  ['', 275646681],
  ['00', 375494588],
  ['ff', -311467685],
  ['ffff', -1642832928],
  ['807fff', -150507102],
  ['ffffffff', 644171429],
];

for (const [hex, hash] of javaMurmur2) {
  test(`murmur2 of [${hex || 'empty'}] is Java's ${hash}`, (t) => {
    t.is(murmur2(Buffer.from(hex, 'hex')), hash);
  });
}

test('toPositive clears the sign bit like Java, also for MIN_VALUE', (t) => {
  t.is(toPositive(-2147483648), 0);
  t.is(toPositive(-1), 2147483647);
  t.is(toPositive(5), 5);
});

test('partitionForKey is deterministic and within range for any key and count', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 100 }), fc.integer({ min: 1, max: 10000 }), (key, count) => {
      const p = partitionForKey(key, count);
      return Number.isInteger(p) && p >= 0 && p < count && p === partitionForKey(Buffer.from(key), count);
    }),
  );
  t.pass();
});

test('explicit partitions outside the topic are refused with INVALID_PARTITION', (t) => {
  t.is(checkExplicitPartition('t', 2, 3), 2);
  for (const bad of [3, -1, 1.5, Number.NaN]) {
    const err = t.throws(() => checkExplicitPartition('t', bad, 3), { instanceOf: InvalidPartitionError });
    t.is(err.code, 'INVALID_PARTITION');
    t.false(err.retriable);
    t.regex(err.message, /partitions 0\.\.2/);
  }
});

test('a topic unknown to metadata, or with no partitions, is UNKNOWN_TOPIC_OR_PARTITION', (t) => {
  const unknown = t.throws(() => checkTopicPartitions('ghost', undefined), { instanceOf: UnknownTopicError });
  t.is(unknown.code, 'UNKNOWN_TOPIC_OR_PARTITION');
  t.true(unknown.retriable);
  t.throws(() => checkTopicPartitions('empty', { count: 0, available: [] }), { instanceOf: UnknownTopicError, message: /0 partitions/ });
});

test('the sticky partition stays until its batch is done, then moves to a different one', (t) => {
  const sticky = new StickyPartitioner(scripted([0.5, 0.0, 0.99]));
  const meta = { count: 4, available: [0, 1, 2, 3] };
  t.is(sticky.partition('t', meta), 2);
  t.is(sticky.partition('t', meta), 2);
  t.is(sticky.partition('t', { count: 4, available: [0, 1, 2, 3] }), 2, 'new metadata object, same partitions');
  // Switching picks among the three others: 0.0 -> first other (0), 0.99 -> last other.
  t.is(sticky.nextStickyPartition('t', meta, 2), 0);
  t.is(sticky.partition('t', meta), 0);
  t.is(sticky.nextStickyPartition('t', meta, 0), 3);
});

test('a stale batch completion does not move the sticky partition twice', (t) => {
  const sticky = new StickyPartitioner(scripted([0.1, 0.7]));
  const meta = { count: 3, available: [0, 1, 2] };
  t.is(sticky.partition('t', meta), 0);
  t.is(sticky.nextStickyPartition('t', meta, 0), 2);
  t.is(sticky.nextStickyPartition('t', meta, 0), 2, 'partition 0 is no longer the sticky one');
});

test('only partitions with a leader are chosen while some have one', (t) => {
  const sticky = new StickyPartitioner();
  const meta = { count: 10, available: [3, 7] };
  const seen = new Set<number>();
  let current = sticky.partition('t', meta);
  for (let i = 0; i < 200; i++) {
    seen.add(current);
    current = sticky.nextStickyPartition('t', meta, current);
  }
  t.deepEqual([...seen].sort(), [3, 7]);
});

test('a sticky partition that loses its leader is replaced at the next record', (t) => {
  const sticky = new StickyPartitioner(scripted([0.0, 0.0]));
  t.is(sticky.partition('t', { count: 3, available: [0, 1, 2] }), 0);
  t.is(sticky.partition('t', { count: 3, available: [1, 2] }), 1);
});

test('with no partition available, any partition of the topic is used', (t) => {
  const sticky = new StickyPartitioner(scripted([0.75]));
  t.is(sticky.partition('t', { count: 4, available: [] }), 3);
});

test('a change of partition count makes a new choice', (t) => {
  const sticky = new StickyPartitioner(scripted([0.0, 0.9]));
  t.is(sticky.partition('t', { count: 2, available: [] }), 0);
  t.is(sticky.partition('t', { count: 10, available: [] }), 9);
});

test('switching many times spreads keyless batches over every partition', (t) => {
  const sticky = new StickyPartitioner();
  const meta = { count: 12, available: Array.from({ length: 12 }, (_, i) => i) };
  const hits = new Array<number>(12).fill(0);
  let current = sticky.partition('t', meta);
  for (let i = 0; i < 12000; i++) {
    hits[current]!++;
    const next = sticky.nextStickyPartition('t', meta, current);
    t.not(next, current);
    current = next;
  }
  // Expected 1000 each; 700 is over 9 standard deviations away.
  t.true(hits.every((h) => h > 700), `hits per partition: ${hits.join(' ')}`);
});

test('topics keep separate sticky partitions', (t) => {
  const sticky = new StickyPartitioner(scripted([0.0, 0.9]));
  const meta = { count: 2, available: [0, 1] };
  t.is(sticky.partition('a', meta), 0);
  t.is(sticky.partition('b', meta), 1);
  t.is(sticky.partition('a', meta), 0);
});
