/**
 * The producer actor against the run's real brokers: what it writes is read back by kcat
 * (librdkafka) byte for byte, for every codec; acks levels; per-record errors that leave the
 * other records of the call alone.
 */
import test from 'ava';
import type { RecordOutcome } from '../../../../machines/producer/delivery.js';
import type { OutgoingRecord, Producer } from '../../../../machines/producer/producer.js';
import { CompressionCodec, type CompressionCodecId } from '../../../../protocol/records/record-types.js';
import { listTopics } from '../../../../machines/admin/list-topics.js';
import { Lane } from '../../../../machines/cluster/cluster-client.js';
import { KafkaErrorCode } from '../../../../protocol/errors/kafka-error.js';
import { MetadataApi } from '../../../../protocol/messages/metadata.js';
import { eventually, clusterPerFile } from '../admin/cluster-fixture.js';
import { AclOperation, denyTopic, kcatRead, readyTopic, startProducer } from './producer-fixture.js';

const shared = clusterPerFile(test);

async function readyProducer(actor: ReturnType<typeof startProducer>): Promise<Producer> {
  await eventually('the producer to be ready', async () => (actor.getSnapshot().matches('ready') ? true : undefined));
  return actor.getSnapshot().context.producer;
}

function delivered(t: { fail(message: string): void }, outcomes: RecordOutcome[]): { partition: number; offset: bigint }[] {
  return outcomes.map((o, i) => {
    if (!o.ok) {
      t.fail(`record ${i} failed: ${o.error.message}`);
      return { partition: -1, offset: -1n };
    }
    return { partition: o.partition, offset: o.offset };
  });
}

/** Records that exercise every field: binary and null keys and values, duplicate and binary headers, set timestamps. */
function sampleRecords(n: number, base: number): OutgoingRecord[] {
  const out: OutgoingRecord[] = [];
  for (let i = 0; i < n; i++) {
    const binary = Buffer.from([0x00, 0xff, 0x10, i & 0xff, 0x80, 0x7f]);
    out.push({
      key: i % 5 === 0 ? null : i % 2 === 0 ? binary : Buffer.from(`key-${i}`),
      value: i % 7 === 3 ? null : Buffer.concat([Buffer.from(`value-${i}-`), binary, Buffer.alloc(i % 50, 0x61)]),
      headers:
        i % 3 === 0
          ? [
              ['h', Buffer.from('one')],
              ['h', Buffer.from('two')],
              // kcat prints header values as C strings: binary, but without a NUL byte.
              ['bin', Buffer.from([0x01, 0xfe, 0x41, 0x80, 0xff])],
            ]
          : [],
      timestamp: base + i,
      partition: 0,
    });
  }
  return out;
}

const codecs: [string, CompressionCodecId][] = [
  ['none', CompressionCodec.none],
  ['gzip', CompressionCodec.gzip],
  ['snappy', CompressionCodec.snappy],
  ['lz4', CompressionCodec.lz4],
  ['zstd', CompressionCodec.zstd],
];

for (const [name, compression] of codecs) {
  test.serial(`records compressed with ${name} are read back by kcat exactly: keys, values, nulls, headers, timestamps`, async (t) => {
    const topic = await readyTopic(shared.cluster.client, `producer-${name}`, 1);
    const actor = startProducer(shared.cluster.client, { compression });
    try {
      const producer = await readyProducer(actor);
      // Recent timestamps: the broker's 7-day retention would delete older records before they are read back.
      const records = sampleRecords(200, Date.now() - 3_600_000);
      const outcomes = await producer.send(topic, records);
      const offsets = delivered(t, outcomes);
      t.deepEqual(
        offsets.map((o) => o.offset),
        records.map((_, i) => BigInt(i)),
      );
      const read = await kcatRead(shared.brokers, topic, records.length);
      t.is(read.length, records.length);
      for (let i = 0; i < records.length; i++) {
        const want = records[i]!;
        const got = read[i]!;
        t.is(got.offset, BigInt(i));
        t.is(got.timestamp, want.timestamp, `timestamp of ${i}`);
        t.deepEqual(got.key, want.key, `key of ${i}`);
        t.deepEqual(got.value, want.value, `value of ${i}`);
        const headers = want.headers.map(([k, v]) => `${k}=${v === null ? '' : v.toString('latin1')}`).join(',');
        t.is(got.headers, headers, `headers of ${i}`);
      }
    } finally {
      actor.stop();
    }
  });
}

