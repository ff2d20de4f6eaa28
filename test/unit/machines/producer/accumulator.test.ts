import test from 'ava';
import { encodeRecordBatch } from '../../../../protocol/records/record-batch-encode.js';
import { BufferFullError, IllegalBatchStateError, RecordTooLargeError } from '../../../../machines/producer/errors.js';
import { RECORD_BATCH_OVERHEAD } from '../../../../machines/producer/record-size.js';
import type { RecordFailed } from '../../../../machines/producer/delivery.js';
import { REC_BYTES, RecordingListener, batchOf, harness, idOf, ids, rec } from './accumulator-helpers.js';
import { settleMicrotasks } from './fake-clock.js';

const all = (): boolean => true;
const codeOf = (error: Error): string => (error as Error & { code?: string }).code ?? 'no code';

test('a batch is ready lingerMs after its first record, and the sender is woken then', async (t) => {
  const { acc, clock, readyCalls } = harness({ lingerMs: 10 });
  acc.append('t', [rec(1)], new RecordingListener(), { partition: 0 });
  await settleMicrotasks();
  t.is(readyCalls(), 0);
  const early = acc.drain(all);
  t.is(early.batches.size, 0);
  t.is(early.nextReadyInMs, 10);
  clock.advance(5);
  acc.append('t', [rec(2)], new RecordingListener(), { partition: 0 });
  clock.advance(4);
  await settleMicrotasks();
  t.is(readyCalls(), 0, 'no wake-up before the linger ends');
  t.is(acc.drain(all).batches.size, 0);
  clock.advance(1);
  await settleMicrotasks();
  t.is(readyCalls(), 1, 'woken when the linger ends');
  const ready = acc.drain(all);
  t.deepEqual(ids(ready.batches.get(1)), [[1, 2]], 'the later record did not extend the linger');
  t.is(ready.nextReadyInMs, Infinity);
});

test('a batch that reaches batchBytes is ready at once; the next record starts a new batch', async (t) => {
  const { acc, readyCalls } = harness({ lingerMs: 60_000, batchBytes: batchOf(3) + REC_BYTES - 1 });
  acc.append('t', [rec(1), rec(2), rec(3)], new RecordingListener(), { partition: 0 });
  t.is(acc.drain(all).batches.size, 0, 'three records fit and leave room: not full yet');
  acc.append('t', [rec(4)], new RecordingListener(), { partition: 0 });
  await settleMicrotasks();
  t.is(readyCalls(), 1);
  const drained = acc.drain(all).batches.get(1)!;
  t.deepEqual(ids(drained), [[1, 2, 3]]);
  t.is(drained[0]!.sizeBytes, batchOf(3));
  t.is(encodeRecordBatch({ records: drained[0]!.records }).length, drained[0]!.sizeBytes, 'accounted size is the encoded size');
  t.is(acc.queuedBatchCount, 1, 'record 4 waits in a new batch for its linger');
});

test('a batch filled exactly to batchBytes is ready without waiting for another record', (t) => {
  const { acc } = harness({ lingerMs: 60_000, batchBytes: batchOf(2) });
  acc.append('t', [rec(1), rec(2)], new RecordingListener(), { partition: 0 });
  t.deepEqual(ids(acc.drain(all).batches.get(1)), [[1, 2]]);
});

test('a record larger than batchBytes gets a batch of its own; one over maxRecordBytes fails alone', (t) => {
  const { acc } = harness({ lingerMs: 60_000, batchBytes: 100, maxRecordBytes: 400 });
  const listener = new RecordingListener();
  acc.append('t', [rec(1, 200), rec(2, 500), rec(3, 10)], listener, { partition: 0 });
  t.deepEqual(ids(acc.drain(all).batches.get(1)), [[1]]);
  t.is(listener.failures.length, 1);
  const failure = listener.failures[0]!;
  t.is(failure.token, 1);
  t.true(failure.error instanceof RecordTooLargeError);
  t.is((failure.error as RecordTooLargeError).code, 'MESSAGE_TOO_LARGE');
  t.regex(failure.error.message, /larger than maxRecordBytes=400/);
  t.is(acc.queuedBatchCount, 1, 'record 3 waits in its own batch');
});

