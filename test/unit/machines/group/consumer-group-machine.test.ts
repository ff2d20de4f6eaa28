/**
 * The KIP-848 machine against a scripted coordinator: ConsumerGroupHeartbeat answers carry
 * the member epoch and target assignments (by topic id); the machine's timers run on a
 * SimulatedClock.
 */
import test from 'ava';
import { createActor, SimulatedClock, waitFor } from 'xstate';
import { consumerGroupMachine } from '../../../../machines/group/consumer-group-machine.js';
import type { GroupOptions } from '../../../../machines/group/group-options.js';
import type { PartitionStart } from '../../../../machines/group/offsets.js';
import type { TopicPartition } from '../../../../machines/group/topic-partitions.js';
import type { ConsumerGroupHeartbeatRequest } from '../../../../protocol/messages/consumer-group-heartbeat.js';
import { startFakeCoordinator, type FakeCoordinator } from './fake-coordinator.js';

const CONSUMER_GROUP_HEARTBEAT = 68;
const METADATA = 3;
const INTERVAL_MS = 1000;
const FENCED_MEMBER_EPOCH = 110;

function topicId(name: string): string {
  return Buffer.from(name.padEnd(16, '_').slice(0, 16)).toString('base64url');
}

interface Script {
  /** Per heartbeat: the answer's error code, epoch and assignment (null = unchanged). */
  readonly answers: Array<{ errorCode?: number; epoch?: number; assignment?: number[] | null }>;
  epoch: number;
}

async function harness(t: { teardown(fn: () => unknown): void }, options: Partial<GroupOptions> = {}) {
  const coord: FakeCoordinator = await startFakeCoordinator({ t: 3 });
  const b = coord.fake.broker;
  b.on(METADATA, () => ({
    body: {
      throttleTimeMs: 0,
      brokers: [{ nodeId: 1, host: '127.0.0.1', port: b.port, rack: null }],
      clusterId: 'fake',
      controllerId: 1,
      topics: [...coord.fake.topics].map(([name, count]) => ({
        errorCode: 0,
        name,
        topicId: topicId(name),
        isInternal: false,
        partitions: Array.from({ length: count }, (_, partitionIndex) => ({ errorCode: 0, partitionIndex, leaderId: 1, leaderEpoch: 7, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] })),
      })),
    },
  }));
  await coord.fake.client.refreshMetadata(5000);
  const script: Script = { answers: [], epoch: 0 };
  b.on(CONSUMER_GROUP_HEARTBEAT, (req) => {
    const body = req.body as ConsumerGroupHeartbeatRequest;
    const next = script.answers.shift() ?? {};
    if (next.errorCode) return { body: { throttleTimeMs: 0, errorCode: next.errorCode, errorMessage: null, memberId: null, memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null } };
    script.epoch = next.epoch ?? (body.memberEpoch <= 0 ? script.epoch + 1 : script.epoch);
    const assignment = next.assignment === undefined || next.assignment === null ? null : { topicPartitions: [{ topicId: topicId('t'), partitions: next.assignment }] };
    return { body: { throttleTimeMs: 0, errorCode: 0, errorMessage: null, memberId: body.memberId, memberEpoch: body.memberEpoch < 0 ? body.memberEpoch : script.epoch, heartbeatIntervalMs: INTERVAL_MS, assignment } };
  });
  const clock = new SimulatedClock();
  const assigned: PartitionStart[][] = [];
  const revoked: TopicPartition[][] = [];
  const lost: TopicPartition[][] = [];
  const actor = createActor(consumerGroupMachine, {
    clock,
    input: {
      cluster: coord.fake.client,
      group: 'g',
      topics: ['t'],
      sessionTimeoutMs: 45_000,
      heartbeatIntervalMs: 5_000,
      rebalanceTimeoutMs: 10_000,
      autoCommitIntervalMs: 0,
      autoOffsetReset: 'latest',
      assignors: ['uniform'],
      requestTimeoutMs: 5_000,
      listener: {
        assigned: (s) => void assigned.push([...s]),
        revoked: (p) => void revoked.push([...p]),
        lost: (p) => void lost.push([...p]),
      },
      ...options,
    },
  });
  actor.subscribe({ error: () => undefined });
  actor.start();
  t.teardown(async () => {
    actor.stop();
    await coord.fake.stop();
  });
  const heartbeats = (): ConsumerGroupHeartbeatRequest[] => coord.fake.received(CONSUMER_GROUP_HEARTBEAT).map((r) => r.body as ConsumerGroupHeartbeatRequest);
  const idle = () => waitFor(actor, (s) => s.matches({ active: { member: 'waiting' } }), { timeout: 5000 });
  return { coord, script, actor, clock, assigned, revoked, lost, heartbeats, idle };
}

