/**
 * The group machine's steps that talk to brokers or to the listener, as plain async
 * functions over a snapshot of what they need (the machine invokes each with fromPromise):
 * locate the coordinator, join, sync (the leader assigns), revoke, start partitions, commit,
 * leave. Kept apart from the machine so that the statechart stays readable.
 */
import type { ConnectionTemplate } from '../cluster/broker-machine.js';
import { CoordinatorKeyType } from '../cluster/cluster-client.js';
import type { Coordinator } from '../cluster/coordinators.js';
import type { ConnectionActor } from '../connection/connection-machine.js';
import { assignorNamed, type Assignor, type MemberSubscription } from './assignors/index.js';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from './consumer-protocol.js';
import { joinGroup, leaveGroup, syncGroup, type JoinedGroup, type JoinOutcome, type Membership } from './coordinator-requests.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, partitionCounts, subscribedTopics, type GroupOptions } from './group-options.js';
import { commitOffsets, startingPositions, type CommitOffset, type PartitionStart } from './offsets.js';
import { partitionKey, type TopicPartition } from './topic-partitions.js';

export function requestTimeout(o: GroupOptions): number {
  return o.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
}

/** eager unless every offered assignor is cooperative (as the Java consumer decides). */
export function rebalanceProtocolOf(o: GroupOptions): 'eager' | 'cooperative' {
  return o.assignors.every((name) => assignorNamed(name).rebalanceProtocol === 'cooperative') ? 'cooperative' : 'eager';
}

export interface LocatedCoordinator {
  readonly coordinator: Coordinator;
  readonly template: ConnectionTemplate;
}

export async function locateCoordinator(o: GroupOptions): Promise<LocatedCoordinator> {
  const timeoutMs = requestTimeout(o);
  await o.cluster.whenReady(timeoutMs);
  const coordinator = await o.cluster.findCoordinator(CoordinatorKeyType.group, o.group, timeoutMs);
  // The group gets its own connection to the coordinator, made like the cluster's others:
  // a JoinGroup held for a whole rebalance must not delay another group's heartbeats.
  const template = o.cluster.broker(coordinator.nodeId).getSnapshot().context.connection;
  return { coordinator, template };
}

export interface JoinInput {
  readonly options: GroupOptions;
  readonly connection: ConnectionActor;
  readonly memberId: string;
  readonly generationId: number;
  readonly owned: readonly TopicPartition[];
  readonly reason: string;
}

export async function join(i: JoinInput): Promise<JoinOutcome & { topics: string[] }> {
  const o = i.options;
  const topics = subscribedTopics(o, o.cluster.metadata);
  const metadata = encodeSubscription({
    topics,
    ownedPartitions: i.owned,
    generationId: i.generationId,
    rackId: o.rackId ?? null,
    userData: null,
  });
  const outcome = await joinGroup(i.connection, {
    group: o.group,
    memberId: i.memberId,
    groupInstanceId: o.groupInstanceId ?? null,
    sessionTimeoutMs: o.sessionTimeoutMs,
    rebalanceTimeoutMs: o.rebalanceTimeoutMs,
    protocols: o.assignors.map((name) => ({ name, metadata })),
    reason: i.reason,
  });
  return { ...outcome, topics };
}

export interface LeaderPlan {
  /** memberId -> assignment bytes. */
  readonly assignments: Array<{ memberId: string; assignment: Buffer }>;
  /** Partition counts of every topic any member subscribes to, for the leader's metadata watch. */
  readonly watched: Map<string, number>;
}

/** The leader's work: decode every member's subscription and run the chosen assignor. */
export async function planAssignment(o: GroupOptions, joined: JoinedGroup): Promise<LeaderPlan> {
  const assignor: Assignor = assignorNamed(joined.protocolName);
  const members: MemberSubscription[] = joined.members.map((m) => ({
    memberId: m.memberId,
    groupInstanceId: m.groupInstanceId,
    subscription: decodeSubscription(m.metadata, m.memberId),
  }));
  const topics = new Set(members.flatMap((m) => m.subscription.topics));
  // Fresh partition counts: a topic created or grown a moment ago must be in this assignment.
  const metadata = await o.cluster.refreshMetadata(requestTimeout(o)).catch(() => o.cluster.metadata);
  const watched = partitionCounts(topics, metadata);
  const plan = assignor.assign(members, watched);
  return { assignments: [...plan].map(([memberId, partitions]) => ({ memberId, assignment: encodeAssignment(partitions) })), watched };
}