test('a full buffer blocks the caller up to maxBlockMs, then its records fail with BUFFER_FULL', async (t) => {
  const { acc, clock, readyCalls } = harness({ lingerMs: 60_000, bufferBytes: batchOf(2) + 5, maxBlockMs: 1000 });
  const first = acc.send('t', [rec(1), rec(2)], { partition: 0 });
  let outcome: RecordFailed[] | undefined;
  void acc.send('t', [rec(3), rec(4)], { partition: 0 }).then((o) => (outcome = o as RecordFailed[]));
  t.is(acc.waitingCallCount, 1);
  t.true(acc.usedBytes <= acc.bufferBytes);
  await settleMicrotasks();
  t.is(readyCalls(), 1, 'memory pressure wakes the sender');
  clock.advance(999);
  await settleMicrotasks();
  t.is(outcome, undefined, 'still waiting just before maxBlockMs');
  clock.advance(1);
  await settleMicrotasks();
  t.is(outcome!.length, 2);
  for (const o of outcome!) {
    t.false(o.ok);
    t.is(o.partition, -1);
    t.true(o.error instanceof BufferFullError);
    t.is((o.error as BufferFullError).code, 'BUFFER_FULL');
    t.true((o.error as BufferFullError).retriable);
    t.regex(o.error.message, new RegExp(`bufferBytes=${batchOf(2) + 5} within maxBlockMs=1000`));
  }
  t.is(acc.waitingCallCount, 0);
  t.is(clock.pendingTimers, 1, 'only the linger timer is left');
  void acc.flush();
  const [batch] = acc.drain(all).batches.get(1)!;
  acc.complete(batch!, 0n);
  t.deepEqual((await first).map((o) => o.ok), [true, true]);
});

test('with maxBlockMs 0 records that find no room fail at once', async (t) => {
  const { acc } = harness({ bufferBytes: batchOf(1), maxBlockMs: 0 });
  const outcomes = acc.send('t', [rec(1), rec(2)], { partition: 0 });
  acc.complete(acc.drain(all).batches.get(1)![0]!, 7n);
  const [a, b] = await outcomes;
  t.true(a!.ok);
  t.false(b!.ok);
  t.regex((b as RecordFailed).error.message, /maxBlockMs=0/);
});

test('blocked callers get room in arrival order, and later callers queue behind them', async (t) => {
  const { acc } = harness({ lingerMs: 60_000, bufferBytes: batchOf(2), maxBlockMs: 10_000 });
  acc.append('t', [rec(1), rec(2)], new RecordingListener(), { partition: 0 });
  acc.append('t', [rec(3), rec(4)], new RecordingListener(), { partition: 0 });
  acc.append('t', [rec(5)], new RecordingListener(), { partition: 0 });
  acc.append('t', [rec(6)], new RecordingListener(), { partition: 0 });
  t.is(acc.waitingCallCount, 3);
  const first = acc.drain(all).batches.get(1)!;
  t.deepEqual(ids(first), [[1, 2]], 'waiters make every batch ready');
  acc.complete(first[0]!, 0n);
  t.is(acc.waitingCallCount, 2, 'the oldest caller took the room');
  const second = acc.drain(all).batches.get(1)!;
  t.deepEqual(ids(second), [[3, 4]]);
  acc.complete(second[0]!, 2n);
  t.is(acc.waitingCallCount, 0);
  void acc.flush();
  t.deepEqual(ids(acc.drain(all).batches.get(1)), [[5, 6]]);
});

