/**
 * A scripted group coordinator on top of the fake cluster (node 1 is broker and coordinator):
 * JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetFetch, OffsetCommit and ListOffsets
 * with default answers of a one-member group, and queues of error codes a test pushes to make
 * the next answers of an API fail.
 */
import { encodeAssignment } from '../../../../machines/group/consumer-protocol.js';
import type { JoinGroupRequest } from '../../../../protocol/messages/join-group.js';
import type { OffsetCommitRequest } from '../../../../protocol/messages/offset-commit.js';
import type { SyncGroupRequest } from '../../../../protocol/messages/sync-group.js';
import { coordinatorIsNode1, startFakeCluster, type FakeCluster } from '../admin/fake-cluster.js';

export const GroupApi = { listOffsets: 2, offsetCommit: 8, offsetFetch: 9, joinGroup: 11, heartbeat: 12, leaveGroup: 13, syncGroup: 14 } as const;

export interface FakeCoordinator {
  readonly fake: FakeCluster;
  /** Error codes the next answers of an API carry (one per answer), by API key. */
  readonly failures: Map<number, number[]>;
  /** Committed offsets by "topic/partition". */
  readonly committed: Map<string, bigint>;
  generation: number;
  /** The protocol the coordinator picks (the first offered when null). */
  protocol: string | null;
  /** What SyncGroup gives a follower; the leader's own assignment otherwise. */
  followerAssignment: Buffer | null;
  /** Make this member a follower: the leader is someone else. */
  otherLeader: string | null;
  skipAssignment: boolean;
  joins(): JoinGroupRequest[];
  syncs(): SyncGroupRequest[];
  commits(): OffsetCommitRequest[];
  count(apiKey: number): number;
}

function nextFailure(failures: Map<number, number[]>, apiKey: number): number {
  return failures.get(apiKey)?.shift() ?? 0;
}

export async function startFakeCoordinator(topics: Record<string, number>): Promise<FakeCoordinator> {
  const fake = await startFakeCluster();
  for (const [name, count] of Object.entries(topics)) fake.topics.set(name, count);
  coordinatorIsNode1(fake);
  const failures = new Map<number, number[]>();
  const committed = new Map<string, bigint>();
  const c: FakeCoordinator = {
    fake,
    failures,
    committed,
    generation: 0,
    protocol: null,
    followerAssignment: null,
    otherLeader: null,
    skipAssignment: false,
    joins: () => fake.received(GroupApi.joinGroup).map((r) => r.body as JoinGroupRequest),
    syncs: () => fake.received(GroupApi.syncGroup).map((r) => r.body as SyncGroupRequest),
    commits: () => fake.received(GroupApi.offsetCommit).map((r) => r.body as OffsetCommitRequest),
    count: (apiKey) => fake.received(apiKey).length,
  };
  const b = fake.broker;
  b.on(GroupApi.joinGroup, (req) => {
    const body = req.body as JoinGroupRequest;
    const base = { throttleTimeMs: 0, protocolType: 'consumer', skipAssignment: false, members: [] as unknown[] };
    if (body.memberId === '' && body.groupInstanceId == null) {
      return { body: { ...base, errorCode: 79, generationId: -1, protocolName: null, leader: '', memberId: `member-${c.joins().length}` } };
    }
    const error = nextFailure(failures, GroupApi.joinGroup);
    if (error !== 0) return { body: { ...base, errorCode: error, generationId: -1, protocolName: null, leader: '', memberId: body.memberId } };
    const memberId = body.memberId === '' ? `static-${c.joins().length}` : body.memberId;
    c.generation++;
    const protocolName = c.protocol ?? body.protocols[0].name;
    const leader = c.otherLeader ?? memberId;
    const metadata = body.protocols.find((p) => p.name === protocolName)?.metadata ?? body.protocols[0].metadata;
    return {
      body: {
        ...base,
        errorCode: 0,
        generationId: c.generation,
        protocolName,
        leader,
        skipAssignment: c.skipAssignment,
        memberId,
        members: leader === memberId ? [{ memberId, groupInstanceId: body.groupInstanceId ?? null, metadata }] : [],
      },
    };
  });
  b.on(GroupApi.syncGroup, (req) => {
    const body = req.body as SyncGroupRequest;
    const error = nextFailure(failures, GroupApi.syncGroup);
    const own = body.assignments.find((a) => a.memberId === body.memberId)?.assignment;
    const assignment = error !== 0 ? Buffer.alloc(0) : (own ?? c.followerAssignment ?? encodeAssignment(new Map()));
    return { body: { throttleTimeMs: 0, errorCode: error, protocolType: 'consumer', protocolName: body.protocolName ?? null, assignment } };
  });
  b.on(GroupApi.heartbeat, () => ({ body: { throttleTimeMs: 0, errorCode: nextFailure(failures, GroupApi.heartbeat) } }));
  b.on(GroupApi.leaveGroup, (req) => {
    const body = req.body as { members?: Array<{ memberId: string; groupInstanceId: string | null }> };
    return { body: { throttleTimeMs: 0, errorCode: 0, members: (body.members ?? []).map((m) => ({ ...m, errorCode: 0 })) } };
  });
  b.on(GroupApi.offsetCommit, (req) => {
    const body = req.body as OffsetCommitRequest;
    const error = nextFailure(failures, GroupApi.offsetCommit);
    for (const t of body.topics) for (const p of t.partitions) if (error === 0) committed.set(`${t.name}/${p.partitionIndex}`, p.committedOffset);
    return { body: { throttleTimeMs: 0, topics: body.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: error })) })) } };
  });
  b.on(GroupApi.offsetFetch, (req) => {
    const body = req.body as { groups: Array<{ groupId: string; topics: Array<{ name: string; partitionIndexes: number[] }> }> };
    return {
      body: {
        throttleTimeMs: 0,
        groups: body.groups.map((g) => ({
          groupId: g.groupId,
          errorCode: 0,
          topics: g.topics.map((t) => ({
            name: t.name,
            partitions: t.partitionIndexes.map((p) => ({
              partitionIndex: p,
              committedOffset: committed.get(`${t.name}/${p}`) ?? -1n,
              committedLeaderEpoch: -1,
              metadata: null,
              errorCode: 0,
            })),
          })),
        })),
      },
    };
  });
  b.on(GroupApi.listOffsets, (req) => {
    const body = req.body as { topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; timestamp: bigint }> }> };
    return {
      body: {
        throttleTimeMs: 0,
        topics: body.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: 0, timestamp: -1n, offset: p.timestamp === -2n ? 0n : 100n, leaderEpoch: 7 })),
        })),
      },
    };
  });
  return c;
}
