/**
 * What a partition assignor is: given every member's subscription and the partition count of
 * each subscribed topic, who gets which partitions. Assignors are pure and deterministic (the
 * group leader runs one; any member could produce the same answer from the same input).
 *
 * `eager` assignors assume every member gave up all its partitions before joining;
 * `cooperative` ones (KIP-429) never hand a partition to a new owner in the same rebalance in
 * which its old owner still holds it: the old owner revokes it and rejoins, and the follow-up
 * rebalance assigns it.
 */
import type { Subscription } from '../consumer-protocol.js';
import type { TopicPartitions } from '../topic-partitions.js';

export const RebalanceProtocol = { eager: 'eager', cooperative: 'cooperative' } as const;
export type RebalanceProtocol = (typeof RebalanceProtocol)[keyof typeof RebalanceProtocol];

export interface MemberSubscription {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly subscription: Subscription;
}

export interface Assignor {
  /** The protocol name in JoinGroup; the Java client's names, so mixed groups agree. */
  readonly name: string;
  readonly rebalanceProtocol: RebalanceProtocol;
  /** memberId -> assigned partitions; every member of `members` has an entry (maybe empty). */
  assign(members: readonly MemberSubscription[], partitionsPerTopic: ReadonlyMap<string, number>): Map<string, TopicPartitions>;
}

/**
 * Members in the order assignors hand out partitions: static members by instance id, then
 * dynamic ones by member id, so that a static member that restarts (new member id) keeps its
 * place and its partitions.
 */
export function orderedMembers(members: readonly MemberSubscription[]): MemberSubscription[] {
  const sortKey = (m: MemberSubscription): string => (m.groupInstanceId !== null ? `0${m.groupInstanceId}` : `1${m.memberId}`);
  return [...members].sort((a, b) => {
    const x = sortKey(a);
    const y = sortKey(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** Topics some member subscribes to that exist, sorted. */
export function subscribedTopics(members: readonly MemberSubscription[], partitionsPerTopic: ReadonlyMap<string, number>): string[] {
  const topics = new Set<string>();
  for (const m of members) for (const t of m.subscription.topics) if ((partitionsPerTopic.get(t) ?? 0) > 0) topics.add(t);
  return [...topics].sort();
}

export function emptyAssignment(members: readonly MemberSubscription[]): Map<string, Map<string, number[]>> {
  return new Map(members.map((m) => [m.memberId, new Map<string, number[]>()]));
}

export function addPartition(assignment: Map<string, Map<string, number[]>>, memberId: string, topic: string, partition: number): void {
  const topics = assignment.get(memberId) ?? new Map<string, number[]>();
  const partitions = topics.get(topic) ?? [];
  partitions.push(partition);
  topics.set(topic, partitions);
  assignment.set(memberId, topics);
}