test('a small record does not overtake a waiting large one', (t) => {
  const big = 300;
  const { acc } = harness({ lingerMs: 60_000, bufferBytes: 500, maxBlockMs: 10_000 });
  acc.append('t', [rec(1, 300)], new RecordingListener(), { partition: 0 });
  acc.append('t', [rec(2, big)], new RecordingListener(), { partition: 0 });
  acc.append('t', [rec(3, 4)], new RecordingListener(), { partition: 0 });
  t.is(acc.waitingCallCount, 2, 'record 3 would fit, but waits behind record 2');
  acc.complete(acc.drain(all).batches.get(1)![0]!, 0n);
  t.is(acc.waitingCallCount, 0);
  void acc.flush();
  t.deepEqual(ids(acc.drain(all).batches.get(1)), [[2, 3]], 'record 3 follows record 2');
});

test('a waiter that times out lets the next one try the room left', async (t) => {
  const { acc, clock } = harness({ lingerMs: 60_000, bufferBytes: 300, maxBlockMs: 100 });
  acc.append('t', [rec(1, 150)], new RecordingListener(), { partition: 0 });
  const big = acc.send('t', [rec(2, 200)], { partition: 1 });
  clock.advance(50);
  const small = acc.send('t', [rec(3, 10)], { partition: 1 });
  t.is(acc.waitingCallCount, 2);
  clock.advance(50);
  t.false((await big)[0]!.ok);
  t.is(acc.waitingCallCount, 0, 'the small record found room when the big one gave up');
  void acc.flush();
  const batches = acc.drain(all).batches.get(1)!;
  t.deepEqual(ids(batches), [[1], [3]]);
  for (const b of batches) acc.complete(b, 0n);
  t.true((await small)[0]!.ok);
});

test('re-queued batches go back in creation order, ahead of younger ones, after their backoff', async (t) => {
  const { acc, clock, readyCalls } = harness({ batchBytes: batchOf(1) });
  acc.append('t', [rec(1), rec(2), rec(3)], new RecordingListener(), { partition: 0 });
  const [b1] = acc.drain(all).batches.get(1)!;
  const [b2] = acc.drain(all).batches.get(1)!;
  t.deepEqual(ids([b1!, b2!]), [[1], [2]], 'one batch per partition per drain');
  acc.reenqueue(b2!, 100);
  acc.reenqueue(b1!, 100);
  clock.advance(50);
  const waiting = acc.drain(all);
  t.is(waiting.batches.size, 0, 'batch 3 does not overtake the retries');
  t.is(waiting.nextReadyInMs, 50);
  const before = readyCalls();
  clock.advance(50);
  await settleMicrotasks();
  t.true(readyCalls() > before, 'the end of the backoff wakes the sender');
  const order: number[][] = [];
  for (let i = 0; i < 3; i++) order.push(...ids(acc.drain(all).batches.get(1)));
  t.deepEqual(order, [[1], [2], [3]]);
  t.is(b1!.attempts, 2);
});

test('flush makes lingering batches ready and resolves when every batch is done', async (t) => {
  const { acc, readyCalls } = harness({ lingerMs: 60_000 });
  await acc.flush();
  for (const p of [0, 1, 2]) acc.append('t', [rec(p)], new RecordingListener(), { partition: p });
  t.is(acc.drain(all).batches.size, 0);
  let flushed = false;
  void acc.flush().then(() => (flushed = true));
  await settleMicrotasks();
  t.is(readyCalls(), 1);
  const batches = acc.drain(all).batches.get(1)!;
  t.is(batches.length, 3);
  acc.complete(batches[0]!, 0n);
  acc.fail(batches[1]!, new Error('broker said no'));
  await settleMicrotasks();
  t.false(flushed);
  acc.complete(batches[2]!, 0n);
  await settleMicrotasks();
  t.true(flushed);
  acc.append('t', [rec(9)], new RecordingListener(), { partition: 0 });
  t.is(acc.drain(all).batches.size, 0, 'after the flush, linger applies again');
});

