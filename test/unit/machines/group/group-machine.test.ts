/**
 * The group machine against a scripted coordinator: every error transition of the classic
 * protocol. The machine's own timers (heartbeat, auto-commit, metadata watch, backoff) run on
 * a SimulatedClock, so a heartbeat happens exactly when a test moves the clock.
 */
import test from 'ava';
import { createActor, SimulatedClock, waitFor } from 'xstate';
import { decodeSubscription, encodeAssignment } from '../../../../machines/group/consumer-protocol.js';
import { NotGroupMemberError } from '../../../../machines/group/errors.js';
import { commitGroupOffsets, groupMembership } from '../../../../machines/group/group-client.js';
import { groupMachine, type GroupActor } from '../../../../machines/group/group-machine.js';
import type { GroupOptions } from '../../../../machines/group/group-options.js';
import { groupMachineFor } from '../../../../machines/group/select.js';
import type { CommitOffset, PartitionStart } from '../../../../machines/group/offsets.js';
import type { TopicPartition } from '../../../../machines/group/topic-partitions.js';
import { GroupApi, startFakeCoordinator, type FakeCoordinator } from './fake-coordinator.js';

const HEARTBEAT_MS = 1000;
const AUTO_COMMIT_MS = 5000;
const METADATA_CHECK_MS = 3000;

const KafkaCode = {
  COORDINATOR_LOAD_IN_PROGRESS: 14,
  NOT_COORDINATOR: 16,
  ILLEGAL_GENERATION: 22,
  UNKNOWN_MEMBER_ID: 25,
  REBALANCE_IN_PROGRESS: 27,
  FENCED_INSTANCE_ID: 82,
} as const;

interface Harness {
  readonly coord: FakeCoordinator;
  readonly actor: GroupActor;
  readonly clock: SimulatedClock;
  readonly assigned: PartitionStart[][];
  readonly revoked: Array<{ partitions: TopicPartition[]; committedThen: Map<string, bigint> }>;
  readonly lost: TopicPartition[][];
  readonly positions: Map<string, CommitOffset>;
  stable(): Promise<void>;
  stop(): Promise<void>;
}

async function harness(t: { teardown(fn: () => unknown): void }, options: Partial<GroupOptions> = {}, topics: Record<string, number> = { t: 2 }): Promise<Harness> {
  const coord = await startFakeCoordinator(topics);
  const clock = new SimulatedClock();
  const assigned: PartitionStart[][] = [];
  const revoked: Harness['revoked'] = [];
  const lost: TopicPartition[][] = [];
  const positions = new Map<string, CommitOffset>();
  const actor = createActor(groupMachine, {
    clock,
    input: {
      cluster: coord.fake.client,
      group: 'g',
      topics: Object.keys(topics),
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: HEARTBEAT_MS,
      rebalanceTimeoutMs: 10_000,
      autoCommitIntervalMs: AUTO_COMMIT_MS,
      autoOffsetReset: 'earliest',
      assignors: ['range'],
      metadataCheckMs: METADATA_CHECK_MS,
      requestTimeoutMs: 5_000,
      backoff: { minMs: 100, maxMs: 100, jitter: 0 },
      listener: {
        assigned: (starts) => void assigned.push([...starts]),
        revoked: (partitions) => void revoked.push({ partitions: [...partitions], committedThen: new Map(coord.committed) }),
        lost: (partitions) => void lost.push([...partitions]),
      },
      committable: () => positions.values(),
      ...options,
    },
  });
  actor.subscribe({ error: () => undefined });
  actor.start();
  t.teardown(async () => {
    actor.stop();
    await coord.fake.stop();
  });
  return {
    coord,
    actor,
    clock,
    assigned,
    revoked,
    lost,
    positions,
    stable: async () => {
      await waitFor(actor, (s) => s.matches('stable'), { timeout: 5000 });
    },
    stop: async () => {
      actor.send({ type: 'group.stop' });
      await waitFor(actor, (s) => s.status === 'done', { timeout: 5000 });
    },
  };
}

function tp(partition: number, topic = 't'): TopicPartition {
  return { topic, partition };
}

