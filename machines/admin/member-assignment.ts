/**
 * The assignment of a member of a classic "consumer" group, as the group leader wrote it: an
 * int16 version, then ConsumerProtocolAssignment of that version. Versions newer than ours
 * only add fields at the end, so they are read with the newest layout we know (as the Java
 * consumer does). An empty assignment means the group is rebalancing and nothing is assigned.
 */
import { decodeConsumerProtocolAssignment } from '../../protocol/messages/data/consumer-protocol-assignment.js';
import { Reader } from '../../protocol/primitives/reader.js';
import { MemberAssignmentError } from './errors.js';

export interface AssignedTopic {
  readonly topic: string;
  readonly partitions: readonly number[];
}

const NEWEST_KNOWN_VERSION = 3;

export function decodeMemberAssignment(bytes: Buffer, group: string, memberId: string): AssignedTopic[] {
  if (bytes.length === 0) return [];
  if (bytes.length < 2) throw new MemberAssignmentError(group, memberId, `${bytes.length} byte, too short for a version`);
  const reader = new Reader(bytes);
  const version = reader.readInt16();
  if (version < 0) throw new MemberAssignmentError(group, memberId, `negative version ${version}`);
  try {
    const assignment = decodeConsumerProtocolAssignment(reader, Math.min(version, NEWEST_KNOWN_VERSION));
    return assignment.assignedPartitions
      .map((t) => ({ topic: t.topic, partitions: [...t.partitions].sort((a, b) => a - b) }))
      .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
  } catch (error) {
    throw new MemberAssignmentError(group, memberId, (error as Error).message);
  }
}
