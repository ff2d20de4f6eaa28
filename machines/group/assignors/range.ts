/**
 * The range assignor: per topic, the partitions are cut into contiguous ranges, one per
 * subscribed member in order; the first (partitions mod members) members get one more.
 * Members subscribed to the same topics get the same partition numbers of each topic, which
 * co-partitioned topics rely on.
 */
import { addPartition, emptyAssignment, orderedMembers, subscribedTopics, type Assignor } from './assignor.js';

export const rangeAssignor: Assignor = {
  name: 'range',
  rebalanceProtocol: 'eager',
  assign(members, partitionsPerTopic) {
    const assignment = emptyAssignment(members);
    const ordered = orderedMembers(members);
    for (const topic of subscribedTopics(members, partitionsPerTopic)) {
      const count = partitionsPerTopic.get(topic) ?? 0;
      const consumers = ordered.filter((m) => m.subscription.topics.includes(topic));
      const each = Math.floor(count / consumers.length);
      const extra = count % consumers.length;
      let next = 0;
      consumers.forEach((member, i) => {
        const size = each + (i < extra ? 1 : 0);
        for (let p = next; p < next + size; p++) addPartition(assignment, member.memberId, topic, p);
        next += size;
      });
    }
    return assignment;
  },
};
