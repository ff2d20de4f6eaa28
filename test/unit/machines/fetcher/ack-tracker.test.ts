import test from 'ava';
import fc from 'fast-check';
import { AckTracker, Ordering, RevokedPartitionError, UnknownMessageError, type Delivery, type TrackedInput } from '../../../../machines/fetcher/ack-tracker.js';

const T = 'orders';

function records(from: number, count: number, key: (offset: number) => string | null = () => null): TrackedInput<string>[] {
  return Array.from({ length: count }, (_, i) => ({ offset: BigInt(from + i), key: key(from + i), payload: `m${from + i}` }));
}

function tracker(ordering: Ordering, maxInFlight = 100, ackTimeoutMs = 1000): AckTracker<string> {
  return new AckTracker<string>({ ordering, maxInFlight, ackTimeoutMs });
}

const offsets = (ds: readonly Delivery<string>[]): number[] => ds.map((d) => Number(d.offset));

test('acks in any order commit only the contiguous prefix', (t) => {
  const a = tracker(Ordering.none);
  a.assign(T, 0, 10n);
  t.is(a.committable(T, 0), 10n, 'the assigned start before anything arrives');
  a.add(T, 0, records(10, 5));
  const got = a.next('s1', 10, 0);
  t.deepEqual(offsets(got), [10, 11, 12, 13, 14]);
  t.true(a.ack({ topic: T, partition: 0, offset: 12n }));
  t.true(a.ack({ topic: T, partition: 0, offset: 11n }));
  t.is(a.committable(T, 0), 10n, '10 is still unacknowledged');
  t.true(a.ack({ topic: T, partition: 0, offset: 10n }));
  t.is(a.committable(T, 0), 13n);
  t.false(a.ack({ topic: T, partition: 0, offset: 11n }), 'a second ack is a no-op');
  a.ack({ topic: T, partition: 0, offset: 14n });
  a.ack({ topic: T, partition: 0, offset: 13n });
  t.is(a.committable(T, 0), 15n);
});

test('offsets skipped by the fetch (transaction markers, compaction) do not hold the commit back', (t) => {
  const a = tracker(Ordering.none);
  a.add(T, 0, [
    { offset: 3n, key: null, payload: 'a' },
    { offset: 7n, key: null, payload: 'b' },
  ], 9n);
  a.next('s', 10, 0);
  a.ack({ topic: T, partition: 0, offset: 3n });
  t.is(a.committable(T, 0), 7n);
  a.ack({ topic: T, partition: 0, offset: 7n });
  t.is(a.committable(T, 0), 9n, 'past the marker the fetch skipped');
  t.throws(() => a.ack({ topic: T, partition: 0, offset: 20n }), { instanceOf: UnknownMessageError });
  t.throws(() => a.ack({ topic: T, partition: 5, offset: 1n }), { instanceOf: UnknownMessageError });
});

test('nack redelivers with attempt + 1 after its delay', (t) => {
  const a = tracker(Ordering.none);
  a.add(T, 0, records(0, 2));
  a.next('s', 10, 0);
  t.true(a.nack({ topic: T, partition: 0, offset: 0n }, 500, 100));
  t.false(a.nack({ topic: T, partition: 0, offset: 0n }, 500, 100), 'not in flight any more');
  t.deepEqual(a.next('s', 10, 200), [], 'not before its delay');
  const again = a.next('s', 10, 600);
  t.deepEqual(again.map((d) => [Number(d.offset), d.attempt, d.payload]), [[0, 2, 'm0']]);
});

test('an expired lease returns the message with attempt + 1; an ack after expiry still counts', (t) => {
  const a = tracker(Ordering.none, 100, 1000);
  a.add(T, 0, records(0, 2));
  a.next('s', 10, 0);
  t.is(a.nextExpiry(), 1000);
  t.deepEqual(a.expire(999), []);
  t.deepEqual(a.expire(1000).map((r) => Number(r.offset)), [0, 1]);
  t.is(a.inFlightCount, 0);
  t.true(a.ack({ topic: T, partition: 0, offset: 1n }), 'late ack of a pending message');
  const again = a.next('s2', 10, 1000);
  t.deepEqual(again.map((d) => [Number(d.offset), d.attempt, d.session]), [[0, 2, 's2']]);
  t.is(a.committable(T, 0), 0n);
});

test('releasing a session requeues only its messages', (t) => {
  const a = tracker(Ordering.none);
  a.add(T, 0, records(0, 4));
  const s1 = a.next('s1', 2, 0);
  const s2 = a.next('s2', 2, 0);
  t.deepEqual([offsets(s1), offsets(s2)], [[0, 1], [2, 3]]);
  t.is(a.releaseSession('s1', 5), 2);
  t.is(a.inFlightCount, 2);
  t.deepEqual(a.next('s2', 10, 5).map((d) => [Number(d.offset), d.attempt]), [[0, 2], [1, 2]]);
});

