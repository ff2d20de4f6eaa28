/**
 * The admin methods end to end: an IpcServer on a temporary Unix socket with the methods
 * registered over a real cluster actor, called with the client library as an app would,
 * against the run's brokers. Checks the JSON shapes (offsets as decimal strings, per-topic
 * errors), Kafka errors as KafkaError and bad params as -32602 naming the field.
 */
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { connect, KafkaError, SidecarError, type SidecarClient } from '../../../client/index.js';
import { IpcServer } from '../../../ipc/ipc-server.js';
import { registerAdminMethods, type AdminOperations } from '../../../ipc/methods/admin.js';
import { ClusterNotReadyError } from '../../../machines/admin/errors.js';
import { RequestTimeoutError } from '../../../machines/connection/errors.js';
import { kafkaEnv } from '../../helpers/kafka.js';
import { CALL_TIMEOUT_MS, eventually, kcatProduce, startCluster, startKcatConsumer, uniqueName, type TestCluster } from '../machines/admin/cluster-fixture.js';

let cluster: TestCluster;
let server: IpcServer;
let client: SidecarClient;
let brokers: string;
let dir: string;

test.before(async () => {
  const env = await kafkaEnv();
  brokers = env.brokers.join(',');
  cluster = await startCluster(env.brokers);
  dir = await mkdtemp(join(tmpdir(), 'ks-admin-ipc-'));
  server = new IpcServer(
    { version: '0.0.0-test', socket: { path: join(dir, 'sidecar.sock'), mode: 0o600 }, maxFrameBytes: 1024 * 1024, nats: null },
    { logger: pino({ level: 'silent' }), status: { actors: () => [], subscriptions: () => [] } },
  );
  registerAdminMethods(server.methods, cluster.client, { timeoutMs: CALL_TIMEOUT_MS });
  await server.start();
  client = await connect({ socketPath: join(dir, 'sidecar.sock'), client: 'admin-ipc-test', timeoutMs: CALL_TIMEOUT_MS + 10_000 });
});

test.after.always(async () => {
  await client?.close();
  await server?.shutdown(1000);
  cluster?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface TopicResults {
  results: Array<{ name: string; error?: { code: string; message: string; retriable: boolean } }>;
}
interface Offsets {
  partitions: Array<{ partition: number; offset: string | null; timestamp?: number }>;
}

async function createReadyTopic(prefix: string, partitions: number): Promise<string> {
  const topic = uniqueName(prefix);
  const created = await client.call<TopicResults>('createTopics', { topics: [{ name: topic, partitions }] });
  if (created.results[0].error) throw new Error(`cannot create ${topic}: ${created.results[0].error.message}`);
  await eventually(`${topic} to answer listOffsets`, async () => {
    const r = await client.call<Offsets>('listOffsets', { topic, at: 'latest' });
    return r.partitions.length === partitions ? true : undefined;
  });
  return topic;
}

test('createTopics, listTopics and deleteTopics over the socket, with per-topic errors', async (t) => {
  const topic = uniqueName('ipc-admin-topic');
  const created = await client.call<TopicResults>('createTopics', { topics: [{ name: topic, partitions: 3, configs: { 'retention.ms': '7200000' } }] });
  t.deepEqual(created, { results: [{ name: topic }] });

  const again = await client.call<TopicResults>('createTopics', { topics: [{ name: topic, partitions: 3 }] });
  t.is(again.results[0].name, topic);
  t.like(again.results[0].error, { code: 'TOPIC_ALREADY_EXISTS', retriable: false });
  t.is(typeof again.results[0].error?.message, 'string');

  const listed = await eventually(`listTopics to show ${topic}`, async () => {
    const r = await client.call<{ topics: Array<{ name: string; partitions: number; internal: boolean }> }>('listTopics');
    return r.topics.find((x) => x.name === topic);
  });
  t.deepEqual(listed, { name: topic, partitions: 3, internal: false });

  t.deepEqual(await client.call<TopicResults>('deleteTopics', { topics: [topic] }), { results: [{ name: topic }] });
  const gone = await eventually(`a second delete of ${topic} to find it gone`, async () => {
    const r = await client.call<TopicResults>('deleteTopics', { topics: [topic] });
    return r.results[0].error;
  });
  t.like(gone, { code: 'UNKNOWN_TOPIC_OR_PARTITION' });
});

test('listOffsets answers offsets as decimal strings and an unknown topic as a KafkaError', async (t) => {
  const topic = await createReadyTopic('ipc-admin-offsets', 3);
  await kcatProduce(brokers, topic, 1, ['a', 'b', 'c', 'd', 'e']);
  const latest = await client.call<Offsets>('listOffsets', { topic, at: 'latest' });
  t.deepEqual(latest, {
    partitions: [
      { partition: 0, offset: '0' },
      { partition: 1, offset: '5' },
      { partition: 2, offset: '0' },
    ],
  });
  const earliest = await client.call<Offsets>('listOffsets', { topic, at: 'earliest' });
  t.deepEqual(earliest.partitions.map((p) => p.offset), ['0', '0', '0']);
  const byTime = await client.call<Offsets>('listOffsets', { topic, at: 0 });
  t.deepEqual(byTime.partitions.map((p) => p.offset), [null, '0', null]);
  t.is(typeof byTime.partitions[1].timestamp, 'number');

  const error = await t.throwsAsync(client.call('listOffsets', { topic: uniqueName('ipc-no-such-topic'), at: 'latest' }), { instanceOf: KafkaError });
  t.is(error?.code, 'UNKNOWN_TOPIC_OR_PARTITION');
  t.is(error?.rpcCode, -32010);
  await client.call('deleteTopics', { topics: [topic] });
});

test('describeGroup and listGroups over the socket show a kcat group with string offsets', async (t) => {
  const topic = await createReadyTopic('ipc-admin-group', 2);
  const group = uniqueName('ipc-admin-group');
  await kcatProduce(brokers, topic, 0, ['1', '2', '3']);
  const consumer = startKcatConsumer(brokers, group, topic, 'ipc-admin-consumer');
  t.teardown(() => consumer.kill());

  type Description = {
    group: string;
    state: string;
    protocolType: string;
    members: Array<{ memberId: string; clientId: string; host: string; assignment: Array<{ topic: string; partitions: number[] }> }>;
    offsets: Array<{ topic: string; partition: number; committed: string | null; end: string | null; lag: string | null }>;
  };
  const described = await eventually(`${group} to commit offset 3`, async () => {
    const d = await client.call<Description>('describeGroup', { group });
    return d.state === 'Stable' && d.offsets.some((o) => o.committed === '3') ? d : undefined;
  });
  t.is(described.protocolType, 'consumer');
  t.is(described.members.length, 1);
  t.like(described.members[0], { clientId: 'ipc-admin-consumer', assignment: [{ topic, partitions: [0, 1] }] });
  t.deepEqual(described.offsets, [
    { topic, partition: 0, committed: '3', end: '3', lag: '0' },
    { topic, partition: 1, committed: null, end: '0', lag: null },
  ]);
  const groups = await eventually(`listGroups to show ${group}`, async () => {
    const r = await client.call<{ groups: Array<{ group: string; protocolType: string; state?: string }> }>('listGroups');
    return r.groups.find((g) => g.group === group);
  });
  t.is(groups.protocolType, 'consumer');
  await consumer.stop();
  await client.call('deleteTopics', { topics: [topic] });
});

test('bad params are -32602 naming the field', async (t) => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['createTopics', { topics: [{ name: 'ok', partitions: 0 }] }, 'params.topics[0].partitions'],
    ['createTopics', { topics: [{ name: 'has space', partitions: 1 }] }, 'params.topics[0].name'],
    ['createTopics', { topics: [{ name: 'a', partitions: 1, configs: { 'retention.ms': 5 } }] }, 'params.topics[0].configs.retention.ms'],
    ['createTopics', { topics: [] }, 'params.topics'],
    ['deleteTopics', { topics: ['a', 'a'] }, 'params.topics[1]'],
    ['listOffsets', { topic: 'a', at: 'soon' }, 'params.at'],
    ['listOffsets', { topic: 'a', at: 'latest', partition: 1 }, 'params.partition'],
    ['describeGroup', {}, 'params.group'],
    ['listTopics', { all: true }, 'params.all'],
  ];
  for (const [method, params, field] of cases) {
    const error = await t.throwsAsync(client.call(method, params), { instanceOf: SidecarError }, `${method} ${JSON.stringify(params)}`);
    t.is(error?.rpcCode, -32602, method);
    t.is(error?.data.field, field, `${method} ${JSON.stringify(params)}`);
  }
});

