/**
 * The "consumer" protocol type's opaque bytes in JoinGroup and SyncGroup: a member's
 * subscription (topics, owned partitions for cooperative rebalancing, generation, rack) and
 * the leader's assignment for each member. Both start with an int16 version, then the
 * ConsumerProtocolSubscription/Assignment layout of that version (generated codecs). Newer
 * versions only append fields, so a version above ours is read with our newest layout, as the
 * Java consumer does.
 */
import { decodeConsumerProtocolAssignment, encodeConsumerProtocolAssignment } from '../../protocol/messages/data/consumer-protocol-assignment.js';
import { decodeConsumerProtocolSubscription, encodeConsumerProtocolSubscription } from '../../protocol/messages/data/consumer-protocol-subscription.js';
import { Reader } from '../../protocol/primitives/reader.js';
import { Writer } from '../../protocol/primitives/writer.js';
import { GroupProtocolError } from './errors.js';
import { fromList, toList, type TopicPartition, type TopicPartitions } from './topic-partitions.js';

/** v1 added owned partitions (KIP-429), v2 the generation, v3 the rack (KIP-881). */
export const SUBSCRIPTION_VERSION = 3;
export const ASSIGNMENT_VERSION = 3;

export interface Subscription {
  readonly topics: readonly string[];
  readonly ownedPartitions: readonly TopicPartition[];
  /** The generation the owned partitions belong to; -1 when unknown. */
  readonly generationId: number;
  readonly rackId: string | null;
  readonly userData: Buffer | null;
}

export function encodeSubscription(s: Subscription, version = SUBSCRIPTION_VERSION): Buffer {
  const w = new Writer(256);
  w.writeInt16(version);
  const owned = [...fromList(s.ownedPartitions)].map(([topic, partitions]) => ({ topic, partitions }));
  encodeConsumerProtocolSubscription(w, version, {
    topics: [...s.topics].sort(),
    userData: s.userData,
    ownedPartitions: owned,
    generationId: s.generationId,
    rackId: s.rackId,
  });
  return w.finish();
}

function versionOf(bytes: Buffer, what: string): { reader: Reader; version: number } {
  if (bytes.length < 2) throw new GroupProtocolError(`${what}: ${bytes.length} byte(s), too short for a version`);
  const reader = new Reader(bytes);
  const version = reader.readInt16();
  if (version < 0) throw new GroupProtocolError(`${what}: negative version ${version}`);
  return { reader, version };
}

export function decodeSubscription(bytes: Buffer, memberId: string): Subscription {
  const what = `the subscription of member "${memberId}"`;
  const { reader, version } = versionOf(bytes, what);
  try {
    const s = decodeConsumerProtocolSubscription(reader, Math.min(version, SUBSCRIPTION_VERSION));
    const owned: TopicPartition[] = [];
    for (const t of s.ownedPartitions ?? []) for (const partition of t.partitions) owned.push({ topic: t.topic, partition });
    return { topics: s.topics, ownedPartitions: owned, generationId: s.generationId ?? -1, rackId: s.rackId ?? null, userData: s.userData };
  } catch (error) {
    throw new GroupProtocolError(`${what}: ${(error as Error).message}`);
  }
}

export function encodeAssignment(partitions: TopicPartitions, userData: Buffer | null = null, version = ASSIGNMENT_VERSION): Buffer {
  const w = new Writer(256);
  w.writeInt16(version);
  encodeConsumerProtocolAssignment(w, version, {
    assignedPartitions: [...fromList(toList(partitions))].map(([topic, p]) => ({ topic, partitions: p })),
    userData,
  });
  return w.finish();
}

/** An empty buffer (what a broker gives a member the leader left out) is no partitions. */
export function decodeAssignment(bytes: Buffer): TopicPartition[] {
  if (bytes.length === 0) return [];
  const { reader, version } = versionOf(bytes, 'the assignment');
  try {
    const a = decodeConsumerProtocolAssignment(reader, Math.min(version, ASSIGNMENT_VERSION));
    return toList(new Map(a.assignedPartitions.map((t) => [t.topic, t.partitions])));
  } catch (error) {
    throw new GroupProtocolError(`the assignment: ${(error as Error).message}`);
  }
}
