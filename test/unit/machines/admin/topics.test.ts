/** createTopics, deleteTopics and listTopics against a scripted broker: retries, per-topic results, version shapes. */
import test from 'ava';
import { createTopics } from '../../../../machines/admin/create-topics.js';
import { deleteTopics } from '../../../../machines/admin/delete-topics.js';
import { listTopics } from '../../../../machines/admin/list-topics.js';
import { KafkaErrorCode, KafkaProtocolError } from '../../../../protocol/errors/kafka-error.js';
import type { CreateTopicsRequest } from '../../../../protocol/messages/create-topics.js';
import type { DeleteTopicsRequest } from '../../../../protocol/messages/delete-topics.js';
import { ApiKey, startFakeCluster } from './fake-cluster.js';

function createdAnswer(names: Array<[string, number]>): { body: unknown } {
  return {
    body: {
      throttleTimeMs: 0,
      topics: names.map(([name, errorCode]) => ({
        name,
        topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
        errorCode,
        errorMessage: errorCode === 0 ? null : `broker says ${errorCode}`,
        numPartitions: -1,
        replicationFactor: -1,
        configs: null,
      })),
    },
  };
}

test('createTopics resends only the topics answered NOT_CONTROLLER and keeps other per-topic errors', async (t) => {
  const fake = await startFakeCluster();
  t.teardown(() => fake.stop());
  let call = 0;
  fake.broker.on(ApiKey.createTopics, (req) => {
    const names = (req.body as CreateTopicsRequest).topics.map((x) => x.name);
    call++;
    if (call === 1) return createdAnswer(names.map((n) => [n, n === 'moved' ? KafkaErrorCode.NOT_CONTROLLER : KafkaErrorCode.TOPIC_ALREADY_EXISTS]));
    return createdAnswer(names.map((n) => [n, 0]));
  });
  const results = await createTopics(
    fake.client,
    [
      { name: 'moved', partitions: 3, configs: { 'cleanup.policy': 'compact' } },
      { name: 'exists', partitions: 1, replicationFactor: 2 },
    ],
    { timeoutMs: 5000 },
  );
  t.is(results[0].name, 'moved');
  t.is(results[0].error, null);
  t.is(results[1].name, 'exists');
  t.is((results[1].error as KafkaProtocolError).code, 'TOPIC_ALREADY_EXISTS');
  t.is((results[1].error as KafkaProtocolError).brokerMessage, 'broker says 36');

  const requests = fake.received(ApiKey.createTopics).map((r) => r.body as CreateTopicsRequest);
  t.deepEqual(requests.map((r) => r.topics.map((x) => x.name)), [['moved', 'exists'], ['moved']]);
  const first = requests[0].topics;
  t.deepEqual(
    first.map((x) => [x.numPartitions, x.replicationFactor, x.configs]),
    [
      [3, -1, [{ name: 'cleanup.policy', value: 'compact' }]],
      [1, 2, []],
    ],
  );
  t.true(requests[0].timeoutMs > 0 && requests[0].timeoutMs < 5000);
});

test('createTopics gives a topic its last NOT_CONTROLLER when the controller never settles in time', async (t) => {
  const fake = await startFakeCluster();
  t.teardown(() => fake.stop());
  fake.broker.on(ApiKey.createTopics, (req) => createdAnswer((req.body as CreateTopicsRequest).topics.map((x) => [x.name, KafkaErrorCode.NOT_CONTROLLER])));
  const started = Date.now();
  const [result] = await createTopics(fake.client, [{ name: 'nowhere', partitions: 1 }], { timeoutMs: 1500 });
  t.true(Date.now() - started < 4000);
  t.is((result.error as KafkaProtocolError).code, 'NOT_CONTROLLER');
  t.true((result.error as KafkaProtocolError).retriable);
  t.true(fake.received(ApiKey.createTopics).length >= 2);
});

test('createTopics asks for replication factor 1 where the broker has no -1 default (v3)', async (t) => {
  const fake = await startFakeCluster({ [ApiKey.createTopics]: { min: 0, max: 3 } });
  t.teardown(() => fake.stop());
  fake.broker.on(ApiKey.createTopics, (req) => createdAnswer((req.body as CreateTopicsRequest).topics.map((x) => [x.name, 0])));
  await createTopics(fake.client, [{ name: 'old', partitions: 2 }], { timeoutMs: 5000 });
  const [request] = fake.received(ApiKey.createTopics);
  t.is(request.version, 3);
  t.is((request.body as CreateTopicsRequest).topics[0].replicationFactor, 1);
});

