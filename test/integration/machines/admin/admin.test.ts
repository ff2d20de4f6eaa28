/**
 * The admin operations against the run's real brokers (4.1.1, 3.9.1 or 2.8.2, whichever
 * KAFKA_VERSION and KAFKA_BROKERS name), checked with kcat (librdkafka) as an independent
 * client: topics it sees, records it produced, a consumer group it joined and committed in.
 */
import test from 'ava';
import { createTopics } from '../../../../machines/admin/create-topics.js';
import { deleteTopics } from '../../../../machines/admin/delete-topics.js';
import { describeGroup, listGroups } from '../../../../machines/admin/groups.js';
import { listOffsets } from '../../../../machines/admin/list-offsets.js';
import { listTopics } from '../../../../machines/admin/list-topics.js';
import { Lane } from '../../../../machines/cluster/cluster-client.js';
import { KafkaProtocolError } from '../../../../protocol/errors/kafka-error.js';
import { DescribeConfigsApi } from '../../../../protocol/messages/describe-configs.js';
import { CALL_TIMEOUT_MS, eventually, kcatProduce, kcatTopic, clusterPerFile, startKcatConsumer, uniqueName } from './cluster-fixture.js';

const timeout = { timeoutMs: CALL_TIMEOUT_MS };
const shared = clusterPerFile(test);

/** Creates a topic and waits until every partition has a leader that answers ListOffsets. */
async function readyTopic(prefix: string, partitions: number): Promise<string> {
  const topic = uniqueName(prefix);
  const [result] = await createTopics(shared.cluster.client, [{ name: topic, partitions }], timeout);
  if (result.error) throw result.error;
  await eventually(`${topic} to have leaders`, async () => ((await listOffsets(shared.cluster.client, topic, 'latest', timeout)).length === partitions ? true : undefined));
  return topic;
}

test('createTopics creates a topic with its partitions and configs; creating it again fails for that topic only', async (t) => {
  const topic = uniqueName('admin-create');
  const other = uniqueName('admin-create-other');
  const first = await createTopics(shared.cluster.client, [{ name: topic, partitions: 3, configs: { 'retention.ms': '3600000', 'cleanup.policy': 'compact' } }], timeout);
  t.deepEqual(first, [{ name: topic, error: null }]);

  const seen = await eventually(`kcat to see ${topic}`, () => kcatTopic(shared.brokers, topic));
  t.is(seen.partitions, 3);

  const TOPIC_RESOURCE = 2;
  const response = await shared.cluster.client.request(
    shared.cluster.client.anyBroker(),
    Lane.control,
    DescribeConfigsApi,
    { resources: [{ resourceType: TOPIC_RESOURCE, resourceName: topic, configurationKeys: ['retention.ms', 'cleanup.policy'] }] },
    timeout,
  );
  const configs = Object.fromEntries(response.results[0].configs.map((c) => [c.name, c.value]));
  t.deepEqual(configs, { 'retention.ms': '3600000', 'cleanup.policy': 'compact' });

  const second = await createTopics(shared.cluster.client, [{ name: topic, partitions: 3 }, { name: other, partitions: 1 }], timeout);
  t.is(second[0].name, topic);
  t.true(second[0].error instanceof KafkaProtocolError);
  t.is((second[0].error as KafkaProtocolError).code, 'TOPIC_ALREADY_EXISTS');
  t.deepEqual(second[1], { name: other, error: null });
  await deleteTopics(shared.cluster.client, [topic, other], timeout);
});

test('createTopics reports a bad config or replication factor per topic', async (t) => {
  const badConfig = uniqueName('admin-bad-config');
  const badReplication = uniqueName('admin-bad-rf');
  const results = await createTopics(
    shared.cluster.client,
    [
      { name: badConfig, partitions: 1, configs: { 'cleanup.policy': 'sometimes' } },
      { name: badReplication, partitions: 1, replicationFactor: 50 },
    ],
    timeout,
  );
  t.deepEqual(
    results.map((r) => [r.name, (r.error as KafkaProtocolError | null)?.code]),
    [
      [badConfig, 'INVALID_CONFIG'],
      [badReplication, 'INVALID_REPLICATION_FACTOR'],
    ],
  );
  t.is(await kcatTopic(shared.brokers, badConfig), undefined);
});

test('listTopics lists a new topic with its partition count from fresh metadata', async (t) => {
  const topic = uniqueName('admin-list');
  await createTopics(shared.cluster.client, [{ name: topic, partitions: 3 }], timeout);
  const listed = await eventually(`listTopics to show ${topic}`, async () => (await listTopics(shared.cluster.client, timeout)).find((x) => x.name === topic));
  t.deepEqual(listed, { name: topic, partitions: 3, internal: false });
  const all = await listTopics(shared.cluster.client, timeout);
  t.deepEqual(all.map((x) => x.name), [...all.map((x) => x.name)].sort());
  await deleteTopics(shared.cluster.client, [topic], timeout);
});

