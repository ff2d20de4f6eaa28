/**
 * The classic group protocol against the run's real brokers: three members in one process
 * share 12 partitions, one leaves, one dies without leaving, cooperative-sticky keeps
 * survivors' partitions flowing, a static member comes back without a rebalance, and commits
 * are read back with describeGroup.
 */
import test from 'ava';
import { createTopics } from '../../../../machines/admin/create-topics.js';
import { describeGroup } from '../../../../machines/admin/groups.js';
import { listOffsets } from '../../../../machines/admin/list-offsets.js';
import { partitionKey } from '../../../../machines/group/topic-partitions.js';
import { kafkaEnv } from '../../../helpers/kafka.js';
import { CALL_TIMEOUT_MS, eventually, kcatProduce, startCluster, startKcatConsumer, uniqueName, type TestCluster } from '../admin/cluster-fixture.js';
import { settled, startMember, type Member } from './group-fixture.js';

let cluster: TestCluster;
let brokers: string;
const started: Member[] = [];

test.before(async () => {
  const env = await kafkaEnv();
  brokers = env.brokers.join(',');
  cluster = await startCluster(env.brokers);
});

test.after.always(() => {
  for (const m of started) m.crash();
  cluster?.stop();
});

async function topicWith(partitions: number): Promise<string> {
  const topic = uniqueName('group');
  const [result] = await createTopics(cluster.client, [{ name: topic, partitions }], { timeoutMs: CALL_TIMEOUT_MS });
  if (result.error) throw result.error;
  await eventually(`${topic} to have leaders`, async () =>
    (await listOffsets(cluster.client, topic, 'latest', { timeoutMs: CALL_TIMEOUT_MS })).length === partitions ? true : undefined,
  );
  return topic;
}

function member(group: string, name: string, options: Parameters<typeof startMember>[3]): Member {
  const m = startMember(cluster.client, group, name, options);
  started.push(m);
  return m;
}

test.serial('3 members share 12 partitions 4 each; one leaves and the rest are redistributed; one dies and is replaced after the session timeout', async (t) => {
  const topic = await topicWith(12);
  const group = uniqueName('g-eager');
  const [a, b, c] = ['a', 'b', 'c'].map((name) => member(group, name, { topics: [topic] }));
  await settled([a, b, c], 12);
  t.deepEqual([a, b, c].map((m) => m.held.size), [4, 4, 4]);

  await c.stop();
  t.is(c.actor.getSnapshot().status, 'done');
  const leftAt = Date.now();
  await settled([a, b], 12);
  t.deepEqual([a, b].map((m) => m.held.size), [6, 6]);
  // LeaveGroup makes the rebalance immediate, well before a session timeout would have.
  t.true(Date.now() - leftAt < 6_000, `rebalance after leave took ${Date.now() - leftAt} ms`);

  b.crash();
  const crashedAt = Date.now();
  await settled([a], 12);
  const took = Date.now() - crashedAt;
  t.is(a.held.size, 12);
  t.true(took >= 4_000, `the dead member's partitions moved after ${took} ms, before its 6 s session could expire`);
  await a.stop();
});

test.serial('offsets: starting positions come from commits or autoOffsetReset; committable positions are committed (auto and at stop) and read back by describeGroup', async (t) => {
  const topic = await topicWith(2);
  await kcatProduce(brokers, topic, 0, ['a', 'b', 'c', 'd', 'e']);
  await kcatProduce(brokers, topic, 1, ['a', 'b', 'c']);
  const group = uniqueName('g-offsets');
  const first = member(group, 'first', { topics: [topic], autoOffsetReset: 'latest' });
  await settled([first], 2);
  const starts = first.assignedLog.flat().sort((x, y) => x.partition - y.partition);
  t.deepEqual(starts.map((s) => [s.partition, s.offset, s.committed]), [
    [0, 5n, false],
    [1, 3n, false],
  ]);
  first.positions.set(partitionKey(topic, 0), { topic, partition: 0, offset: 4n });
  await eventually('the auto-commit', async () => {
    const d = await describeGroup(cluster.client, group, { timeoutMs: CALL_TIMEOUT_MS });
    return d.offsets.find((o) => o.topic === topic && o.partition === 0)?.committed === 4n ? true : undefined;
  });
  first.positions.set(partitionKey(topic, 1), { topic, partition: 1, offset: 2n });
  await first.stop();
  const described = await describeGroup(cluster.client, group, { timeoutMs: CALL_TIMEOUT_MS });
  t.deepEqual(described.offsets.map((o) => [o.partition, o.committed]), [
    [0, 4n],
    [1, 2n],
  ]);
  t.is(described.members.length, 0, 'the member left the group at stop');

  const second = member(group, 'second', { topics: [topic], autoOffsetReset: 'latest' });
  await settled([second], 2);
  t.deepEqual(second.assignedLog.flat().sort((x, y) => x.partition - y.partition).map((s) => [s.partition, s.offset, s.committed]), [
    [0, 4n, true],
    [1, 2n, true],
  ]);
  await second.stop();
});

