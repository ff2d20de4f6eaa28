/**
 * The committed offsets of a group (OffsetFetch at its coordinator, all topics at once).
 * Version 8 moved the request and the answer into a list of groups; older versions name one
 * group at the top level. Both ask for every topic with a null topic list (v2+).
 */
import { kafkaErrorOrNull } from '../../protocol/errors/kafka-error.js';
import { OffsetFetchApi, type OffsetFetchRequest, type OffsetFetchResponse } from '../../protocol/messages/offset-fetch.js';
import type { ClusterClient } from '../cluster/cluster-client.js';
import type { Deadline } from './deadline.js';
import { AdminResponseError } from './errors.js';
import { sendAdminRequest } from './send.js';

export interface CommittedOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
}

const ALL_TOPICS_MIN_VERSION = 2;
const GROUPS_MIN_VERSION = 8;

export function offsetFetchRequest(group: string, version: number): OffsetFetchRequest {
  return version >= GROUPS_MIN_VERSION ? { groups: [{ groupId: group, topics: null }] } : { groupId: group, topics: null };
}

/**
 * The committed offsets in a response, or the group's error thrown as a KafkaProtocolError.
 * Partitions without a committed offset (-1) are left out.
 */
export function committedOffsetsFrom(response: OffsetFetchResponse, group: string, version: number): CommittedOffset[] {
  let errorCode: number;
  let topics: ReadonlyArray<{ name: string; partitions: ReadonlyArray<{ partitionIndex: number; committedOffset: bigint; errorCode: number }> }>;
  if (version >= GROUPS_MIN_VERSION) {
    const answer = response.groups?.find((g) => g.groupId === group);
    if (!answer) throw new AdminResponseError('OffsetFetch', `no answer for group "${group}"`);
    errorCode = answer.errorCode;
    topics = answer.topics;
  } else {
    errorCode = response.errorCode ?? 0;
    topics = response.topics ?? [];
  }
  const groupError = kafkaErrorOrNull(errorCode, `group "${group}"`);
  if (groupError) throw groupError;
  const offsets: CommittedOffset[] = [];
  for (const t of topics) {
    for (const p of t.partitions) {
      const partitionError = kafkaErrorOrNull(p.errorCode, `group "${group}" ${t.name}[${p.partitionIndex}]`);
      if (partitionError) throw partitionError;
      if (p.committedOffset >= 0n) offsets.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset });
    }
  }
  return offsets;
}

/** One attempt at `nodeId` (the coordinator); the caller retries through atCoordinator. */
export async function fetchCommittedOffsets(cluster: ClusterClient, nodeId: number, group: string, deadline: Deadline): Promise<CommittedOffset[]> {
  const { version, response } = await sendAdminRequest(cluster, nodeId, OffsetFetchApi, (v) => offsetFetchRequest(group, v), deadline, {
    min: ALL_TOPICS_MIN_VERSION,
  });
  return committedOffsetsFrom(response, group, version);
}
