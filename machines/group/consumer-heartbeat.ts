/**
 * The consumer group protocol of KIP-848 (Kafka 4.x): one ConsumerGroupHeartbeat request
 * carries the member's subscription and owned partitions, and its answer the member epoch and
 * the target assignment computed by the coordinator (server-side assignor). Partitions travel
 * as topic ids; they are named through the cluster metadata (refreshed once when an id is new).
 */
import { randomBytes } from 'node:crypto';
import { kafkaErrorOrNull } from '../../protocol/errors/kafka-error.js';
import { ConsumerGroupHeartbeatApi, type ConsumerGroupHeartbeatRequest } from '../../protocol/messages/consumer-group-heartbeat.js';
import type { ClusterClient } from '../cluster/cluster-client.js';
import type { ClusterMetadata } from '../cluster/metadata.js';
import { request } from '../connection/connection-client.js';
import type { ConnectionActor } from '../connection/connection-machine.js';
import { GroupResponseError } from './errors.js';
import { fromList, type TopicPartition } from './topic-partitions.js';

/** memberEpoch values with a meaning of their own. */
export const MemberEpoch = { join: 0, leave: -1, leaveStatic: -2 } as const;

/** Server-side assignors Kafka ships; anything else lets the broker pick its default. */
const SERVER_ASSIGNORS: ReadonlySet<string> = new Set(['uniform', 'range']);

/** KIP-1082: the member picks its own id (a random UUID, base64url as Kafka writes them). */
export function newMemberId(): string {
  return randomBytes(16).toString('base64url');
}

export interface ConsumerHeartbeatParams {
  readonly group: string;
  readonly memberId: string;
  readonly memberEpoch: number;
  readonly instanceId: string | null;
  readonly rackId: string | null;
  readonly rebalanceTimeoutMs: number;
  /** null on a leave heartbeat. */
  readonly topics: readonly string[] | null;
  readonly assignors: readonly string[];
  readonly owned: readonly TopicPartition[] | null;
}

export interface ConsumerHeartbeatAnswer {
  readonly memberId: string;
  readonly memberEpoch: number;
  readonly heartbeatIntervalMs: number;
  /** The new target assignment, or null when unchanged. */
  readonly assignment: TopicPartition[] | null;
}

function topicIdsByName(metadata: ClusterMetadata): Map<string, string> {
  const ids = new Map<string, string>();
  for (const t of metadata.topics.values()) if (t.topicId) ids.set(t.name, t.topicId);
  return ids;
}

export function heartbeatRequest(p: ConsumerHeartbeatParams, metadata: ClusterMetadata): ConsumerGroupHeartbeatRequest {
  const ids = topicIdsByName(metadata);
  const owned =
    p.owned === null
      ? null
      : [...fromList(p.owned)].filter(([topic]) => ids.has(topic)).map(([topic, partitions]) => ({ topicId: ids.get(topic) as string, partitions }));
  return {
    groupId: p.group,
    memberId: p.memberId,
    memberEpoch: p.memberEpoch,
    instanceId: p.instanceId,
    rackId: p.rackId,
    rebalanceTimeoutMs: p.rebalanceTimeoutMs,
    subscribedTopicNames: p.topics === null ? null : [...p.topics],
    serverAssignor: p.assignors.find((a) => SERVER_ASSIGNORS.has(a)) ?? null,
    topicPartitions: owned,
  };
}

/** Names the partitions of an assignment given by topic id; one metadata refresh for ids not known yet. */
export async function namedAssignment(
  cluster: ClusterClient,
  topics: ReadonlyArray<{ topicId: string; partitions: readonly number[] }>,
  timeoutMs: number,
): Promise<TopicPartition[]> {
  const names = (m: ClusterMetadata): Map<string, string> => new Map([...m.topics.values()].filter((t) => t.topicId).map((t) => [t.topicId as string, t.name]));
  let byId = names(cluster.metadata);
  if (topics.some((t) => !byId.has(t.topicId))) byId = names(await cluster.refreshMetadata(timeoutMs));
  const named: TopicPartition[] = [];
  for (const t of topics) {
    const topic = byId.get(t.topicId);
    if (topic === undefined) throw new GroupResponseError('ConsumerGroupHeartbeat', `assigned topic id ${t.topicId} is not in the cluster metadata`);
    for (const partition of t.partitions) named.push({ topic, partition });
  }
  return [...fromList(named)].flatMap(([topic, ps]) => ps.map((partition) => ({ topic, partition })));
}

export async function consumerHeartbeat(
  connection: ConnectionActor,
  cluster: ClusterClient,
  p: ConsumerHeartbeatParams,
  timeoutMs: number,
): Promise<ConsumerHeartbeatAnswer> {
  const response = await request(connection, ConsumerGroupHeartbeatApi, heartbeatRequest(p, cluster.metadata), { timeoutMs });
  const error = kafkaErrorOrNull(response.errorCode, response.errorMessage ?? `ConsumerGroupHeartbeat of group "${p.group}"`);
  if (error) throw error;
  return {
    memberId: response.memberId ?? p.memberId,
    memberEpoch: response.memberEpoch,
    heartbeatIntervalMs: response.heartbeatIntervalMs,
    assignment: response.assignment === null ? null : await namedAssignment(cluster, response.assignment.topicPartitions, timeoutMs),
  };
}