test('ordering "partition": one in flight per partition, partitions in parallel, redelivery keeps the order', (t) => {
  const a = tracker(Ordering.partition);
  a.add(T, 0, records(0, 3));
  a.add(T, 1, records(0, 3));
  const first = a.next('s', 10, 0);
  t.deepEqual(first.map((d) => `${d.partition}:${d.offset}`).sort(), ['0:0', '1:0']);
  t.deepEqual(a.next('s', 10, 0), []);
  a.nack({ topic: T, partition: 0, offset: 0n }, 100, 0);
  a.ack({ topic: T, partition: 1, offset: 0n });
  t.deepEqual(a.next('s', 10, 50).map((d) => `${d.partition}:${d.offset}`), ['1:1'], 'partition 0 waits for its nacked head');
  t.deepEqual(a.next('s', 10, 100).map((d) => `${d.partition}:${d.offset}:${d.attempt}`), ['0:0:2']);
});

test('ordering "key": never two in flight with one key; keyless and other keys in parallel', (t) => {
  const a = tracker(Ordering.key);
  const keys = ['a', 'a', 'b', null, null, 'b', 'c'];
  a.add(T, 0, records(0, keys.length, (o) => keys[o]));
  t.deepEqual(offsets(a.next('s', 10, 0)), [0, 2, 3, 4, 6]);
  a.nack({ topic: T, partition: 0, offset: 0n }, 100, 0);
  a.ack({ topic: T, partition: 0, offset: 2n });
  t.deepEqual(offsets(a.next('s', 10, 50)), [5], 'the second "a" must not overtake the nacked first');
  t.deepEqual(offsets(a.next('s', 10, 100)), [0]);
  a.ack({ topic: T, partition: 0, offset: 0n });
  t.deepEqual(offsets(a.next('s', 10, 100)), [1]);
});

test('ordering "none" honours maxInFlight across partitions, rotating between them', (t) => {
  const a = tracker(Ordering.none, 3);
  a.add(T, 0, records(0, 10));
  a.add(T, 1, records(0, 10));
  t.is(a.next('s', 10, 0).length, 3);
  t.is(a.next('s', 10, 0).length, 0);
  a.ack({ topic: T, partition: 0, offset: 0n });
  t.is(a.next('s', 10, 0).length, 1);
});

test('revoked partitions are dropped with their final offsets; acks for them fail until reassigned', (t) => {
  const a = tracker(Ordering.none);
  a.add(T, 0, records(0, 3));
  a.add(T, 1, records(0, 3));
  a.next('s', 10, 0);
  a.ack({ topic: T, partition: 0, offset: 0n });
  t.deepEqual(a.revoke([{ topic: T, partition: 0 }]), [{ topic: T, partition: 0, offset: 1n }]);
  t.is(a.inFlightCount, 3, 'partition 1 keeps its messages in flight');
  const error = t.throws(() => a.ack({ topic: T, partition: 0, offset: 1n }), { instanceOf: RevokedPartitionError });
  t.is(error?.code, 'PARTITION_REVOKED');
  t.throws(() => a.nack({ topic: T, partition: 0, offset: 1n }, 0, 0), { instanceOf: RevokedPartitionError });
  t.is(a.committable(T, 0), undefined);
  a.assign(T, 0, 1n);
  t.is(a.committable(T, 0), 1n);
  t.throws(() => a.ack({ topic: T, partition: 0, offset: 1n }), { instanceOf: UnknownMessageError });
});

// ---- properties ----

type Op =
  | { kind: 'add'; partition: number; count: number; gap: number }
  | { kind: 'next'; session: number; max: number }
  | { kind: 'ack'; pick: number }
  | { kind: 'nack'; pick: number; delay: number }
  | { kind: 'tick'; ms: number }
  | { kind: 'release'; session: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), partition: fc.integer({ min: 0, max: 2 }), count: fc.integer({ min: 1, max: 6 }), gap: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ kind: fc.constant('next' as const), session: fc.integer({ min: 0, max: 2 }), max: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('ack' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('ack' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('nack' as const), pick: fc.nat(), delay: fc.integer({ min: 0, max: 300 }) }),
  fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 700 }) }),
  fc.record({ kind: fc.constant('release' as const), session: fc.integer({ min: 0, max: 2 }) }),
);

const keyOf = (offset: number): string | null => (offset % 4 === 3 ? null : `k${offset % 3}`);

