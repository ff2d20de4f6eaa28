/**
 * The group's offsets: where each newly assigned partition starts (the committed offset, or
 * the autoOffsetReset position found with ListOffsets when nothing is committed), and
 * OffsetCommit of positions. Both go over the group's coordinator connection at the
 * negotiated version; commits carry the member's generation so that a member that missed a
 * rebalance cannot overwrite the new owner's progress.
 */
import { KafkaErrorCode, kafkaErrorOrNull } from '../../protocol/errors/kafka-error.js';
import { OffsetCommitApi, type OffsetCommitRequest } from '../../protocol/messages/offset-commit.js';
import { OffsetFetchApi, type OffsetFetchRequest, type OffsetFetchResponse } from '../../protocol/messages/offset-fetch.js';
import { Deadline } from '../admin/deadline.js';
import { offsetsFor } from '../admin/list-offsets.js';
import type { ClusterClient } from '../cluster/cluster-client.js';
import { negotiatedVersion, request } from '../connection/connection-client.js';
import type { ConnectionActor } from '../connection/connection-machine.js';
import type { Membership } from './coordinator-requests.js';
import { GroupResponseError, NoCommittedOffsetError } from './errors.js';
import { fromList, partitionKey, type TopicPartition } from './topic-partitions.js';

export type OffsetReset = 'earliest' | 'latest' | 'none';

/** A position to commit: the offset of the next record to consume. */
export interface CommitOffset extends TopicPartition {
  readonly offset: bigint;
}

/** Where consumption of a newly assigned partition starts. */
export interface PartitionStart extends TopicPartition {
  /** null only with `error` (autoOffsetReset "none" and nothing committed). */
  readonly offset: bigint | null;
  /** Whether `offset` is the group's committed offset (else it came from autoOffsetReset). */
  readonly committed: boolean;
  readonly error?: NoCommittedOffsetError;
}

const GROUPS_MIN_VERSION = 8;
const REQUIRE_STABLE_MIN_VERSION = 7;

export function offsetFetchRequest(group: string, partitions: readonly TopicPartition[], version: number): OffsetFetchRequest {
  const topics = [...fromList(partitions)].map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
  // requireStable (KIP-447): wait for commits still being written instead of reading an old offset.
  const stable = version >= REQUIRE_STABLE_MIN_VERSION ? { requireStable: true } : {};
  return version >= GROUPS_MIN_VERSION ? { groups: [{ groupId: group, topics }], ...stable } : { groupId: group, topics, ...stable };
}

/** Committed offsets by partitionKey; partitions without one are absent. Errors are thrown typed. */
export function committedFrom(response: OffsetFetchResponse, group: string, version: number): Map<string, bigint> {
  let errorCode = response.errorCode ?? 0;
  let topics: ReadonlyArray<{ name: string; partitions: ReadonlyArray<{ partitionIndex: number; committedOffset: bigint; errorCode: number }> }> =
    response.topics ?? [];
  if (version >= GROUPS_MIN_VERSION) {
    const answer = response.groups?.find((g) => g.groupId === group);
    if (!answer) throw new GroupResponseError('OffsetFetch', `no answer for group "${group}"`);
    errorCode = answer.errorCode;
    topics = answer.topics;
  }
  const groupError = kafkaErrorOrNull(errorCode, `OffsetFetch of group "${group}"`);
  if (groupError) throw groupError;
  const committed = new Map<string, bigint>();
  for (const t of topics) {
    for (const p of t.partitions) {
      const error = kafkaErrorOrNull(p.errorCode, `OffsetFetch of group "${group}" ${t.name}[${p.partitionIndex}]`);
      if (error) throw error;
      if (p.committedOffset >= 0n) committed.set(partitionKey(t.name, p.partitionIndex), p.committedOffset);
    }
  }
  return committed;
}

/** Answers that mean "ask again in a moment" at the same coordinator. */
const WAIT_AND_RETRY: ReadonlySet<number> = new Set([KafkaErrorCode.UNSTABLE_OFFSET_COMMIT, KafkaErrorCode.COORDINATOR_LOAD_IN_PROGRESS]);