test('flush also waits for records still waiting for room', async (t) => {
  const { acc } = harness({ lingerMs: 60_000, bufferBytes: batchOf(1), maxBlockMs: 10_000 });
  acc.append('t', [rec(1)], new RecordingListener(), { partition: 0 });
  acc.append('t', [rec(2)], new RecordingListener(), { partition: 0 });
  let flushed = false;
  void acc.flush().then(() => (flushed = true));
  acc.complete(acc.drain(all).batches.get(1)![0]!, 0n);
  await settleMicrotasks();
  t.false(flushed, 'record 2 was taken in only now');
  const [second] = acc.drain(all).batches.get(1)!;
  t.deepEqual(ids([second!]), [[2]]);
  acc.complete(second!, 1n);
  await settleMicrotasks();
  t.true(flushed);
});

test('each record hears its outcome exactly once, with its own offset and timestamp', (t) => {
  const { acc } = harness();
  const listener = new RecordingListener();
  acc.append('t', [rec(1), rec(2), { ...rec(3), timestamp: 2000 }], listener, { partition: 2 });
  const [batch] = acc.drain(all).batches.get(1)!;
  acc.complete(batch!, 100n);
  t.deepEqual(listener.deliveries, [
    { token: 0, partition: 2, offset: 100n, logAppendTime: -1 },
    { token: 1, partition: 2, offset: 101n, logAppendTime: -1 },
    { token: 2, partition: 2, offset: 102n, logAppendTime: -1 },
  ]);
  t.throws(() => acc.complete(batch!, 100n), { instanceOf: IllegalBatchStateError });
  t.throws(() => acc.fail(batch!, new Error('late')), { instanceOf: IllegalBatchStateError });
  t.throws(() => acc.reenqueue(batch!), { instanceOf: IllegalBatchStateError });
  t.deepEqual([0, 1, 2].map((i) => listener.reportsFor(i)), [1, 1, 1]);
  t.is(acc.usedBytes, 0);
});

test('outcomes carry each record its offset and own timestamp, also across batches of one call', async (t) => {
  const { acc } = harness({ batchBytes: batchOf(2) });
  const outcomes = acc.send('t', [rec(1), { ...rec(2), timestamp: 1001 }, rec(3)], { partition: 0 });
  const [first] = acc.drain(all).batches.get(1)!;
  const [second] = acc.drain(all).batches.get(1)!;
  acc.complete(second!, 50n);
  acc.complete(first!, 10n);
  t.deepEqual(
    (await outcomes).map((o) => (o.ok ? [o.partition, o.offset, o.timestamp] : null)),
    [
      [0, 10n, 1000],
      [0, 11n, 1001],
      [0, 50n, 1000],
    ],
  );
});

test('LogAppendTime replaces the records timestamps in the outcome', async (t) => {
  const { acc } = harness();
  const outcomes = acc.send('t', [rec(1), rec(2)], { partition: 0 });
  acc.complete(acc.drain(all).batches.get(1)![0]!, 5n, 777);
  t.deepEqual(
    (await outcomes).map((o) => (o.ok ? [o.offset, o.timestamp] : null)),
    [
      [5n, 777],
      [6n, 777],
    ],
  );
});

test('a failed batch fails each of its records once with the given error', async (t) => {
  const { acc } = harness();
  const outcomes = acc.send('t', [rec(1), rec(2)], { partition: 1 });
  const error = new Error('NOT_LEADER_OR_FOLLOWER for good');
  acc.fail(acc.drain(all).batches.get(1)![0]!, error);
  t.deepEqual(await outcomes, [
    { ok: false, partition: 1, error },
    { ok: false, partition: 1, error },
  ]);
  t.is(acc.usedBytes, 0);
});

