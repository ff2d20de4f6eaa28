/**
 * The sticky assignors: balanced like round-robin, but a partition stays with the member
 * that owned it whenever balance allows. Previous ownership comes from each member's
 * subscription (owned partitions and their generation, consumer protocol v1+/v2+).
 *
 * 1. Ownership claims are checked: a partition of a topic the member still subscribes to
 *    that still exists; when two members claim one, the higher generation wins (the other
 *    claim is stale, e.g. a member that missed a rebalance).
 * 2. Unclaimed partitions go, hardest to place first (fewest eligible members), to the
 *    eligible member with the fewest partitions.
 * 3. While some member has two more partitions than another member that could take one of
 *    them, one moves: newly placed partitions before owned ones, so moves cost as little
 *    stickiness as possible. Each move lowers the sum of squared counts, so this ends.
 *
 * `cooperative-sticky` (KIP-429) then withholds every partition whose owner changes: the old
 * owner revokes it and rejoins, and the follow-up rebalance hands it out.
 */
import { partitionKey, type TopicPartition } from '../topic-partitions.js';
import { emptyAssignment, orderedMembers, subscribedTopics, type Assignor, type MemberSubscription } from './assignor.js';

interface Placement {
  readonly partition: TopicPartition;
  owner: string;
  /** Still with the member that owned it before this rebalance. */
  sticky: boolean;
}

/** partitionKey -> the member whose claim wins, after step 1. */
export function validOwners(members: readonly MemberSubscription[], partitionsPerTopic: ReadonlyMap<string, number>): Map<string, string> {
  const best = new Map<string, { memberId: string; generation: number }>();
  for (const m of orderedMembers(members)) {
    const { topics, ownedPartitions, generationId } = m.subscription;
    for (const p of ownedPartitions) {
      if (!topics.includes(p.topic) || p.partition < 0 || p.partition >= (partitionsPerTopic.get(p.topic) ?? 0)) continue;
      const key = partitionKey(p.topic, p.partition);
      const current = best.get(key);
      if (!current || generationId > current.generation) best.set(key, { memberId: m.memberId, generation: generationId });
    }
  }
  return new Map([...best].map(([key, claim]) => [key, claim.memberId]));
}

function stickyPlacements(members: readonly MemberSubscription[], partitionsPerTopic: ReadonlyMap<string, number>): { placements: Placement[]; owners: Map<string, string> } {
  const ordered = orderedMembers(members);
  const owners = validOwners(members, partitionsPerTopic);
  const subscribers = new Map<string, string[]>();
  for (const topic of subscribedTopics(members, partitionsPerTopic)) {
    subscribers.set(topic, ordered.filter((m) => m.subscription.topics.includes(topic)).map((m) => m.memberId));
  }
  const counts = new Map(ordered.map((m) => [m.memberId, 0]));
  const placements: Placement[] = [];
  const unplaced: TopicPartition[] = [];
  for (const [topic] of subscribers) {
    const count = partitionsPerTopic.get(topic) ?? 0;
    for (let partition = 0; partition < count; partition++) {
      const owner = owners.get(partitionKey(topic, partition));
      if (owner === undefined) unplaced.push({ topic, partition });
      else {
        placements.push({ partition: { topic, partition }, owner, sticky: true });
        counts.set(owner, (counts.get(owner) ?? 0) + 1);
      }
    }
  }
  // Step 2: hardest to place first, then topic and partition order for determinism.
  unplaced.sort((a, b) => (subscribers.get(a.topic)?.length ?? 0) - (subscribers.get(b.topic)?.length ?? 0));
  for (const p of unplaced) {
    const eligible = subscribers.get(p.topic) ?? [];
    let target = eligible[0];
    for (const id of eligible) if ((counts.get(id) ?? 0) < (counts.get(target) ?? 0)) target = id;
    placements.push({ partition: p, owner: target, sticky: false });
    counts.set(target, (counts.get(target) ?? 0) + 1);
  }
  // Step 3: move from the fullest members to emptier eligible ones while that helps.
  const order = ordered.map((m) => m.memberId);
  for (let moved = true; moved; ) {
    moved = false;
    const fullestFirst = [...order].sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0));
    outer: for (const from of fullestFirst) {
      const candidates = placements.filter((pl) => pl.owner === from).sort((a, b) => Number(a.sticky) - Number(b.sticky));
      for (const pl of candidates) {
        const eligible = subscribers.get(pl.partition.topic) ?? [];
        let target: string | undefined;
        for (const id of eligible) {
          if ((counts.get(id) ?? 0) + 1 < (counts.get(from) ?? 0) && (target === undefined || (counts.get(id) ?? 0) < (counts.get(target) ?? 0))) target = id;
        }
        if (target !== undefined) {
          pl.owner = target;
          pl.sticky = false;
          counts.set(from, (counts.get(from) ?? 0) - 1);
          counts.set(target, (counts.get(target) ?? 0) + 1);
          moved = true;
          break outer;
        }
      }
    }
  }
  return { placements, owners };
}

function toAssignment(members: readonly MemberSubscription[], placements: readonly Placement[]): ReturnType<Assignor['assign']> {
  const assignment = emptyAssignment(members);
  const sorted = [...placements].sort((a, b) =>
    a.partition.topic < b.partition.topic ? -1 : a.partition.topic > b.partition.topic ? 1 : a.partition.partition - b.partition.partition,
  );
  for (const { partition, owner } of sorted) {
    const topics = assignment.get(owner) as Map<string, number[]>;
    topics.set(partition.topic, [...(topics.get(partition.topic) ?? []), partition.partition]);
  }
  return assignment;
}

export const stickyAssignor: Assignor = {
  name: 'sticky',
  rebalanceProtocol: 'eager',
  assign(members, partitionsPerTopic) {
    return toAssignment(members, stickyPlacements(members, partitionsPerTopic).placements);
  },
};

export const cooperativeStickyAssignor: Assignor = {
  name: 'cooperative-sticky',
  rebalanceProtocol: 'cooperative',
  assign(members, partitionsPerTopic) {
    const { placements, owners } = stickyPlacements(members, partitionsPerTopic);
    // A partition changing hands is withheld until its owner has let it go (the next round).
    const settled = placements.filter((pl) => {
      const owner = owners.get(partitionKey(pl.partition.topic, pl.partition.partition));
      return owner === undefined || owner === pl.owner;
    });
    return toAssignment(members, settled);
  },
};