test('joins with the KIP-394 member id round trip, assigns as leader, starts from commits or autoOffsetReset', async (t) => {
  const h = await harness(t);
  h.coord.committed.set('t/0', 42n);
  await h.stable();
  const joins = h.coord.joins();
  t.deepEqual(joins.map((j) => j.memberId), ['', 'member-1']);
  t.deepEqual(decodeSubscription(joins[1].protocols[0].metadata, 'member-1').topics, ['t']);
  t.deepEqual(h.coord.syncs()[0].assignments.map((a) => a.memberId), ['member-1']);
  t.deepEqual(h.assigned, [
    [
      { topic: 't', partition: 0, offset: 42n, committed: true },
      { topic: 't', partition: 1, offset: 0n, committed: false },
    ],
  ]);
  t.deepEqual(groupMembership(h.actor), { group: 'g', memberId: 'member-1', generationId: 1, groupInstanceId: null });
});

test('heartbeats follow the clock; REBALANCE_IN_PROGRESS makes an eager member commit, revoke everything, then rejoin', async (t) => {
  const h = await harness(t);
  await h.stable();
  t.is(h.coord.count(GroupApi.heartbeat), 0, 'no heartbeat before the interval passed');
  h.clock.increment(HEARTBEAT_MS);
  await waitFor(h.actor, (s) => s.matches({ stable: { heartbeat: 'waiting' } }) && h.coord.count(GroupApi.heartbeat) === 1, { timeout: 5000 });
  h.positions.set('0:t', { topic: 't', partition: 0, offset: 50n });
  h.coord.failures.set(GroupApi.heartbeat, [KafkaCode.REBALANCE_IN_PROGRESS]);
  h.clock.increment(HEARTBEAT_MS);
  await waitFor(h.actor, (s) => s.matches('stable') && s.context.generationId === 2, { timeout: 5000 });
  t.deepEqual(h.revoked.map((r) => r.partitions), [[tp(0), tp(1)]]);
  t.is(h.revoked[0].committedThen.get('t/0'), 50n, 'the position was committed before the partitions were revoked');
  t.is(h.assigned.length, 2);
  t.is(h.coord.joins().at(-1)?.memberId, 'member-1', 'rejoined with the same member id');
});

test('ILLEGAL_GENERATION and UNKNOWN_MEMBER_ID lose the partitions without a commit; the latter also forgets the member id', async (t) => {
  const h = await harness(t);
  await h.stable();
  h.positions.set('0:t', { topic: 't', partition: 0, offset: 9n });
  h.coord.failures.set(GroupApi.heartbeat, [KafkaCode.ILLEGAL_GENERATION]);
  h.clock.increment(HEARTBEAT_MS);
  await waitFor(h.actor, (s) => s.matches('stable') && s.context.generationId === 2, { timeout: 5000 });
  t.deepEqual(h.lost, [[tp(0), tp(1)]]);
  t.deepEqual(h.revoked, []);
  t.false(h.coord.committed.has('t/0'), 'nothing committed for lost partitions');
  t.is(h.coord.joins().at(-1)?.memberId, 'member-1');

  h.coord.failures.set(GroupApi.heartbeat, [KafkaCode.UNKNOWN_MEMBER_ID]);
  h.clock.increment(HEARTBEAT_MS);
  await waitFor(h.actor, (s) => s.matches('stable') && s.context.generationId === 3, { timeout: 5000 });
  t.is(h.lost.length, 2);
  const lastJoins = h.coord.joins().slice(-2).map((j) => j.memberId);
  t.deepEqual(lastJoins, ['', 'member-4'], 'joined from scratch, with a new member id');
});

test('a coordinator that moved (NOT_COORDINATOR on a heartbeat) is found again on a new connection, without a rebalance', async (t) => {
  const h = await harness(t);
  await h.stable();
  const connection = h.actor.getSnapshot().context.connection;
  h.coord.failures.set(GroupApi.heartbeat, [KafkaCode.NOT_COORDINATOR]);
  h.clock.increment(HEARTBEAT_MS);
  await waitFor(h.actor, (s) => s.matches('stable') && s.context.connection !== connection, { timeout: 5000 });
  t.is(h.coord.joins().length, 2, 'no JoinGroup');
  t.is(h.actor.getSnapshot().context.generationId, 1);
  t.deepEqual(h.revoked, []);
  h.clock.increment(HEARTBEAT_MS);
  await waitFor(h.actor, () => h.coord.count(GroupApi.heartbeat) === 2, { timeout: 5000 });
  t.pass();
});