test('failures on the way to the brokers keep their code: NOT_READY before bootstrap, others as coded errors', async (t) => {
  const failing = (error: Error) => async (): Promise<never> => {
    throw error;
  };
  const operations: AdminOperations = {
    createTopics: failing(new ClusterNotReadyError(100, new Error('no bootstrap broker reachable'))),
    deleteTopics: failing(new RequestTimeoutError('DeleteTopics', 100, 'sent, unanswered', '127.0.0.1:1')),
    listTopics: failing(new Error('a bug')),
    listOffsets: failing(new ClusterNotReadyError(100, new Error('x'))),
    listGroups: failing(new ClusterNotReadyError(100, new Error('x'))),
    describeGroup: failing(new ClusterNotReadyError(100, new Error('x'))),
  };
  const socketPath = join(dir, 'failing.sock');
  const failingServer = new IpcServer(
    { version: '0.0.0-test', socket: { path: socketPath, mode: 0o600 }, maxFrameBytes: 1024 * 1024, nats: null },
    { logger: pino({ level: 'silent' }), status: { actors: () => [], subscriptions: () => [] } },
  );
  registerAdminMethods(failingServer.methods, operations);
  await failingServer.start();
  const failingClient = await connect({ socketPath, timeoutMs: 10_000 });
  t.teardown(async () => {
    await failingClient.close();
    await failingServer.shutdown(1000);
  });

  const notReady = await t.throwsAsync(failingClient.call('createTopics', { topics: [{ name: 'a', partitions: 1 }] }), { instanceOf: SidecarError });
  t.like(notReady, { rpcCode: -32001, code: 'NOT_READY', retriable: true });
  const timedOut = await t.throwsAsync(failingClient.call('deleteTopics', { topics: ['a'] }), { instanceOf: SidecarError });
  t.like(timedOut, { rpcCode: -32010, code: 'REQUEST_TIMEOUT', retriable: true });
  const bug = await t.throwsAsync(failingClient.call('listTopics'), { instanceOf: SidecarError });
  t.like(bug, { rpcCode: -32603, code: 'INTERNAL_ERROR', retriable: false });
});
