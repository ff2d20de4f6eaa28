import test from 'ava';
import { ClusterMetadata } from '../../../../machines/cluster/metadata.js';
import { partitionCounts, subscribedTopics } from '../../../../machines/group/group-options.js';
import type { MetadataResponse } from '../../../../protocol/messages/metadata.js';

function metadata(topics: Array<[string, number, boolean?]>): ClusterMetadata {
  const response = {
    brokers: [],
    clusterId: 'c',
    controllerId: 1,
    topics: topics.map(([name, count, internal]) => ({
      errorCode: 0,
      name,
      isInternal: internal ?? false,
      partitions: Array.from({ length: count }, (_, partitionIndex) => ({ errorCode: 0, partitionIndex, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] })),
    })),
  } as unknown as MetadataResponse;
  return ClusterMetadata.empty().merge(response, true);
}

test('a pattern matches whole names of existing non-internal topics; a list is taken as given', (t) => {
  const m = metadata([['orders-eu', 1], ['orders-us', 2], ['orders-eu-dlq', 1], ['__consumer_offsets', 50, true], ['x-orders-eu', 1]]);
  t.deepEqual(subscribedTopics({ pattern: 'orders-(eu|us)' }, m), ['orders-eu', 'orders-us']);
  t.deepEqual(subscribedTopics({ pattern: '.*' }, m), ['orders-eu', 'orders-eu-dlq', 'orders-us', 'x-orders-eu']);
  t.deepEqual(subscribedTopics({ topics: ['b', 'a', 'b', 'missing'] }, m), ['a', 'b', 'missing']);
  t.deepEqual([...partitionCounts(['orders-us', 'missing'], m)], [['orders-us', 2], ['missing', 0]]);
});