function deletedAnswer(req: { version: number; body: unknown }, errorCode: (name: string) => number): { body: unknown } {
  const body = req.body as DeleteTopicsRequest;
  const names = req.version >= 6 ? (body.topics ?? []).map((x) => x.name as string) : (body.topicNames ?? []);
  return { body: { throttleTimeMs: 0, responses: names.map((name) => ({ name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', errorCode: errorCode(name), errorMessage: null })) } };
}

for (const [max, shape] of [
  [6, 'topic states'],
  [5, 'topic names'],
] as const) {
  test(`deleteTopics names topics as ${shape} at DeleteTopics v${max}, with per-topic results`, async (t) => {
    const fake = await startFakeCluster({ [ApiKey.deleteTopics]: { min: 0, max } });
    t.teardown(() => fake.stop());
    fake.broker.on(ApiKey.deleteTopics, (req) => deletedAnswer(req, (name) => (name === 'missing' ? KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION : 0)));
    const results = await deleteTopics(fake.client, ['gone', 'missing'], { timeoutMs: 5000 });
    t.deepEqual(results.map((r) => [r.name, (r.error as KafkaProtocolError | null)?.code ?? null]), [
      ['gone', null],
      ['missing', 'UNKNOWN_TOPIC_OR_PARTITION'],
    ]);
    const [request] = fake.received(ApiKey.deleteTopics);
    t.is(request.version, max);
    const body = request.body as DeleteTopicsRequest;
    if (max >= 6) t.deepEqual(body.topics?.map((x) => x.name), ['gone', 'missing']);
    else t.deepEqual(body.topicNames, ['gone', 'missing']);
  });
}

test('deleteTopics gives a topic the broker leaves out of its answer INVALID_RESPONSE', async (t) => {
  const fake = await startFakeCluster({ [ApiKey.deleteTopics]: { min: 0, max: 3 } });
  t.teardown(() => fake.stop());
  fake.broker.on(ApiKey.deleteTopics, () => ({ body: { throttleTimeMs: 0, responses: [] } }));
  const results = await deleteTopics(fake.client, ['unanswered'], { timeoutMs: 5000 });
  t.is((results[0].error as { code?: string }).code, 'INVALID_RESPONSE');
});

test('listTopics asks every topic of a fresh Metadata and sorts them by name', async (t) => {
  const fake = await startFakeCluster();
  t.teardown(() => fake.stop());
  fake.topics.set('zeta', 2).set('alpha', 5);
  const before = fake.received(ApiKey.metadata).length;
  t.deepEqual(await listTopics(fake.client, { timeoutMs: 5000 }), [
    { name: 'alpha', partitions: 5, internal: false },
    { name: 'zeta', partitions: 2, internal: false },
  ]);
  const asked = fake.received(ApiKey.metadata).slice(before);
  t.is(asked.length, 1);
  t.is((asked[0].body as { topics: unknown }).topics, null);
});

test('createTopics fails as a whole with the retriable request error when the controller never answers in time', async (t) => {
  const fake = await startFakeCluster();
  t.teardown(() => fake.stop());
  fake.broker.on(ApiKey.createTopics, () => 'silent');
  const started = Date.now();
  const error = await t.throwsAsync(createTopics(fake.client, [{ name: 'silence', partitions: 1 }], { timeoutMs: 600 }));
  t.true(Date.now() - started < 3000);
  t.like(error, { code: 'REQUEST_TIMEOUT', retriable: true });
});

test("createTopics keeps a topic's last answer when a later resend gets no answer before the deadline", async (t) => {
  const fake = await startFakeCluster();
  t.teardown(() => fake.stop());
  let calls = 0;
  fake.broker.on(ApiKey.createTopics, (req) => {
    calls++;
    return calls === 1 ? createdAnswer((req.body as CreateTopicsRequest).topics.map((x) => [x.name, KafkaErrorCode.NOT_CONTROLLER])) : 'silent';
  });
  const [result] = await createTopics(fake.client, [{ name: 'unsettled', partitions: 1 }], { timeoutMs: 1000 });
  t.is((result.error as KafkaProtocolError).code, 'NOT_CONTROLLER');
  t.is(calls, 2);
});
