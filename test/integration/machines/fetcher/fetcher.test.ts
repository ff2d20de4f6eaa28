/**
 * The fetcher against the run's real brokers (4.1.1, 3.9.1 or 2.8.2): records produced by
 * kcat (librdkafka) in every codec come back exactly as kcat itself reads them; seek,
 * pause/resume, offset resets per policy, and the bounded buffer behave as documented.
 */
import test from 'ava';
import { kcatOk } from '../../../helpers/kcat.js';
import { OffsetOutOfRangeError } from '../../../../machines/fetcher/errors.js';
import { clusterPerFile } from '../admin/cluster-fixture.js';
import { collect, kcatProduce, readyTopic, sleep, text } from './fetch-fixture.js';

const shared = clusterPerFile(test);

interface KcatMessage {
  offset: number;
  key: string | null;
  payload: string | null;
  headers?: (string | null)[];
}

async function kcatRead(topic: string, partition: number, count: number): Promise<KcatMessage[]> {
  const out = await kcatOk(['-C', '-b', shared.brokers, '-t', topic, '-p', String(partition), '-o', 'beginning', '-c', String(count), '-e', '-J']);
  return out
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as KcatMessage);
}

for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
  test.serial(`records compressed with ${codec} by kcat come back exactly as kcat reads them, from earliest`, async (t) => {
    const topic = await readyTopic(shared.cluster.client, `fetch-${codec}`, 1);
    const lines = Array.from({ length: 300 }, (_, i) => (i % 10 === 3 ? `key-${i}:` : i % 10 === 7 ? `:value-${i}` : `key-${i}:value-${i}-${'x'.repeat(i % 50)}`));
    // Two produce calls: at least two batches, the second starting at a non-zero offset.
    await kcatProduce(shared.brokers, topic, 0, codec, lines.slice(0, 150), ['h1=one', 'h2=two', 'h1=again']);
    await kcatProduce(shared.brokers, topic, 0, codec, lines.slice(150));
    const reference = await kcatRead(topic, 0, lines.length);
    t.is(reference.length, lines.length);

    const c = collect(shared.cluster.client);
    try {
      c.fetcher.assign([{ topic, partition: 0, position: 'earliest' }]);
      await c.waitFor(0, lines.length);
      await sleep(300);
      const got = c.records.get(0) ?? [];
      t.is(got.length, lines.length, 'no record twice, none missing');
      t.deepEqual(
        got.map((r) => ({ offset: Number(r.offset), key: text(r.key), payload: text(r.value), headers: r.headers.flatMap(([k, v]) => [k, text(v)]) })),
        reference.map((m) => ({ offset: m.offset, key: m.key, payload: m.payload, headers: m.headers ?? [] })),
      );
      t.true(got.some((r) => r.value === null), 'null values arrive as null');
      t.true(got.some((r) => r.key === null), 'null keys arrive as null');
      t.deepEqual(c.errors, []);
    } finally {
      await c.fetcher.stop();
    }
  });
}

test.serial('seek moves the position back and forward; answers for the old position are not delivered', async (t) => {
  const topic = await readyTopic(shared.cluster.client, 'fetch-seek', 1);
  await kcatProduce(shared.brokers, topic, 0, 'none', Array.from({ length: 50 }, (_, i) => `k${i}:v${i}`));
  const c = collect(shared.cluster.client);
  try {
    c.fetcher.assign([{ topic, partition: 0, position: 40n }]);
    await c.waitFor(0, 10);
    t.deepEqual((c.records.get(0) ?? []).map((r) => Number(r.offset)), Array.from({ length: 10 }, (_, i) => 40 + i));
    c.records.set(0, []);
    c.fetcher.seek({ topic, partition: 0 }, 5n);
    await c.waitFor(0, 45);
    t.is(Number(c.records.get(0)?.[0]?.offset), 5);
    t.is(text(c.records.get(0)?.[0]?.value ?? null), 'v5');
    t.is(c.fetcher.positions()[0].position, 50n);
  } finally {
    await c.fetcher.stop();
  }
});

test.serial('a paused partition is not fetched until resumed; the others keep flowing', async (t) => {
  const topic = await readyTopic(shared.cluster.client, 'fetch-pause', 2);
  const c = collect(shared.cluster.client);
  try {
    c.fetcher.assign([
      { topic, partition: 0, position: 0n },
      { topic, partition: 1, position: 0n },
    ]);
    c.fetcher.pause([{ topic, partition: 0 }]);
    await kcatProduce(shared.brokers, topic, 0, 'none', ['a:0', 'b:0']);
    await kcatProduce(shared.brokers, topic, 1, 'none', ['a:1', 'b:1', 'c:1']);
    await c.waitFor(1, 3);
    await sleep(1000);
    t.is(c.count(0), 0, 'nothing of the paused partition');
    c.fetcher.resume([{ topic, partition: 0 }]);
    await c.waitFor(0, 2);
    t.is(c.count(1), 3);
  } finally {
    await c.fetcher.stop();
  }
});