test('listOffsets gives earliest, latest and by-timestamp offsets per partition', async (t) => {
  const topic = await readyTopic('admin-offsets', 3);
  const started = Date.now();
  await kcatProduce(shared.brokers, topic, 1, ['a', 'b', 'c']);
  // Records produced from now on carry a later timestamp than `middle`.
  const middle = Date.now();
  await eventually('the clock to pass the middle mark', async () => (Date.now() > middle ? true : undefined));
  await kcatProduce(shared.brokers, topic, 1, ['d', 'e']);

  const latest = await listOffsets(shared.cluster.client, topic, 'latest', timeout);
  t.deepEqual(latest.map((p) => [p.partition, p.offset]), [[0, 0n], [1, 5n], [2, 0n]]);
  const earliest = await listOffsets(shared.cluster.client, topic, 'earliest', timeout);
  t.deepEqual(earliest.map((p) => [p.partition, p.offset]), [[0, 0n], [1, 0n], [2, 0n]]);

  const fromStart = await listOffsets(shared.cluster.client, topic, started - 60_000, timeout);
  t.deepEqual(fromStart.map((p) => [p.partition, p.offset]), [[0, null], [1, 0n], [2, null]]);
  const fromMiddle = await listOffsets(shared.cluster.client, topic, middle + 1, timeout);
  t.deepEqual(fromMiddle.map((p) => [p.partition, p.offset]), [[0, null], [1, 3n], [2, null]]);
  t.true((fromMiddle[1].timestamp ?? 0) > middle);
  const future = await listOffsets(shared.cluster.client, topic, Date.now() + 3_600_000, timeout);
  t.deepEqual(future.map((p) => p.offset), [null, null, null]);

  const missing = uniqueName('admin-no-such-topic');
  const error = await t.throwsAsync(listOffsets(shared.cluster.client, missing, 'latest', timeout), { instanceOf: KafkaProtocolError });
  t.is(error?.code, 'UNKNOWN_TOPIC_OR_PARTITION');
  t.regex(error?.message ?? '', new RegExp(missing));
  await deleteTopics(shared.cluster.client, [topic], timeout);
});

test('listGroups and describeGroup show a kcat consumer group, its assignment, committed offsets and lag', async (t) => {
  const topic = await readyTopic('admin-group', 3);
  const group = uniqueName('admin-group');
  await kcatProduce(shared.brokers, topic, 1, ['1', '2', '3', '4', '5']);

  const consumer = startKcatConsumer(shared.brokers, group, topic, 'admin-test-consumer');
  t.teardown(() => consumer.kill());

  const live = await eventually(`${group} to be stable with offset 5 committed`, async () => {
    const d = await describeGroup(shared.cluster.client, group, timeout);
    return d.state === 'Stable' && d.members.length === 1 && d.offsets.some((o) => o.partition === 1 && o.committed === 5n) ? d : undefined;
  });
  t.is(live.group, group);
  t.is(live.protocolType, 'consumer');
  t.true(live.protocol.length > 0);
  t.is(live.members[0].clientId, 'admin-test-consumer');
  t.deepEqual(live.members[0].assignment, [{ topic, partitions: [0, 1, 2] }]);
  t.deepEqual(
    live.offsets.map((o) => [o.partition, o.committed, o.end, o.lag]),
    [
      [0, null, 0n, null],
      [1, 5n, 5n, 0n],
      [2, null, 0n, null],
    ],
  );

  const listed = await eventually(`listGroups to show ${group}`, async () => (await listGroups(shared.cluster.client, timeout)).find((g) => g.group === group));
  t.is(listed.protocolType, 'consumer');
  if (listed.state !== null) t.is(listed.state, 'Stable');

  await consumer.stop();
  await kcatProduce(shared.brokers, topic, 1, ['6', '7']);
  const left = await eventually(`${group} to be empty`, async () => {
    const d = await describeGroup(shared.cluster.client, group, timeout);
    return d.state === 'Empty' ? d : undefined;
  });
  t.deepEqual(left.members, []);
  t.deepEqual(left.offsets.map((o) => [o.topic, o.partition, o.committed, o.end, o.lag]), [[topic, 1, 5n, 7n, 2n]]);
  await deleteTopics(shared.cluster.client, [topic], timeout);
});

test('describeGroup of a group nobody uses is Dead with no members or offsets', async (t) => {
  const group = uniqueName('admin-nobody');
  const d = await describeGroup(shared.cluster.client, group, timeout);
  t.deepEqual({ ...d, protocol: '' }, { group, state: 'Dead', protocolType: '', protocol: '', members: [], offsets: [] });
});

test('deleteTopics removes a topic; deleting it again fails for that topic only', async (t) => {
  const topic = await readyTopic('admin-delete', 2);
  const keep = await readyTopic('admin-keep', 1);
  t.deepEqual(await deleteTopics(shared.cluster.client, [topic], timeout), [{ name: topic, error: null }]);
  await eventually(`kcat to stop seeing ${topic}`, async () => ((await kcatTopic(shared.brokers, topic)) === undefined ? true : undefined));
  const again = await eventually(`a second delete of ${topic} to find it gone`, async () => {
    const [result] = await deleteTopics(shared.cluster.client, [topic], timeout);
    return result.error ? result : undefined;
  });
  t.is((again.error as KafkaProtocolError).code, 'UNKNOWN_TOPIC_OR_PARTITION');
  t.truthy(await kcatTopic(shared.brokers, keep));
  await deleteTopics(shared.cluster.client, [keep], timeout);
});
