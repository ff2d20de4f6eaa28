/** listGroups and describeGroup against a scripted broker: coordinator moves and loads, OffsetFetch v7 and v8+ shapes, lag. */
import test from 'ava';
import { describeGroup, listGroups } from '../../../../machines/admin/groups.js';
import { KafkaErrorCode, KafkaProtocolError } from '../../../../protocol/errors/kafka-error.js';
import type { ListOffsetsRequest } from '../../../../protocol/messages/list-offsets.js';
import type { OffsetFetchRequest } from '../../../../protocol/messages/offset-fetch.js';
import { assignmentBytes } from './assignment-bytes.js';
import { ApiKey, coordinatorIsNode1, startFakeCluster, type FakeCluster } from './fake-cluster.js';

const committed: Array<[string, number, bigint]> = [
  ['orders', 0, 3n],
  ['orders', 1, -1n],
  ['audit', 0, 8n],
];
const ends: Record<string, bigint[]> = { orders: [10n, 4n], audit: [8n] };

function partitionsOf(topic: string): Array<{ partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number; metadata: string; errorCode: number }> {
  return committed
    .filter(([t]) => t === topic)
    .map(([, partitionIndex, committedOffset]) => ({ partitionIndex, committedOffset, committedLeaderEpoch: -1, metadata: '', errorCode: 0 }));
}

/** A stable group with one member assigned orders[0,1], committed offsets, and end offsets; the first answers are errors. */
function scriptGroup(fake: FakeCluster, group: string): void {
  fake.topics.set('orders', 2).set('audit', 1);
  coordinatorIsNode1(fake);
  let describes = 0;
  fake.broker.on(ApiKey.describeGroups, () => {
    describes++;
    const errorCode = describes === 1 ? KafkaErrorCode.NOT_COORDINATOR : 0;
    return {
      body: {
        throttleTimeMs: 0,
        groups: [
          {
            errorCode,
            groupId: group,
            groupState: 'Stable',
            protocolType: 'consumer',
            protocolData: 'range',
            members: [
              {
                memberId: 'm-1',
                groupInstanceId: null,
                clientId: 'app',
                clientHost: '/10.0.0.1',
                memberMetadata: Buffer.alloc(0),
                memberAssignment: assignmentBytes(1, [['orders', [1, 0]]]),
              },
            ],
            authorizedOperations: -2147483648,
          },
        ],
      },
    };
  });
  let fetches = 0;
  fake.broker.on(ApiKey.offsetFetch, (req) => {
    fetches++;
    const errorCode = fetches === 1 ? KafkaErrorCode.COORDINATOR_LOAD_IN_PROGRESS : 0;
    const topics = errorCode ? [] : ['orders', 'audit'].map((name) => ({ name, partitions: partitionsOf(name) }));
    if (req.version >= 8) return { body: { throttleTimeMs: 0, groups: [{ groupId: group, topics, errorCode }] } };
    return { body: { throttleTimeMs: 0, topics, errorCode } };
  });
  fake.broker.on(ApiKey.listOffsets, (req) => ({
    body: {
      throttleTimeMs: 0,
      topics: (req.body as ListOffsetsRequest).topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: 0, timestamp: -1n, offset: ends[topic.name][p.partitionIndex], leaderEpoch: 7 })),
      })),
    },
  }));
}

for (const offsetFetchMax of [9, 7]) {
  test(`describeGroup follows a moved coordinator and a loading one, and computes lag (OffsetFetch v${offsetFetchMax})`, async (t) => {
    const fake = await startFakeCluster({ [ApiKey.offsetFetch]: { min: 0, max: offsetFetchMax } });
    t.teardown(() => fake.stop());
    scriptGroup(fake, 'billing');
    const d = await describeGroup(fake.client, 'billing', { timeoutMs: 5000 });
    t.deepEqual(d, {
      group: 'billing',
      state: 'Stable',
      protocolType: 'consumer',
      protocol: 'range',
      members: [{ memberId: 'm-1', clientId: 'app', host: '/10.0.0.1', assignment: [{ topic: 'orders', partitions: [0, 1] }] }],
      offsets: [
        { topic: 'audit', partition: 0, committed: 8n, end: 8n, lag: 0n },
        { topic: 'orders', partition: 0, committed: 3n, end: 10n, lag: 7n },
        { topic: 'orders', partition: 1, committed: null, end: 4n, lag: null },
      ],
    });
    // NOT_COORDINATOR made it look the coordinator up again.
    t.is(fake.received(ApiKey.findCoordinator).length, 2);
    t.is(fake.received(ApiKey.describeGroups).length, 2);
    const fetches = fake.received(ApiKey.offsetFetch);
    t.is(fetches.length, 2);
    t.is(fetches[0].version, offsetFetchMax);
    const body = fetches[0].body as OffsetFetchRequest;
    if (offsetFetchMax >= 8) t.deepEqual(body.groups?.map((g) => [g.groupId, g.topics]), [['billing', null]]);
    else t.deepEqual([body.groupId, body.topics], ['billing', null]);
  });
}

test('describeGroup ends with a group error that retrying cannot fix', async (t) => {
  const fake = await startFakeCluster();
  t.teardown(() => fake.stop());
  coordinatorIsNode1(fake);
  fake.broker.on(ApiKey.describeGroups, () => ({
    body: {
      throttleTimeMs: 0,
      groups: [{ errorCode: KafkaErrorCode.GROUP_AUTHORIZATION_FAILED, groupId: 'locked', groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: -2147483648 }],
    },
  }));
  const error = await t.throwsAsync(describeGroup(fake.client, 'locked', { timeoutMs: 5000 }), { instanceOf: KafkaProtocolError });
  t.is(error?.code, 'GROUP_AUTHORIZATION_FAILED');
  t.is(fake.received(ApiKey.describeGroups).length, 1);
});

test('listGroups asks again while the broker loads its groups, and sorts them', async (t) => {
  const fake = await startFakeCluster();
  t.teardown(() => fake.stop());
  let calls = 0;
  fake.broker.on(ApiKey.listGroups, () => {
    calls++;
    if (calls === 1) return { body: { throttleTimeMs: 0, errorCode: KafkaErrorCode.COORDINATOR_LOAD_IN_PROGRESS, groups: [] } };
    return {
      body: {
        throttleTimeMs: 0,
        errorCode: 0,
        groups: [
          { groupId: 'web', protocolType: 'consumer', groupState: 'Empty', groupType: 'classic' },
          { groupId: 'batch', protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' },
        ],
      },
    };
  });
  t.deepEqual(await listGroups(fake.client, { timeoutMs: 5000 }), [
    { group: 'batch', protocolType: 'consumer', state: 'Stable' },
    { group: 'web', protocolType: 'consumer', state: 'Empty' },
  ]);
  t.is(calls, 2);
});