test('JoinGroup: COORDINATOR_LOAD_IN_PROGRESS backs off and retries; FENCED_INSTANCE_ID fails the member; stop still ends it', async (t) => {
  const h = await harness(t, { groupInstanceId: 'instance-1' });
  h.coord.failures.set(GroupApi.joinGroup, [KafkaCode.COORDINATOR_LOAD_IN_PROGRESS]);
  await waitFor(h.actor, (s) => s.matches('backoff'), { timeout: 5000 });
  t.is(h.coord.joins().length, 1);
  h.clock.increment(100);
  await h.stable();
  t.is(h.coord.joins().length, 2);

  h.coord.failures.set(GroupApi.heartbeat, [KafkaCode.REBALANCE_IN_PROGRESS]);
  h.coord.failures.set(GroupApi.joinGroup, [KafkaCode.FENCED_INSTANCE_ID]);
  h.clock.increment(HEARTBEAT_MS);
  const failed = await waitFor(h.actor, (s) => s.matches('failed'), { timeout: 5000 });
  t.is((failed.context.lastError as { code?: string }).code, 'FENCED_INSTANCE_ID');
  await h.stop();
  t.is(h.coord.count(GroupApi.leaveGroup), 0, 'a static member does not leave');
});

test('JoinGroup REBALANCE_IN_PROGRESS joins again; UNKNOWN_MEMBER_ID joins again from scratch', async (t) => {
  const h = await harness(t);
  h.coord.failures.set(GroupApi.joinGroup, [KafkaCode.REBALANCE_IN_PROGRESS, KafkaCode.UNKNOWN_MEMBER_ID]);
  await h.stable();
  t.deepEqual(h.coord.joins().map((j) => j.memberId), ['', 'member-1', 'member-1', '', 'member-4']);
  t.is(h.assigned.length, 1);
});

test('SyncGroup REBALANCE_IN_PROGRESS rejoins; ILLEGAL_GENERATION rejoins without a generation', async (t) => {
  const h = await harness(t);
  h.coord.failures.set(GroupApi.syncGroup, [KafkaCode.REBALANCE_IN_PROGRESS, KafkaCode.ILLEGAL_GENERATION]);
  await h.stable();
  t.is(h.coord.syncs().length, 3);
  t.deepEqual(h.coord.joins().map((j) => j.memberId), ['', 'member-1', 'member-1', 'member-1']);
  t.is(h.assigned.length, 1);
});

test('stop commits the committable positions, revokes, and sends LeaveGroup', async (t) => {
  const h = await harness(t);
  await h.stable();
  h.positions.set('1:t', { topic: 't', partition: 1, offset: 7n });
  await h.stop();
  t.is(h.coord.committed.get('t/1'), 7n);
  t.deepEqual(h.revoked.map((r) => r.partitions), [[tp(0), tp(1)]]);
  t.is(h.revoked[0].committedThen.get('t/1'), 7n);
  t.is(h.coord.count(GroupApi.leaveGroup), 1);
  t.is(h.actor.getSnapshot().context.connection, null);
});

test('auto-commit commits changed positions only; explicit commits count as committed; no commit without a generation', async (t) => {
  const h = await harness(t);
  await t.throwsAsync(commitGroupOffsets(h.actor, [{ topic: 't', partition: 0, offset: 1n }]), { instanceOf: NotGroupMemberError });
  await h.stable();
  h.positions.set('0:t', { topic: 't', partition: 0, offset: 3n });
  h.clock.increment(AUTO_COMMIT_MS);
  await waitFor(h.actor, () => h.coord.commits().length === 1, { timeout: 5000 });
  await waitFor(h.actor, (s) => s.matches({ stable: { autoCommit: 'waiting' } }), { timeout: 5000 });
  h.clock.increment(AUTO_COMMIT_MS);
  await new Promise((r) => setTimeout(r, 100));
  t.is(h.coord.commits().length, 1, 'an unchanged position is not committed again');
  await commitGroupOffsets(h.actor, [{ topic: 't', partition: 1, offset: 5n }]);
  h.positions.set('1:t', { topic: 't', partition: 1, offset: 5n });
  h.clock.increment(AUTO_COMMIT_MS);
  await new Promise((r) => setTimeout(r, 100));
  t.is(h.coord.commits().length, 2, 'the explicitly committed position is not committed again');
  const first = h.coord.commits()[0];
  t.is(first.generationIdOrMemberEpoch, 1);
  t.is(first.memberId, 'member-1');
});

