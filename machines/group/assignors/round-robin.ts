/**
 * The round-robin assignor: every partition of every subscribed topic, in topic then
 * partition order, goes to the next member in a circle, skipping members not subscribed to
 * its topic. With equal subscriptions the counts differ by at most one.
 */
import { addPartition, emptyAssignment, orderedMembers, subscribedTopics, type Assignor } from './assignor.js';

export const roundRobinAssignor: Assignor = {
  name: 'roundrobin',
  rebalanceProtocol: 'eager',
  assign(members, partitionsPerTopic) {
    const assignment = emptyAssignment(members);
    const ordered = orderedMembers(members);
    if (ordered.length === 0) return assignment;
    let cursor = 0;
    for (const topic of subscribedTopics(members, partitionsPerTopic)) {
      const count = partitionsPerTopic.get(topic) ?? 0;
      for (let partition = 0; partition < count; partition++) {
        // Some member subscribes to the topic (subscribedTopics), so this loop ends.
        while (!ordered[cursor % ordered.length].subscription.topics.includes(topic)) cursor++;
        addPartition(assignment, ordered[cursor % ordered.length].memberId, topic, partition);
        cursor++;
      }
    }
    return assignment;
  },
};