for (const acks of ['all', 'leader', 'none'] as const) {
  test.serial(`acks=${acks}: every record arrives once, in order`, async (t) => {
    const topic = await readyTopic(shared.cluster.client, `producer-acks-${acks}`, 1);
    const actor = startProducer(shared.cluster.client);
    try {
      const producer = await readyProducer(actor);
      const records = sampleRecords(50, Date.now());
      const outcomes = await producer.send(topic, records, acks);
      t.true(outcomes.every((o) => o.ok));
      // acks=none: no answer, so no offsets; acks=all/leader: the broker's offsets.
      const offsets = outcomes.map((o) => (o.ok ? o.offset : null));
      if (acks === 'none') t.true(offsets.every((o) => o !== null && o < 0n));
      else t.deepEqual(offsets, records.map((_, i) => BigInt(i)));
      const read = await kcatRead(shared.brokers, topic, records.length);
      t.deepEqual(
        read.map((r) => r.value),
        records.map((r) => r.value),
      );
    } finally {
      actor.stop();
    }
  });
}

test.serial('a record for a partition the topic lacks fails alone with a typed error; the others are written', async (t) => {
  const topic = await readyTopic(shared.cluster.client, 'producer-bad-partition', 2);
  const actor = startProducer(shared.cluster.client);
  try {
    const producer = await readyProducer(actor);
    const ts = Date.now();
    const records: OutgoingRecord[] = [
      { key: null, value: Buffer.from('a'), headers: [], timestamp: ts, partition: 0 },
      { key: null, value: Buffer.from('b'), headers: [], timestamp: ts, partition: 7 },
      { key: null, value: Buffer.from('c'), headers: [], timestamp: ts, partition: 1 },
      { key: Buffer.from('k'), value: Buffer.from('d'), headers: [], timestamp: ts },
    ];
    const outcomes = await producer.send(topic, records);
    t.true(outcomes[0]!.ok);
    t.true(outcomes[2]!.ok);
    t.true(outcomes[3]!.ok);
    const failed = outcomes[1]!;
    t.false(failed.ok);
    if (!failed.ok) {
      t.is((failed.error as { code?: string }).code, 'INVALID_PARTITION');
      t.false((failed.error as { retriable?: boolean }).retriable);
      t.regex(failed.error.message, /partition 7/);
    }
    const zero = await kcatRead(shared.brokers, topic, 1, ['-p', '0']);
    t.deepEqual(zero[0]!.value, Buffer.from('a'));
  } finally {
    actor.stop();
  }
});

test.serial('with autoCreateTopics off, a topic that does not exist fails its records at once with UNKNOWN_TOPIC_OR_PARTITION', async (t) => {
  // The run's brokers create topics on demand (auto.create.topics.enable=true): only the producer's
  // own setting keeps this topic from being created.
  const actor = startProducer(shared.cluster.client, { maxBlockMs: 30_000, autoCreateTopics: false });
  try {
    const producer = await readyProducer(actor);
    const topic = `no-such-topic-${Date.now()}`;
    const started = Date.now();
    const outcomes = await producer.send(topic, [
      { key: null, value: Buffer.from('x'), headers: [], timestamp: Date.now() },
      { key: null, value: Buffer.from('y'), headers: [], timestamp: Date.now() },
    ]);
    t.true(Date.now() - started < 30_000, 'the answer came before maxBlockMs');
    for (const outcome of outcomes) {
      t.false(outcome.ok);
      if (!outcome.ok) {
        t.is((outcome.error as { code?: string }).code, 'UNKNOWN_TOPIC_OR_PARTITION');
        t.regex(outcome.error.message, /autoCreateTopics is off/);
      }
    }
    const listed = await listTopics(shared.cluster.client, { timeoutMs: 10_000 });
    t.false(listed.some((l) => l.name === topic), 'the topic was not created');
  } finally {
    actor.stop();
  }
});

test.serial('a topic that does not exist is created by the broker on first produce (auto.create.topics.enable) and the records are read back by kcat', async (t) => {
  const actor = startProducer(shared.cluster.client);
  try {
    const producer = await readyProducer(actor);
    const topic = `auto-created-${Date.now()}`;
    const outcomes = await producer.send(topic, [
      { key: Buffer.from('k1'), value: Buffer.from('first'), headers: [], timestamp: Date.now() },
      { key: Buffer.from('k2'), value: Buffer.from('second'), headers: [], timestamp: Date.now() },
    ]);
    const offsets = delivered(t, outcomes);
    t.deepEqual(offsets.map((o) => o.offset), [0n, 1n]);
    const read = await kcatRead(shared.brokers, topic, 2);
    t.deepEqual(read.map((r) => r.value?.toString()), ['first', 'second']);
  } finally {
    actor.stop();
  }
});

/** Plaintext clients (as these tests' cluster actor) are User:ANONYMOUS to the authorizer. */
const ANONYMOUS = 'User:ANONYMOUS';
const records = (n: number, text: string): OutgoingRecord[] =>
  Array.from({ length: n }, (_, i) => ({ key: null, value: Buffer.from(`${text}-${i}`), headers: [], timestamp: Date.now(), partition: 0 }));