export async function fetchCommitted(connection: ConnectionActor, group: string, partitions: readonly TopicPartition[], deadline: Deadline): Promise<Map<string, bigint>> {
  if (partitions.length === 0) return new Map();
  const version = await negotiatedVersion(connection, OffsetFetchApi, deadline.remaining(), { min: 1 });
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await request(connection, OffsetFetchApi, offsetFetchRequest(group, partitions, version), {
        timeoutMs: deadline.remaining(),
        versions: { min: version, max: version },
      });
      return committedFrom(response, group, version);
    } catch (error) {
      const code = (error as { errorCode?: number }).errorCode;
      if (code === undefined || !WAIT_AND_RETRY.has(code) || !(await deadline.pause(attempt))) throw error;
    }
  }
}

/**
 * Starting positions of `partitions`: the committed offset, else per `reset` the log start or
 * end (ListOffsets at each leader), else (reset "none") an entry with a NoCommittedOffsetError.
 */
export async function startingPositions(
  cluster: ClusterClient,
  connection: ConnectionActor,
  group: string,
  partitions: readonly TopicPartition[],
  reset: OffsetReset,
  timeoutMs: number,
): Promise<PartitionStart[]> {
  const deadline = new Deadline(timeoutMs);
  const committed = await fetchCommitted(connection, group, partitions, deadline);
  const missing = partitions.filter((p) => !committed.has(partitionKey(p.topic, p.partition)));
  const resets = reset === 'none' || missing.length === 0 ? new Map() : await offsetsFor(cluster, missing, reset, deadline);
  return partitions.map((p): PartitionStart => {
    const offset = committed.get(partitionKey(p.topic, p.partition));
    if (offset !== undefined) return { topic: p.topic, partition: p.partition, offset, committed: true };
    if (reset === 'none') return { topic: p.topic, partition: p.partition, offset: null, committed: false, error: new NoCommittedOffsetError(group, p.topic, p.partition) };
    const found = resets.get(p.topic)?.get(p.partition)?.offset ?? null;
    if (found === null) throw new GroupResponseError('ListOffsets', `no ${reset} offset for ${p.topic}[${p.partition}]`);
    return { topic: p.topic, partition: p.partition, offset: found, committed: false };
  });
}

const GENERATION_MIN_VERSION = 1;
const INSTANCE_ID_MIN_VERSION = 7;

export function offsetCommitRequest(m: Membership, offsets: readonly CommitOffset[], version: number): OffsetCommitRequest {
  const topics = new Map<string, OffsetCommitRequest['topics'][number]>();
  for (const o of offsets) {
    let topic = topics.get(o.topic);
    if (!topic) topics.set(o.topic, (topic = { name: o.topic, partitions: [] }));
    topic.partitions.push({ partitionIndex: o.partition, committedOffset: o.offset, committedMetadata: null });
  }
  return {
    groupId: m.group,
    ...(version >= GENERATION_MIN_VERSION ? { generationIdOrMemberEpoch: m.generationId, memberId: m.memberId } : {}),
    ...(version >= INSTANCE_ID_MIN_VERSION ? { groupInstanceId: m.groupInstanceId } : {}),
    topics: [...topics.values()],
  };
}

/** Commits `offsets`; the first partition's error is thrown typed (the group's own errors come this way too). */
export async function commitOffsets(connection: ConnectionActor, m: Membership, offsets: readonly CommitOffset[], timeoutMs: number): Promise<void> {
  if (offsets.length === 0) return;
  const version = await negotiatedVersion(connection, OffsetCommitApi, timeoutMs, { min: 2 });
  const response = await request(connection, OffsetCommitApi, offsetCommitRequest(m, offsets, version), {
    timeoutMs,
    versions: { min: version, max: version },
  });
  for (const t of response.topics) {
    for (const p of t.partitions) {
      const error = kafkaErrorOrNull(p.errorCode, `OffsetCommit of group "${m.group}" ${t.name}[${p.partitionIndex}]`);
      if (error) throw error;
    }
  }
}
