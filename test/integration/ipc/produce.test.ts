/**
 * The produce method end to end: a real daemon process (kafka-sidecar start) against the run's
 * brokers, called over its Unix socket and over NATS with the client library, and what it wrote
 * read back by kcat byte for byte. Also: per-message errors, acks levels, bad params.
 */
import test from 'ava';
import { connect, SidecarError, type ProduceResult, type SidecarClient } from '../../../client/index.js';
import { startDaemon, type DaemonProcess } from '../../helpers/daemon-process.js';
import { kafkaEnv } from '../../helpers/kafka.js';
import { natsEnv } from '../../helpers/nats.js';
import { startCluster, type TestCluster } from '../machines/admin/cluster-fixture.js';
import { kcatRead, readyTopic } from '../machines/producer/producer-fixture.js';

let daemon: DaemonProcess;
let cluster: TestCluster;
let brokers: string;
let socketClient: SidecarClient;
let natsClient: SidecarClient;

test.before(async () => {
  const env = await kafkaEnv();
  const nats = await natsEnv();
  brokers = env.brokers.join(',');
  cluster = await startCluster(env.brokers);
  const prefix = `ks-produce-${process.pid}`;
  daemon = await startDaemon({
    KAFKA_SIDECAR_KAFKA_BROKERS: brokers,
    KAFKA_SIDECAR_SHUTDOWN_TIMEOUT_MS: '15000',
    KAFKA_SIDECAR_NATS_ENABLED: 'true',
    KAFKA_SIDECAR_NATS_SERVERS: nats.url,
    KAFKA_SIDECAR_NATS_PREFIX: prefix,
    KAFKA_SIDECAR_PRODUCER_COMPRESSION: 'lz4',
  });
  socketClient = await connect({ socketPath: daemon.socketPath, client: 'produce-test', timeoutMs: 90_000 });
  natsClient = await connect({ nats: { servers: nats.url, prefix }, client: 'produce-test-nats', timeoutMs: 90_000 });
});

test.after.always(async () => {
  await socketClient?.close();
  await natsClient?.close();
  const code = await daemon?.stop();
  cluster?.stop();
  if (code !== 0 && daemon) console.error(daemon.stderr());
});

/** Binary keys, values and headers (no NUL in header values: kcat prints those as C strings). */
function binaryMessages(n: number, base: number) {
  return Array.from({ length: n }, (_, i) => ({
    key: i % 4 === 0 ? null : Buffer.from([0xff, 0x00, i & 0xff, 0x80]).toString('base64'),
    value: i % 6 === 5 ? null : Buffer.concat([Buffer.from([0x00, 0xc3, 0x28, i & 0xff]), Buffer.alloc(i % 30, 0xfe)]).toString('base64'),
    headers: (i % 3 === 0
      ? [
          ['dup', Buffer.from('x').toString('base64')],
          ['dup', Buffer.from([0xc3, 0x28, 0xff]).toString('base64')],
        ]
      : []) as [string, string][],
    timestamp: base + i,
    partition: i % 2,
  }));
}

for (const transport of ['unix', 'nats'] as const) {
  test.serial(`produce over ${transport}: binary keys, values, headers and timestamps are read back by kcat byte for byte`, async (t) => {
    const client = transport === 'unix' ? socketClient : natsClient;
    const topic = await readyTopic(cluster.client, `ipc-produce-${transport}`, 2);
    // Recent timestamps: the broker's 7-day retention would delete older records before kcat reads them.
    const messages = binaryMessages(40, Date.now() - 3_600_000);
    const reply = await client.produce(topic, messages, { encoding: 'base64' });
    t.is(reply.results.length, messages.length);
    const offsets = [0, 0];
    reply.results.forEach((r, i) => {
      t.false('error' in r, JSON.stringify(r));
      if ('partition' in r) {
        t.is(r.partition, i % 2);
        t.is(r.offset, String(offsets[i % 2]++));
      }
    });
    for (const partition of [0, 1]) {
      const read = await kcatRead(brokers, topic, 20, ['-p', String(partition)]);
      const sent = messages.filter((m) => m.partition === partition);
      t.is(read.length, sent.length);
      read.forEach((r, i) => {
        const m = sent[i]!;
        t.deepEqual(r.key, m.key === null ? null : Buffer.from(m.key, 'base64'));
        t.deepEqual(r.value, m.value === null ? null : Buffer.from(m.value, 'base64'));
        t.is(r.timestamp, m.timestamp);
        t.is(r.headers, m.headers.map(([k, v]) => `${k}=${Buffer.from(v, 'base64').toString('latin1')}`).join(','));
      });
    }
  });
}

test.serial('utf8 and json encodings, and a message for a missing partition fails alone', async (t) => {
  const topic = await readyTopic(cluster.client, 'ipc-produce-mixed', 1);
  const reply = await socketClient.produce(topic, [{ key: 'k1', value: 'héllo', headers: { a: 'b' } }, { value: 'lost', partition: 3 }, { value: 'x' }]);
  t.like(reply.results[0], { partition: 0, offset: '0' });
  const failed = reply.results[1] as Extract<ProduceResult, { error: unknown }>;
  t.is(failed.error.code, 'INVALID_PARTITION');
  t.false(failed.error.retriable);
  t.like(reply.results[2], { partition: 0, offset: '1' });
  const json = await socketClient.produce(topic, [{ key: { id: 7 }, value: { n: [1, 2] } }], { encoding: 'json' });
  t.like(json.results[0], { partition: 0, offset: '2' });
  const read = await kcatRead(brokers, topic, 3);
  t.deepEqual(
    read.map((r) => [r.key?.toString('utf8') ?? null, r.value?.toString('utf8') ?? null, r.headers]),
    [
      ['k1', 'héllo', 'a=b'],
      [null, 'x', ''],
      ['{"id":7}', '{"n":[1,2]}', ''],
    ],
  );
});

test.serial('acks leader and none over the socket', async (t) => {
  const topic = await readyTopic(cluster.client, 'ipc-produce-acks', 1);
  const leader = await socketClient.produce(topic, [{ value: 'a' }], { acks: 'leader' });
  t.like(leader.results[0], { partition: 0, offset: '0' });
  const none = await socketClient.produce(topic, [{ value: 'b' }], { acks: 'none' });
  t.like(none.results[0], { partition: 0, offset: '-1' });
  const read = await kcatRead(brokers, topic, 2);
  t.deepEqual(read.map((r) => r.value?.toString()), ['a', 'b']);
});

test.serial('bad params are -32602 naming the field', async (t) => {
  const missing = await t.throwsAsync(socketClient.call('produce', { topic: 'x', messages: [{ key: 'k' }] }), { instanceOf: SidecarError });
  t.is(missing?.rpcCode, -32602);
  t.is(missing?.data.field, 'params.messages[0].value');
  const badB64 = await t.throwsAsync(socketClient.call('produce', { topic: 'x', messages: [{ value: '%%%' }], encoding: 'base64' }), { instanceOf: SidecarError });
  t.is(badB64?.data.field, 'params.messages[0].value');
  const acks = await t.throwsAsync(socketClient.call('produce', { topic: 'x', messages: [{ value: 'v' }], acks: 2 }), { instanceOf: SidecarError });
  t.is(acks?.data.field, 'params.acks');
  const empty = await t.throwsAsync(socketClient.call('produce', { topic: 'x', messages: [] }), { instanceOf: SidecarError });
  t.is(empty?.data.field, 'params.messages');
});