const codeOf = (outcome: RecordOutcome): string | undefined => (outcome.ok ? undefined : (outcome.error as { code?: string }).code);

test.serial('a topic the principal may not write to (ACL) fails its records with TOPIC_AUTHORIZATION_FAILED; another topic\'s records in flight at the same time are written', async (t) => {
  const denied = await readyTopic(shared.cluster.client, 'producer-acl-denied', 1);
  const open = await readyTopic(shared.cluster.client, 'producer-acl-open', 1);
  await denyTopic(shared.cluster.client, denied, ANONYMOUS, [AclOperation.write]);
  const actor = startProducer(shared.cluster.client);
  try {
    const producer = await readyProducer(actor);
    // ACLs reach every broker through the metadata log (KRaft) or ZooKeeper: until then a write may still pass.
    await eventually('the ACL to be enforced', async () => ((await producer.send(denied, records(1, 'probe'))).some((o) => codeOf(o) === 'TOPIC_AUTHORIZATION_FAILED') ? true : undefined));
    const [refused, written] = await Promise.all([producer.send(denied, records(5, 'no')), producer.send(open, records(5, 'yes'))]);
    t.deepEqual(refused.map(codeOf), Array(5).fill('TOPIC_AUTHORIZATION_FAILED'));
    t.deepEqual(delivered(t, written).map((o) => o.offset), [0n, 1n, 2n, 3n, 4n]);
    // The idempotent lane goes on after the refused batch: later records are written too.
    const later = await producer.send(open, records(1, 'later'));
    t.deepEqual(delivered(t, later).map((o) => o.offset), [5n]);
    const read = await kcatRead(shared.brokers, open, 6);
    t.deepEqual(read.map((r) => r.value?.toString()), ['yes-0', 'yes-1', 'yes-2', 'yes-3', 'yes-4', 'later-0']);
  } finally {
    actor.stop();
  }
});

test.serial('a topic the principal may not see or create (ACL) fails its records at once with TOPIC_AUTHORIZATION_FAILED and is not created', async (t) => {
  const hidden = `producer-acl-hidden-${Date.now()}`;
  await denyTopic(shared.cluster.client, hidden, ANONYMOUS, [AclOperation.describe, AclOperation.create]);
  const actor = startProducer(shared.cluster.client, { maxBlockMs: 30_000 });
  try {
    const producer = await readyProducer(actor);
    // Probed with a request that creates nothing: a produce before the ACL applies would create the topic.
    await eventually('the ACL to be enforced', async () => {
      const client = shared.cluster.client;
      const answer = await client.request(client.anyBroker(), Lane.control, MetadataApi, { topics: [{ name: hidden }], allowAutoTopicCreation: false }, { timeoutMs: 10_000 });
      return answer.topics[0]?.errorCode === KafkaErrorCode.TOPIC_AUTHORIZATION_FAILED ? true : undefined;
    });
    const outcomes = await producer.send(hidden, records(2, 'x'));
    t.deepEqual(outcomes.map(codeOf), ['TOPIC_AUTHORIZATION_FAILED', 'TOPIC_AUTHORIZATION_FAILED']);
    t.regex(outcomes[0]!.ok ? '' : outcomes[0]!.error.message, new RegExp(`TOPIC_AUTHORIZATION_FAILED.*topic "${hidden}"`));
    const listed = await listTopics(shared.cluster.client, { timeoutMs: 10_000 });
    t.false(listed.some((l) => l.name === hidden), 'the topic was not created');
  } finally {
    actor.stop();
  }
});

test.serial('a record larger than the topic allows fails with MESSAGE_TOO_LARGE from the broker; a small one in the same call is written', async (t) => {
  const topic = await readyTopic(shared.cluster.client, 'producer-too-large', 2, { 'max.message.bytes': '2000' });
  const actor = startProducer(shared.cluster.client);
  try {
    const producer = await readyProducer(actor);
    const ts = Date.now();
    const outcomes = await producer.send(topic, [
      { key: null, value: Buffer.alloc(5000, 0x62), headers: [], timestamp: ts, partition: 0 },
      { key: null, value: Buffer.from('small'), headers: [], timestamp: ts, partition: 1 },
    ]);
    t.false(outcomes[0]!.ok);
    if (!outcomes[0]!.ok) t.regex((outcomes[0]!.error as { code?: string }).code ?? '', /MESSAGE_TOO_LARGE|RECORD_LIST_TOO_LARGE/);
    t.true(outcomes[1]!.ok);
    // The idempotent lane recovers from the gap the failed batch left: later records still go.
    const later = await producer.send(topic, [{ key: null, value: Buffer.from('later'), headers: [], timestamp: ts, partition: 0 }]);
    t.true(later[0]!.ok, later[0]!.ok ? '' : later[0]!.error.message);
  } finally {
    actor.stop();
  }
});