test.serial('cooperative-sticky: members joining and leaving never take a partition from a survivor that keeps it', async (t) => {
  const topic = await topicWith(12);
  const group = uniqueName('g-coop');
  const options = { topics: [topic], assignors: ['cooperative-sticky'] };
  const a = member(group, 'a', options);
  await settled([a], 12);
  const b = member(group, 'b', options);
  await settled([a, b], 12);
  t.deepEqual([a.held.size, b.held.size], [6, 6]);
  // a gave up exactly what b got, in one revocation, and nothing else.
  t.deepEqual(a.revokedLog.flat().map((p) => p.partition).sort((x, y) => x - y), b.heldList().map((p) => p.partition));
  const c = member(group, 'c', options);
  await settled([a, b, c], 12);
  t.deepEqual([a, b, c].map((m) => m.held.size), [4, 4, 4]);
  const aBefore = a.heldList();
  const bBefore = b.heldList();
  const aRevoked = a.revokedLog.length;
  const bRevoked = b.revokedLog.length;

  await c.stop();
  await settled([a, b], 12);
  t.is(a.revokedLog.length, aRevoked, 'a revoked nothing when c left');
  t.is(b.revokedLog.length, bRevoked, 'b revoked nothing when c left');
  for (const p of aBefore) t.true(a.held.has(partitionKey(p.topic, p.partition)));
  for (const p of bBefore) t.true(b.held.has(partitionKey(p.topic, p.partition)));
  t.deepEqual([a.held.size, b.held.size], [6, 6]);
  await Promise.all([a.stop(), b.stop()]);
});

test.serial('a static member restarted within its session timeout gets its partitions back without a rebalance', async (t) => {
  const topic = await topicWith(12);
  const group = uniqueName('g-static');
  const options = (id: string) => ({ topics: [topic], groupInstanceId: id, sessionTimeoutMs: 20_000, heartbeatIntervalMs: 500 });
  const [a, b, c] = ['a', 'b', 'c'].map((name) => member(group, name, options(`instance-${name}`)));
  const generation = await settled([a, b, c], 12);
  const before = Object.fromEntries([a, b, c].map((m) => [m.name, m.heldList()]));
  const rebalances = [a, b].map((m) => m.actor.getSnapshot().context.rebalances);

  await c.stop(); // static: no LeaveGroup
  const c2 = member(group, 'c2', options('instance-c'));
  await eventually('c2 to be stable', async () => (c2.actor.getSnapshot().matches('stable') && c2.held.size > 0 ? true : undefined));
  t.deepEqual(c2.heldList(), before.c);
  // Give the others a few heartbeats to hear about a rebalance, if there were one.
  await new Promise((r) => setTimeout(r, 3_000));
  t.deepEqual([a, b].map((m) => m.actor.getSnapshot().context.generationId), [generation, generation]);
  t.deepEqual([a, b].map((m) => m.actor.getSnapshot().context.rebalances), rebalances);
  t.deepEqual(a.heldList(), before.a);
  t.deepEqual(b.heldList(), before.b);
  await Promise.all([a.stop(), b.stop(), c2.stop()]);
});

test.serial('a pattern subscription picks up a new matching topic with a rejoin', async (t) => {
  const prefix = uniqueName('pat');
  const first = `${prefix}-one`;
  const [created] = await createTopics(cluster.client, [{ name: first, partitions: 2 }], { timeoutMs: CALL_TIMEOUT_MS });
  if (created.error) throw created.error;
  await cluster.client.refreshMetadata(CALL_TIMEOUT_MS);
  const m = member(uniqueName('g-pattern'), 'm', { pattern: `${prefix}-.*` });
  await settled([m], 2);
  const [second] = await createTopics(cluster.client, [{ name: `${prefix}-two`, partitions: 3 }], { timeoutMs: CALL_TIMEOUT_MS });
  if (second.error) throw second.error;
  await cluster.client.refreshMetadata(CALL_TIMEOUT_MS);
  await settled([m], 5);
  t.deepEqual([...new Set(m.heldList().map((p) => p.topic))], [first, `${prefix}-two`]);
  await m.stop();
});

test.serial('a kcat (librdkafka) member and ours share a group and split its partitions (consumer protocol bytes interoperate)', async (t) => {
  const topic = await topicWith(4);
  const group = uniqueName('g-kcat');
  const ours = member(group, 'ours', { topics: [topic], assignors: ['range', 'roundrobin'] });
  await settled([ours], 4);
  const kcat = startKcatConsumer(brokers, group, topic, 'kcat-member');
  try {
    // Whoever leads, the assignment must split the 4 partitions 2 and 2.
    await eventually('the group to split between kcat and ours', async () => {
      if (!ours.actor.getSnapshot().matches('stable') || ours.held.size !== 2) return undefined;
      const described = await describeGroup(cluster.client, group, { timeoutMs: CALL_TIMEOUT_MS });
      const assigned = described.members.map((m) => m.assignment.flatMap((a) => a.partitions).length);
      return described.members.length === 2 && assigned.every((n) => n === 2) ? true : undefined;
    });
    t.is(ours.held.size, 2);
  } finally {
    await kcat.stop();
  }
  await settled([ours], 4);
  t.is(ours.held.size, 4, 'kcat left and ours took everything back');
  await ours.stop();
});