test('drain groups ready batches by leader, skips brokers not ready and reports leaderless topics', (t) => {
  const { acc } = harness({}, [1, 2, 1, -1]);
  for (const p of [0, 1, 2, 3]) acc.append('t', [rec(p)], new RecordingListener(), { partition: p });
  const first = acc.drain((node) => node !== 2);
  t.deepEqual([...first.batches.keys()], [1]);
  t.deepEqual(ids(first.batches.get(1)).sort(), [[0], [2]]);
  t.deepEqual([...first.unknownLeaderTopics], ['t']);
  const second = acc.drain(all);
  t.deepEqual(ids(second.batches.get(2)), [[1]]);
  t.is(acc.queuedBatchCount, 1, 'the leaderless partition keeps its batch');
});

test('one drain hands a broker no more than maxRequestBytes (but always one batch)', (t) => {
  const { acc } = harness({ maxRequestBytes: batchOf(1) + 1 });
  acc.append('t', [rec(1), rec(2)], new RecordingListener(), { partition: 0 });
  acc.append('t', [rec(3)], new RecordingListener(), { partition: 1 });
  const first = acc.drain(all);
  t.is(first.batches.get(1)!.length, 1);
  t.is(first.nextReadyInMs, 0, 'more is ready right away');
  t.is(acc.drain(all).batches.get(1)!.length, 1);
});

test('batches left unsent past deliveryTimeoutMs fail with DELIVERY_TIMEOUT and free their bytes', async (t) => {
  const { acc, clock } = harness({ deliveryTimeoutMs: 100 }, [-1]);
  const outcomes = acc.send('t', [rec(1)]);
  clock.advance(99);
  acc.drain(all);
  t.is(acc.queuedBatchCount, 1);
  clock.advance(1);
  acc.drain(all);
  const [outcome] = await outcomes;
  t.false(outcome!.ok);
  t.is((outcome as RecordFailed).error.name, 'DeliveryTimeoutError');
  t.regex((outcome as RecordFailed).error.message, /waited 100 ms without being sent, over deliveryTimeoutMs=100/);
  t.is(acc.usedBytes, 0);
});

test('keyless records stick to one partition until its batch is full, then move to another', (t) => {
  const values = [0.0, 0.5];
  const { acc } = harness({ lingerMs: 60_000, batchBytes: batchOf(3), random: () => values.shift()! }, [1, 1, 1, 1]);
  const listener = new RecordingListener();
  acc.append('t', [1, 2, 3, 4, 5].map((i) => rec(i)), listener);
  const drained = acc.drain(all).batches.get(1)!;
  t.deepEqual(ids(drained), [[1, 2, 3]]);
  t.is(drained[0]!.partition, 0);
  acc.complete(drained[0]!, 0n);
  t.deepEqual(listener.deliveries.map((d) => d.partition), [0, 0, 0]);
  // Records 4 and 5 went on together: random 0.5 among the three other partitions picks the
  // second of them, partition 2. Failing the rest shows where they waited.
  acc.abort(new Error('stop'));
  t.deepEqual(listener.failures.map((f) => [f.token, f.partition]), [[3, 2], [4, 2]]);
});

test('a keyless record after the sticky batch was sent starts on another partition', (t) => {
  const { acc } = harness({ lingerMs: 0 }, [1, 1, 1, 1]);
  const listener = new RecordingListener();
  const partitions: number[] = [];
  for (let i = 0; i < 40; i++) {
    acc.append('t', [rec(i)], listener);
    const [batch] = acc.drain(all).batches.get(1)!;
    partitions.push(batch!.partition);
    acc.complete(batch!, 0n);
  }
  for (let i = 1; i < partitions.length; i++) t.not(partitions[i], partitions[i - 1]);
});

test('keyless batches spread over all partitions with a leader, never onto one without', (t) => {
  const leaders = [1, 2, -1, 1, 2, 1, -1, 2];
  const { acc } = harness({ lingerMs: 60_000, batchBytes: batchOf(2) }, leaders);
  const listener = new RecordingListener();
  acc.append('t', Array.from({ length: 2000 }, (_, i) => rec(i)), listener);
  const used = new Set<number>();
  while (acc.queuedBatchCount > 0) {
    const drained = acc.drain(all);
    for (const batches of drained.batches.values()) {
      for (const b of batches) {
        used.add(b.partition);
        acc.complete(b, 0n);
      }
    }
    if (drained.batches.size === 0) acc.abort(new Error('unready batch left'));
  }
  t.deepEqual([...used].sort(), [0, 1, 3, 4, 5, 7]);
  t.is(listener.failures.length, 0);
  t.is(listener.deliveries.length, 2000);
});

