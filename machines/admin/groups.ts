/**
 * listGroups (ListGroups at every broker, each knowing only the groups it coordinates) and
 * describeGroup (DescribeGroups and OffsetFetch at the group's coordinator, then the end
 * offsets of every partition the group has committed or been assigned, for its lag).
 */
import { kafkaErrorOrNull } from '../../protocol/errors/kafka-error.js';
import { DescribeGroupsApi, type DescribeGroupsResponse } from '../../protocol/messages/describe-groups.js';
import { ListGroupsApi } from '../../protocol/messages/list-groups.js';
import type { ClusterClient } from '../cluster/cluster-client.js';
import { atCoordinator } from './coordinator.js';
import { Deadline } from './deadline.js';
import { AdminResponseError } from './errors.js';
import { fetchCommittedOffsets } from './group-offsets.js';
import { existingTopics, offsetsFor } from './list-offsets.js';
import { decodeMemberAssignment, type AssignedTopic } from './member-assignment.js';
import { clusterReady, isRetriable, sendAdminRequest } from './send.js';

export interface GroupListing {
  readonly group: string;
  readonly protocolType: string;
  /** The group's state (Stable, Empty, ...) when the broker reports it (ListGroups v4+). */
  readonly state: string | null;
}

export interface GroupMember {
  readonly memberId: string;
  readonly clientId: string;
  readonly host: string;
  /** Decoded for "consumer" groups; empty for other protocol types and during a rebalance. */
  readonly assignment: readonly AssignedTopic[];
}

export interface GroupPartitionOffsets {
  readonly topic: string;
  readonly partition: number;
  /** null when the group has committed nothing for this partition. */
  readonly committed: bigint | null;
  /** The high watermark; null when the topic no longer exists. */
  readonly end: bigint | null;
  /** end - committed; null when either is unknown. */
  readonly lag: bigint | null;
}

export interface GroupDescription {
  readonly group: string;
  readonly state: string;
  readonly protocolType: string;
  readonly protocol: string;
  readonly members: readonly GroupMember[];
  readonly offsets: readonly GroupPartitionOffsets[];
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** ListGroups at one broker, asked again while it is still loading its groups. */
async function groupsAt(cluster: ClusterClient, nodeId: number, deadline: Deadline): Promise<GroupListing[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      const { response } = await sendAdminRequest(cluster, nodeId, ListGroupsApi, () => ({}), deadline);
      const error = kafkaErrorOrNull(response.errorCode, `broker ${nodeId}`);
      if (error) throw error;
      return response.groups.map((g) => ({ group: g.groupId, protocolType: g.protocolType, state: g.groupState ?? null }));
    } catch (error) {
      if (!isRetriable(error) || !(await deadline.pause(attempt))) throw error;
    }
  }
}

export async function listGroups(cluster: ClusterClient, options: { timeoutMs: number }): Promise<GroupListing[]> {
  const deadline = new Deadline(options.timeoutMs);
  await clusterReady(cluster, deadline);
  const perBroker = await Promise.all([...cluster.metadata.brokers.keys()].map((nodeId) => groupsAt(cluster, nodeId, deadline)));
  const merged = new Map<string, GroupListing>();
  for (const listing of perBroker.flat()) merged.set(listing.group, listing);
  return [...merged.values()].sort((a, b) => byName(a.group, b.group));
}

type DescribedGroup = DescribeGroupsResponse['groups'][number];

async function describeAt(cluster: ClusterClient, nodeId: number, group: string, deadline: Deadline): Promise<DescribedGroup> {
  const { response } = await sendAdminRequest(cluster, nodeId, DescribeGroupsApi, () => ({ groups: [group] }), deadline);
  const described = response.groups.find((g) => g.groupId === group);
  if (!described) throw new AdminResponseError('DescribeGroups', `no answer for group "${group}"`);
  const error = kafkaErrorOrNull(described.errorCode, `group "${group}"`);
  if (error) throw error;
  return described;
}

function partitionKey(topic: string, partition: number): string {
  return `${partition}:${topic}`;
}

export async function describeGroup(cluster: ClusterClient, group: string, options: { timeoutMs: number }): Promise<GroupDescription> {
  const deadline = new Deadline(options.timeoutMs);
  await clusterReady(cluster, deadline);
  const described = await atCoordinator(cluster, group, deadline, (nodeId) => describeAt(cluster, nodeId, group, deadline));
  const committed = await atCoordinator(cluster, group, deadline, (nodeId) => fetchCommittedOffsets(cluster, nodeId, group, deadline));

  const members: GroupMember[] = described.members.map((m) => ({
    memberId: m.memberId,
    clientId: m.clientId,
    host: m.clientHost,
    assignment: described.protocolType === 'consumer' ? decodeMemberAssignment(m.memberAssignment, group, m.memberId) : [],
  }));

  // Every partition the group cares about: committed ones and assigned ones not yet committed.
  const partitions = new Map<string, { topic: string; partition: number; committed: bigint | null }>();
  for (const c of committed) partitions.set(partitionKey(c.topic, c.partition), { topic: c.topic, partition: c.partition, committed: c.offset });
  for (const m of members) {
    for (const a of m.assignment) {
      for (const partition of a.partitions) {
        const key = partitionKey(a.topic, partition);
        if (!partitions.has(key)) partitions.set(key, { topic: a.topic, partition, committed: null });
      }
    }
  }
  const topics = await existingTopics(cluster, [...partitions.values()].map((p) => p.topic), deadline);
  const ends = await offsetsFor(cluster, [...partitions.values()].filter((p) => topics.has(p.topic)), 'latest', deadline);

  const offsets: GroupPartitionOffsets[] = [...partitions.values()]
    .sort((a, b) => byName(a.topic, b.topic) || a.partition - b.partition)
    .map((p) => {
      const end = ends.get(p.topic)?.get(p.partition)?.offset ?? null;
      return { ...p, end, lag: end !== null && p.committed !== null ? end - p.committed : null };
    });
  return {
    group: described.groupId,
    state: described.groupState,
    protocolType: described.protocolType,
    protocol: described.protocolData,
    members: members.sort((a, b) => byName(a.memberId, b.memberId)),
    offsets,
  };
}