test('joins at epoch 0 with its own member id, reconciles the target, then acknowledges it in the next heartbeat', async (t) => {
  const h = await harness(t);
  h.script.answers.push({ assignment: [0, 1] });
  await h.idle();
  const [join, ack] = h.heartbeats();
  t.is(join.memberEpoch, 0);
  t.regex(join.memberId, /^[A-Za-z0-9_-]{22}$/);
  t.deepEqual(join.subscribedTopicNames, ['t']);
  t.is(join.serverAssignor, 'uniform');
  t.deepEqual(join.topicPartitions, []);
  t.deepEqual(h.assigned, [[{ topic: 't', partition: 0, offset: 100n, committed: false }, { topic: 't', partition: 1, offset: 100n, committed: false }]]);
  t.is(ack.memberEpoch, 1);
  t.is(ack.memberId, join.memberId);
  t.deepEqual(ack.topicPartitions, [{ topicId: topicId('t'), partitions: [0, 1] }]);
  t.is(h.heartbeats().length, 2, 'then quiet until the interval the coordinator asked for');
  h.clock.increment(INTERVAL_MS);
  await waitFor(h.actor, () => h.heartbeats().length === 3, { timeout: 5000 });
  t.pass();
});

test('a new target revokes only what it drops and adds what it adds; partitions it keeps are untouched', async (t) => {
  const h = await harness(t);
  h.script.answers.push({ assignment: [0, 1] });
  await h.idle();
  h.script.answers.push({ epoch: 2, assignment: [1, 2] });
  h.clock.increment(INTERVAL_MS);
  await waitFor(h.actor, (s) => s.matches({ active: { member: 'waiting' } }) && s.context.generationId === 2 && h.revoked.length === 1, { timeout: 5000 });
  t.deepEqual(h.revoked, [[{ topic: 't', partition: 0 }]]);
  t.deepEqual(h.assigned.at(-1)?.map((s) => s.partition), [2]);
  t.deepEqual(h.heartbeats().at(-1)?.topicPartitions, [{ topicId: topicId('t'), partitions: [1, 2] }]);
});

test('FENCED_MEMBER_EPOCH loses the partitions and joins again at epoch 0 with the same member id', async (t) => {
  const h = await harness(t);
  h.script.answers.push({ assignment: [0] });
  await h.idle();
  h.script.answers.push({ errorCode: FENCED_MEMBER_EPOCH }, { assignment: [0] });
  h.clock.increment(INTERVAL_MS);
  await waitFor(h.actor, (s) => s.matches({ active: { member: 'waiting' } }) && h.assigned.length === 2, { timeout: 5000 });
  t.deepEqual(h.lost, [[{ topic: 't', partition: 0 }]]);
  const all = h.heartbeats();
  const rejoin = all[all.length - 2];
  t.is(rejoin.memberEpoch, 0);
  t.is(rejoin.memberId, all[0].memberId);
  t.deepEqual(rejoin.topicPartitions, []);
});

test('stop revokes and leaves with epoch -1; a static member leaves with -2', async (t) => {
  for (const [instance, epoch] of [
    [null, -1],
    ['static-1', -2],
  ] as const) {
    const h = await harness(t, { groupInstanceId: instance });
    h.script.answers.push({ assignment: [0] });
    await h.idle();
    h.actor.send({ type: 'group.stop' });
    await waitFor(h.actor, (s) => s.status === 'done', { timeout: 5000 });
    t.deepEqual(h.revoked, [[{ topic: 't', partition: 0 }]]);
    t.is(h.heartbeats().at(-1)?.memberEpoch, epoch);
    t.is(h.heartbeats().at(-1)?.instanceId, instance);
  }
});