function runModel(ordering: Ordering, maxInFlight: number, ops: Op[]): { ok: true } | { ok: false; why: string } {
  const a = tracker(ordering, maxInFlight, 500);
  const ends = [0, 0, 0];
  const acked = [new Set<number>(), new Set<number>(), new Set<number>()];
  const added = [new Set<number>(), new Set<number>(), new Set<number>()];
  let held: Delivery<string>[] = [];
  const lastCommit = [-1n, -1n, -1n];
  let now = 0;
  for (const op of ops) {
    switch (op.kind) {
      case 'add': {
        const from = ends[op.partition] + op.gap;
        a.add(T, op.partition, records(from, op.count, keyOf));
        for (let o = from; o < from + op.count; o++) added[op.partition].add(o);
        ends[op.partition] = from + op.count;
        break;
      }
      case 'next':
        held.push(...a.next(`s${op.session}`, op.max, now));
        break;
      case 'ack':
      case 'nack': {
        if (held.length === 0) break;
        const d = held[op.pick % held.length];
        held = held.filter((h) => h !== d);
        if (op.kind === 'ack') {
          a.ack(d);
          acked[d.partition].add(Number(d.offset));
        } else a.nack(d, op.delay, now);
        break;
      }
      case 'tick':
        now += op.ms;
        for (const r of a.expire(now)) held = held.filter((h) => !(h.partition === r.partition && h.offset === r.offset));
        break;
      case 'release':
        a.releaseSession(`s${op.session}`, now);
        held = held.filter((h) => h.session !== `s${op.session}`);
        break;
    }
    // Invariants after every step.
    if (a.inFlightCount > maxInFlight) return { ok: false, why: `${a.inFlightCount} in flight > ${maxInFlight}` };
    if (a.inFlightCount !== held.length) return { ok: false, why: `tracker has ${a.inFlightCount} in flight, model ${held.length}` };
    if (ordering === Ordering.partition) {
      for (let p = 0; p < 3; p++) if (held.filter((h) => h.partition === p).length > 1) return { ok: false, why: `two in flight on partition ${p}` };
    }
    if (ordering === Ordering.key) {
      const keys = held.map((h) => keyOf(Number(h.offset))).filter((k) => k !== null);
      if (new Set(keys).size !== keys.length) return { ok: false, why: `two in flight with one key: ${keys.join(',')}` };
    }
    for (let p = 0; p < 3; p++) {
      const c = a.committable(T, p);
      if (c === undefined) continue;
      if (c < lastCommit[p]) return { ok: false, why: `partition ${p} commit went back from ${lastCommit[p]} to ${c}` };
      lastCommit[p] = c;
      for (const o of added[p]) {
        if (BigInt(o) < c && !acked[p].has(o)) return { ok: false, why: `partition ${p} commits ${c} past unacked ${o}` };
      }
    }
  }
  // Acknowledging everything that is handed out drains the tracker to the end of each partition.
  for (let round = 0; round < 1000 && (a.inFlightCount > 0 || [0, 1, 2].some((p) => (a.committable(T, p) ?? BigInt(ends[p])) < BigInt(ends[p]))); round++) {
    now += 1000;
    a.expire(now);
    for (const d of a.next('drain', 1000, now)) a.ack(d);
  }
  for (let p = 0; p < 3; p++) {
    const c = a.committable(T, p);
    if (c !== undefined && c !== BigInt(ends[p])) return { ok: false, why: `partition ${p} drains to ${c}, not ${ends[p]}` };
  }
  return { ok: true };
}

for (const ordering of [Ordering.partition, Ordering.key, Ordering.none]) {
  test(`property (${ordering}): the commit never passes an unacked message, never goes back, ordering and maxInFlight hold, all drains`, (t) => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(opArb, { maxLength: 80 }), (maxInFlight, ops) => {
        const result = runModel(ordering, maxInFlight, ops);
        if (!result.ok) throw new Error(result.why);
      }),
      { numRuns: 400 },
    );
    t.pass();
  });
}

test('property: "partition" ordering hands each partition\'s first deliveries out in offset order', (t) => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.boolean()), { maxLength: 60 }), (steps) => {
      const a = tracker(Ordering.partition, 2);
      a.add(T, 0, records(0, 20));
      a.add(T, 1, records(0, 20));
      const firstSeen: number[][] = [[], []];
      let now = 0;
      for (const [session, nackIt] of steps) {
        for (const d of a.next(`s${session}`, 5, now)) {
          if (d.attempt === 1) firstSeen[d.partition].push(Number(d.offset));
          if (nackIt) a.nack(d, 0, now);
          else a.ack(d);
        }
        now += 10;
      }
      for (const seen of firstSeen) for (let i = 1; i < seen.length; i++) if (seen[i] <= seen[i - 1]) throw new Error(`out of order: ${seen.join(',')}`);
    }),
  );
  t.pass();
});