test('cooperative: owned partitions keep flowing through the rejoin; only the moved one is revoked, then the member rejoins at once', async (t) => {
  const h = await harness(t, { assignors: ['cooperative-sticky'] });
  h.coord.otherLeader = 'leader-x';
  h.coord.followerAssignment = encodeAssignment(new Map([['t', [0, 1]]]));
  await h.stable();
  t.is(h.assigned.length, 1);
  h.coord.followerAssignment = encodeAssignment(new Map([['t', [0]]]));
  h.coord.failures.set(GroupApi.heartbeat, [KafkaCode.REBALANCE_IN_PROGRESS]);
  const joinsBefore = h.coord.joins().length;
  h.clock.increment(HEARTBEAT_MS);
  await waitFor(h.actor, (s) => s.matches('stable') && h.coord.joins().length === joinsBefore + 2, { timeout: 5000 });
  t.deepEqual(h.revoked.map((r) => r.partitions), [[tp(1)]]);
  t.is(h.assigned.length, 1, 'partition 0 was never re-assigned: it never stopped');
  const [phase1, phase2] = h.coord.joins().slice(-2).map((j) => decodeSubscription(j.protocols[0].metadata, 'm'));
  t.deepEqual(phase1.ownedPartitions, [tp(0), tp(1)]);
  t.deepEqual(phase2.ownedPartitions, [tp(0)]);
  t.deepEqual(h.actor.getSnapshot().context.owned, [tp(0)]);
});

test('a topic that grows triggers a rejoin that assigns the new partition', async (t) => {
  const h = await harness(t);
  await h.stable();
  h.coord.fake.topics.set('t', 3);
  await h.coord.fake.client.refreshMetadata(5000);
  h.clock.increment(METADATA_CHECK_MS);
  await waitFor(h.actor, (s) => s.matches('stable') && s.context.generationId === 2, { timeout: 5000 });
  t.deepEqual(h.assigned.at(-1)?.map((s) => s.partition), [0, 1, 2]);
});

test('bad options are refused with a typed error', (t) => {
  const base = { cluster: {} as GroupOptions['cluster'], group: 'g', sessionTimeoutMs: 10, heartbeatIntervalMs: 1, rebalanceTimeoutMs: 10, autoCommitIntervalMs: 0, autoOffsetReset: 'earliest' as const, assignors: ['range'] };
  for (const input of [
    { ...base },
    { ...base, topics: ['a'], pattern: 'a' },
    { ...base, pattern: '(' },
    { ...base, topics: ['a'], heartbeatIntervalMs: 10 },
  ]) {
    const actor = createActor(groupMachine, { input });
    const errors: unknown[] = [];
    actor.subscribe({ error: (e) => errors.push(e) });
    actor.start();
    t.is((errors[0] as { code?: string })?.code, 'INVALID_GROUP_OPTIONS');
  }
});

test('a coordinator lookup that cannot succeed (the cluster is stopped) fails the member instead of retrying forever', async (t) => {
  const h = await harness(t);
  await h.stable();
  h.coord.fake.client.actor.send({ type: 'cluster.stop' });
  h.coord.failures.set(GroupApi.heartbeat, [KafkaCode.NOT_COORDINATOR]);
  h.clock.increment(HEARTBEAT_MS);
  const failed = await waitFor(h.actor, (s) => s.matches('failed'), { timeout: 5000 });
  t.is((failed.context.lastError as { code?: string }).code, 'CLUSTER_STOPPED');
});

test('groupMachineFor picks the machine of the configured protocol', (t) => {
  t.is(groupMachineFor('classic'), groupMachine);
  t.is(groupMachineFor('consumer').id, 'consumerGroup');
});
