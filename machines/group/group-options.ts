/**
 * What a group actor is given: the group, what it subscribes to, timings, assignors, and the
 * two hooks through which the rest of the daemon meets it (see group-machine.ts).
 */
import type { BackoffPolicy } from '../backoff.js';
import type { ClusterClient } from '../cluster/cluster-client.js';
import type { ClusterMetadata } from '../cluster/metadata.js';
import type { CommitOffset, OffsetReset, PartitionStart } from './offsets.js';
import type { TopicPartition } from './topic-partitions.js';

/**
 * Told about partitions as they come and go. `assigned` gets newly assigned partitions with
 * their starting offsets; `revoked` partitions given up in a rebalance or at stop, after the
 * group committed their committable positions; `lost` partitions taken away without a chance
 * to commit (the member was fenced out: its generation or member id expired). A returned
 * promise is awaited before the rebalance goes on.
 */
export interface GroupListener {
  assigned?(partitions: readonly PartitionStart[]): void | Promise<void>;
  revoked?(partitions: readonly TopicPartition[]): void | Promise<void>;
  lost?(partitions: readonly TopicPartition[]): void;
}

export interface GroupOptions {
  readonly cluster: ClusterClient;
  readonly group: string;
  /** Either a topic list or a pattern (a RegExp source, matched against the whole name). */
  readonly topics?: readonly string[];
  readonly pattern?: string;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly rebalanceTimeoutMs: number;
  /** 0 turns automatic commits off. */
  readonly autoCommitIntervalMs: number;
  readonly autoOffsetReset: OffsetReset;
  /** Assignor names, most preferred first. */
  readonly assignors: readonly string[];
  /** group.instance.id for static membership (KIP-345); null for a dynamic member. */
  readonly groupInstanceId?: string | null;
  readonly rackId?: string | null;
  /** How often the subscribed topics' metadata is compared with what the group was joined with. */
  readonly metadataCheckMs?: number;
  /** Time for each request other than JoinGroup (which may take the whole rebalance timeout). */
  readonly requestTimeoutMs?: number;
  readonly backoff?: BackoffPolicy;
  readonly listener?: GroupListener;
  /** The positions that may be committed now (the ack tracker's contiguous acknowledged prefix). */
  readonly committable?: () => Iterable<CommitOffset>;
  readonly random?: () => number;
}

export const DEFAULT_METADATA_CHECK_MS = 5_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_GROUP_BACKOFF: BackoffPolicy = { minMs: 100, maxMs: 5_000 };

export class GroupOptionsError extends Error {
  readonly code = 'INVALID_GROUP_OPTIONS';
  readonly retriable = false;
  override readonly name = 'GroupOptionsError';
}

export function checkGroupOptions(o: GroupOptions): void {
  const fail = (why: string): never => {
    throw new GroupOptionsError(`group "${o.group}": ${why}`);
  };
  if (o.group === '') fail('the group name is empty');
  if ((o.topics === undefined) === (o.pattern === undefined)) fail('give either topics or a pattern');
  if (o.topics !== undefined && o.topics.length === 0) fail('the topic list is empty');
  if (o.pattern !== undefined) {
    try {
      new RegExp(o.pattern);
    } catch (error) {
      fail(`the pattern is not a regular expression: ${(error as Error).message}`);
    }
  }
  if (o.assignors.length === 0) fail('no assignor');
  if (o.heartbeatIntervalMs >= o.sessionTimeoutMs) fail('heartbeatIntervalMs must be below sessionTimeoutMs');
}

/** The topics this member subscribes to now: its list, or the existing non-internal topics its pattern matches. */
export function subscribedTopics(o: Pick<GroupOptions, 'topics' | 'pattern'>, metadata: ClusterMetadata): string[] {
  if (o.topics) return [...new Set(o.topics)].sort();
  const pattern = new RegExp(`^(?:${o.pattern ?? ''})$`);
  return [...metadata.topics.values()]
    .filter((t) => !t.isInternal && t.errorCode === 0 && pattern.test(t.name))
    .map((t) => t.name)
    .sort();
}

/** Partition counts of `topics` in `metadata` (0 for a topic that does not exist). */
export function partitionCounts(topics: Iterable<string>, metadata: ClusterMetadata): Map<string, number> {
  return new Map([...topics].map((t) => [t, metadata.topics.get(t)?.partitions.size ?? 0]));
}
