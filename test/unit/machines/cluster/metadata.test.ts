import test from 'ava';
import { ClusterMetadata } from '../../../../machines/cluster/metadata.js';
import type { MetadataResponse } from '../../../../protocol/messages/metadata.js';

function response(leader: number, epoch: number, brokers = [1, 2, 3], topics = ['orders']): MetadataResponse {
  return {
    brokers: brokers.map((id) => ({ nodeId: id, host: `h${id}`, port: 9000 + id, rack: null })),
    clusterId: 'c1',
    controllerId: 1,
    topics: topics.map((name) => ({
      errorCode: 0,
      name,
      topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
      isInternal: false,
      partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: leader, leaderEpoch: epoch, replicaNodes: [1, 2, 3], isrNodes: [1, 2, 3], offlineReplicas: [] }],
    })),
  };
}

test('a response becomes brokers, topics, partitions, leaders and epochs', (t) => {
  const m = ClusterMetadata.empty().merge(response(2, 5), true, 1000);
  t.is(m.clusterId, 'c1');
  t.is(m.controllerId, 1);
  t.deepEqual([...m.brokers.keys()], [1, 2, 3]);
  t.is(m.leaderFor('orders', 0), 2);
  t.is(m.partition('orders', 0)?.leaderEpoch, 5);
  t.is(m.topics.get('orders')?.topicId, null, 'the all-zero uuid means no id');
  t.is(m.leaderFor('orders', 1), undefined);
  t.is(m.leaderFor('missing', 0), undefined);
  t.is(m.updatedAt, 1000);
});

test('a leader with a newer epoch replaces the old one; an older epoch from a lagging broker does not', (t) => {
  const m1 = ClusterMetadata.empty().merge(response(2, 5), true);
  t.is(m1.merge(response(3, 6), true).leaderFor('orders', 0), 3);
  t.is(m1.merge(response(1, 4), true).leaderFor('orders', 0), 2);
  t.is(m1.merge(response(3, -1), true).leaderFor('orders', 0), 3, 'no epoch (old Metadata versions) is taken as is');
});

test('a leaderless partition has no leader', (t) => {
  t.is(ClusterMetadata.empty().merge(response(-1, 7), true).leaderFor('orders', 0), undefined);
});

test('an all-topics response drops vanished topics; a partial one keeps the others', (t) => {
  const m = ClusterMetadata.empty().merge(response(1, 1, [1], ['a', 'b']), true);
  t.deepEqual([...m.merge(response(1, 1, [1], ['a']), true).topics.keys()], ['a']);
  t.deepEqual([...m.merge(response(1, 1, [1], ['a']), false).topics.keys()].sort(), ['a', 'b']);
});

test('broker changes: added, removed and moved', (t) => {
  const before = ClusterMetadata.empty().merge(response(1, 1, [1, 2]), true);
  const r = response(1, 1, [2, 3]);
  r.brokers[0] = { ...r.brokers[0], port: 1 };
  const changes = before.merge(r, true).brokerChangesSince(before);
  t.deepEqual(changes.added.map((b) => b.nodeId), [3]);
  t.deepEqual(changes.removed.map((b) => b.nodeId), [1]);
  t.deepEqual(changes.moved.map((b) => [b.nodeId, b.port]), [[2, 1]]);
});

test('toJSON gives plain arrays', (t) => {
  const json = ClusterMetadata.empty().merge(response(2, 5), true).toJSON() as { brokers: unknown[]; topics: Array<{ partitions: unknown[] }> };
  t.is(json.brokers.length, 3);
  t.is(json.topics[0].partitions.length, 1);
});