test.serial('an out-of-range position resets to earliest, to latest, or (policy none) reports OffsetOutOfRangeError', async (t) => {
  const topic = await readyTopic(shared.cluster.client, 'fetch-range', 1);
  await kcatProduce(shared.brokers, topic, 0, 'none', Array.from({ length: 10 }, (_, i) => `k${i}:v${i}`));

  const early = collect(shared.cluster.client, { resetPolicy: 'earliest' });
  const late = collect(shared.cluster.client, { resetPolicy: 'latest' });
  const none = collect(shared.cluster.client, { resetPolicy: 'none' });
  try {
    early.fetcher.assign([{ topic, partition: 0, position: 1000n }]);
    late.fetcher.assign([{ topic, partition: 0, position: 1000n }]);
    none.fetcher.assign([{ topic, partition: 0, position: 1000n }]);

    await early.waitFor(0, 10);
    t.is(Number(early.records.get(0)?.[0]?.offset), 0);

    const error = await none.waitForError();
    t.true(error instanceof OffsetOutOfRangeError);
    t.is((error as OffsetOutOfRangeError).offset, 1000n);
    t.is((error as OffsetOutOfRangeError).code, 'OFFSET_OUT_OF_RANGE');

    // "latest" lands on offset 10: only what is produced after the reset arrives.
    await eventuallyPosition(late, 10n);
    await kcatProduce(shared.brokers, topic, 0, 'none', ['k10:v10']);
    await late.waitFor(0, 1);
    t.deepEqual((late.records.get(0) ?? []).map((r) => Number(r.offset)), [10]);

    // A seek restarts the failed partition.
    none.fetcher.seek({ topic, partition: 0 }, 'earliest');
    await none.waitFor(0, 11);
    t.is(none.errors.length, 1);
  } finally {
    await Promise.all([early.fetcher.stop(), late.fetcher.stop(), none.fetcher.stop()]);
  }
});

async function eventuallyPosition(c: ReturnType<typeof collect>, position: bigint): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (c.fetcher.positions()[0]?.position === position) return;
    await sleep(100);
  }
  throw new Error(`position never reached ${position}: ${String(c.fetcher.positions()[0]?.position)}`);
}

test.serial('a partition whose buffer is full is not fetched until the consumer releases it', async (t) => {
  const topic = await readyTopic(shared.cluster.client, 'fetch-buffer', 1);
  const value = 'v'.repeat(1000);
  // Many small produce calls: many batches, so one fetch can hold just part of the log.
  for (let i = 0; i < 20; i++) await kcatProduce(shared.brokers, topic, 0, 'none', Array.from({ length: 10 }, (_, j) => `k${i * 10 + j}:${value}`));
  const c = collect(shared.cluster.client, { partitionMaxBytes: 4096, maxPartitionBufferedBytes: 8192 }, false);
  try {
    c.fetcher.assign([{ topic, partition: 0, position: 0n }]);
    await c.waitFor(0, 1);
    await sleep(1500);
    const held = c.batches.reduce((n, b) => n + b.bytes, 0);
    t.true(c.count(0) < 200, `stopped before the end (has ${c.count(0)})`);
    t.true(held >= 8192 && held < 8192 + 2 * 4096 + 20_000, `buffer bounded (holds ${held} bytes)`);
    const before = c.count(0);
    await sleep(1000);
    t.is(c.count(0), before, 'no fetching while full');
    c.autoRelease = true;
    for (const b of c.batches) b.release();
    await c.waitFor(0, 200);
    t.deepEqual((c.records.get(0) ?? []).map((r) => Number(r.offset)), Array.from({ length: 200 }, (_, i) => i));
  } finally {
    await c.fetcher.stop();
  }
});

test.serial('full fetches without sessions fetch the same records as incremental sessions', async (t) => {
  const topic = await readyTopic(shared.cluster.client, 'fetch-nosession', 3);
  for (let p = 0; p < 3; p++) await kcatProduce(shared.brokers, topic, p, 'lz4', Array.from({ length: 30 }, (_, i) => `k${i}:p${p}-${i}`));
  const withSessions = collect(shared.cluster.client, { fetchSessions: true });
  const without = collect(shared.cluster.client, { fetchSessions: false });
  try {
    const all = [0, 1, 2].map((partition) => ({ topic, partition, position: 'earliest' as const }));
    withSessions.fetcher.assign(all);
    without.fetcher.assign(all);
    await Promise.all([withSessions.waitFor(undefined, 90), without.waitFor(undefined, 90)]);
    // Every version we support has Fetch v7+: the broker gave the session an id; without sessions there is none.
    t.true(withSessions.fetcher.loops().some((l) => l.sessionId !== 0), 'an incremental fetch session is in use');
    t.true(without.fetcher.loops().every((l) => l.sessionId === 0));
    // More records after the first answers: incremental requests must pick them up too.
    for (let p = 0; p < 3; p++) await kcatProduce(shared.brokers, topic, p, 'none', [`late:p${p}`]);
    await Promise.all([withSessions.waitFor(undefined, 93), without.waitFor(undefined, 93)]);
    for (let p = 0; p < 3; p++) {
      const a = (withSessions.records.get(p) ?? []).map((r) => `${r.offset}:${text(r.value)}`);
      const b = (without.records.get(p) ?? []).map((r) => `${r.offset}:${text(r.value)}`);
      t.deepEqual(a, b);
      t.is(a.length, 31);
    }
  } finally {
    await Promise.all([withSessions.fetcher.stop(), without.fetcher.stop()]);
  }
});