export interface SyncInput {
  readonly options: GroupOptions;
  readonly connection: ConnectionActor;
  readonly membership: Membership;
  readonly joined: JoinedGroup;
}

export interface Synced {
  readonly assignment: TopicPartition[];
  /** Partition counts to watch: every member's topics for the leader, its own for a follower. */
  readonly watched: Map<string, number>;
}

export async function sync(i: SyncInput): Promise<Synced> {
  const o = i.options;
  const leader = i.joined.leaderId === i.membership.memberId;
  const watched = partitionCounts(subscribedTopics(o, o.cluster.metadata), o.cluster.metadata);
  let assignments: LeaderPlan['assignments'] = [];
  if (leader) {
    const plan = await planAssignment(o, i.joined);
    for (const [topic, count] of plan.watched) watched.set(topic, count);
    // KIP-814: a static leader rejoining a stable group keeps the current assignment.
    if (!i.joined.skipAssignment) assignments = plan.assignments;
  }
  const bytes = await syncGroup(i.connection, i.membership, i.joined.protocolName, assignments, requestTimeout(o));
  return { assignment: decodeAssignment(bytes), watched };
}

export interface RevokeInput {
  readonly options: GroupOptions;
  readonly connection: ConnectionActor | null;
  readonly membership: Membership | null;
  readonly partitions: readonly TopicPartition[];
  readonly committed: ReadonlyMap<string, bigint>;
}

/** The committable positions of `partitions` that differ from what was last committed. */
export function pendingCommits(o: GroupOptions, partitions: readonly TopicPartition[], committed: ReadonlyMap<string, bigint>): CommitOffset[] {
  if (!o.committable || partitions.length === 0) return [];
  const wanted = new Set(partitions.map((p) => partitionKey(p.topic, p.partition)));
  const offsets: CommitOffset[] = [];
  for (const c of o.committable()) {
    const key = partitionKey(c.topic, c.partition);
    if (wanted.has(key) && committed.get(key) !== c.offset) offsets.push({ topic: c.topic, partition: c.partition, offset: c.offset });
  }
  return offsets;
}

export interface CommitResult {
  readonly committed: CommitOffset[];
  /** A failed commit does not stop a revocation; it is reported here. */
  readonly error: Error | null;
}

/** Commits what is committable of `partitions`, then tells the listener they are revoked. */
export async function revoke(i: RevokeInput): Promise<CommitResult> {
  let result: CommitResult = { committed: [], error: null };
  if (i.connection && i.membership && i.membership.generationId >= 0) {
    result = await commitPending({ ...i, connection: i.connection, membership: i.membership });
  }
  if (i.partitions.length > 0) await i.options.listener?.revoked?.(i.partitions);
  return result;
}

export async function commitPending(i: RevokeInput & { connection: ConnectionActor; membership: Membership }): Promise<CommitResult> {
  const offsets = pendingCommits(i.options, i.partitions, i.committed);
  try {
    await commitOffsets(i.connection, i.membership, offsets, requestTimeout(i.options));
    return { committed: offsets, error: null };
  } catch (error) {
    return { committed: [], error: error as Error };
  }
}

export interface StartInput {
  readonly options: GroupOptions;
  readonly connection: ConnectionActor;
  readonly partitions: readonly TopicPartition[];
}

/** Starting offsets of newly assigned partitions, handed to the listener. */
export async function start(i: StartInput): Promise<PartitionStart[]> {
  if (i.partitions.length === 0) return [];
  const o = i.options;
  const starts = await startingPositions(o.cluster, i.connection, o.group, i.partitions, o.autoOffsetReset, requestTimeout(o));
  await o.listener?.assigned?.(starts);
  return starts;
}

export interface LeaveInput extends RevokeInput {
  readonly leave: boolean;
}

/** Commit and revoke what is owned, then LeaveGroup (unless static: its partitions wait for it). */
export async function leave(i: LeaveInput): Promise<CommitResult> {
  const result = await revoke(i);
  if (i.leave && i.connection && i.membership && i.membership.memberId !== '') {
    await leaveGroup(i.connection, i.membership, 'the consumer is stopping', requestTimeout(i.options)).catch(() => undefined);
  }
  return result;
}