test('keyed records go to the murmur2 partition, explicit partitions win over keys', (t) => {
  const { acc } = harness({}, new Array<number>(12).fill(1));
  const listener = new RecordingListener();
  const key = Buffer.from('user-42');
  acc.append('t', [rec(1, 20, key), rec(2, 20, key)], listener);
  acc.append('t', [rec(3, 20, key)], listener, { partition: 11 });
  const batches = acc.drain(all).batches.get(1)!;
  // partitionForKey('user-42', 12), pinned against Java by the partitioner tests.
  const keyed = batches.find((b) => b.records.some((r) => idOf(r) === 1))!;
  t.deepEqual(ids([keyed]), [[1, 2]]);
  t.not(keyed.partition, 11);
  t.deepEqual(ids([batches.find((b) => b.partition === 11)!]), [[3]]);
});

test('bad records, unknown topics and partitions fail with typed errors without stopping the call', async (t) => {
  const { acc } = harness();
  const outcomes = acc.send('t', [rec(1), { ...rec(2), timestamp: -5 }, { ...rec(3), value: 'text' as unknown as Buffer }, rec(4)], {
    partition: 0,
  });
  acc.complete(acc.drain(all).batches.get(1)![0]!, 10n);
  const result = await outcomes;
  t.deepEqual(result.map((o) => (o.ok ? o.offset : codeOf(o.error))), [10n, 'INVALID_RECORD', 'INVALID_RECORD', 11n]);
  const [ghost] = await acc.send('ghost', [rec(5)]);
  t.is((ghost as RecordFailed).error.name, 'UnknownTopicError');
  const [outside] = await acc.send('t', [rec(6)], { partition: 3 });
  t.is(codeOf((outside as RecordFailed).error), 'INVALID_PARTITION');
  await t.throwsAsync(acc.send('t', 'nope' as unknown as []), { message: /records must be an array/ });
});

test('close refuses new records and resolves once the taken ones are done; abort fails what is left', async (t) => {
  const { acc } = harness({ bufferBytes: batchOf(1), maxBlockMs: 10_000 });
  const inFlight = acc.send('t', [rec(1)], { partition: 0 });
  const [batch] = acc.drain(all).batches.get(1)!;
  const waiting = acc.send('t', [rec(2)], { partition: 0 });
  let closed = false;
  void acc.close().then(() => (closed = true));
  const [refused] = await acc.send('t', [rec(3)]);
  t.is(codeOf((refused as RecordFailed).error), 'PRODUCER_CLOSED');
  acc.abort(new Error('shutting down'));
  t.regex(((await waiting)[0] as RecordFailed).error.message, /shutting down/);
  await settleMicrotasks();
  t.false(closed, 'the batch in flight is still with the sender');
  acc.complete(batch!, 0n);
  t.true((await inFlight)[0]!.ok);
  await settleMicrotasks();
  t.true(closed);
  t.is(acc.usedBytes, 0);
});

test('bad options are refused with INVALID_PRODUCER_OPTIONS', (t) => {
  t.throws(() => harness({ batchBytes: 0 }), { message: /batchBytes must be a finite number >= 1/ });
  t.throws(() => harness({ lingerMs: -1 }), { message: /lingerMs/ });
  t.throws(() => harness({ bufferBytes: RECORD_BATCH_OVERHEAD }), { message: /bufferBytes/ });
  t.throws(() => harness({ maxBlockMs: Number.NaN }), { message: /maxBlockMs/ });
});
