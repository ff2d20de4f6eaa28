/**
 * The KIP-848 consumer protocol (ConsumerGroupHeartbeat, server-side assignment) against a
 * real Kafka 4.x broker; skipped on older brokers, which do not have it.
 */
import test from 'ava';
import { createActor } from 'xstate';
import { atCoordinator } from '../../../../machines/admin/coordinator.js';
import { createTopics } from '../../../../machines/admin/create-topics.js';
import { Deadline } from '../../../../machines/admin/deadline.js';
import { fetchCommittedOffsets } from '../../../../machines/admin/group-offsets.js';
import { listOffsets } from '../../../../machines/admin/list-offsets.js';
import { consumerGroupMachine } from '../../../../machines/group/consumer-group-machine.js';
import { partitionKey, type TopicPartition } from '../../../../machines/group/topic-partitions.js';
import { kafkaEnv } from '../../../helpers/kafka.js';
import { CALL_TIMEOUT_MS, eventually, startCluster, uniqueName, type TestCluster } from '../admin/cluster-fixture.js';
import { FAST } from './group-fixture.js';

let cluster: TestCluster | undefined;
let supported = false;

test.before(async () => {
  const env = await kafkaEnv();
  supported = Number(env.version.split('.')[0]) >= 4;
  if (supported) cluster = await startCluster(env.brokers);
});

test.after.always(() => cluster?.stop());

interface Member {
  readonly name: string;
  readonly actor: ReturnType<typeof createActor<typeof consumerGroupMachine>>;
  readonly held: Map<string, TopicPartition>;
  readonly revoked: TopicPartition[];
  readonly positions: Map<string, { topic: string; partition: number; offset: bigint }>;
}

function startMember(c: TestCluster, group: string, topic: string, name: string): Member {
  const held = new Map<string, TopicPartition>();
  const revoked: TopicPartition[] = [];
  const positions = new Map<string, { topic: string; partition: number; offset: bigint }>();
  const actor = createActor(consumerGroupMachine, {
    input: {
      ...FAST,
      assignors: ['uniform'],
      cluster: c.client,
      group,
      topics: [topic],
      listener: {
        assigned: (starts) => {
          for (const s of starts) held.set(partitionKey(s.topic, s.partition), s);
        },
        revoked: (partitions) => {
          for (const p of partitions) {
            revoked.push(p);
            held.delete(partitionKey(p.topic, p.partition));
          }
        },
        lost: (partitions) => {
          for (const p of partitions) held.delete(partitionKey(p.topic, p.partition));
        },
      },
      committable: () => positions.values(),
    },
  });
  actor.subscribe({ error: () => undefined });
  actor.start();
  return { name, actor, held, revoked, positions };
}

async function balanced(members: readonly Member[], total: number): Promise<void> {
  await eventually(`${members.map((m) => m.name).join(', ')} to share ${total} partitions`, async () => {
    const keys = members.flatMap((m) => [...m.held.keys()]);
    const sizes = members.map((m) => m.held.size);
    const settled = members.every((m) => m.actor.getSnapshot().matches({ active: { member: 'waiting' } }));
    return settled && keys.length === total && new Set(keys).size === total && Math.max(...sizes) - Math.min(...sizes) <= 1 ? true : undefined;
  });
}

test.serial('consumer protocol: 3 members share 12 partitions, one leaves and the survivors only gain; commits are stored with the member epoch', async (t) => {
  if (!supported || !cluster) {
    t.pass('the broker has no KIP-848 consumer protocol');
    return;
  }
  const c = cluster;
  const topic = uniqueName('kip848');
  const [created] = await createTopics(c.client, [{ name: topic, partitions: 12 }], { timeoutMs: CALL_TIMEOUT_MS });
  if (created.error) throw created.error;
  await eventually('leaders', async () => ((await listOffsets(c.client, topic, 'latest', { timeoutMs: CALL_TIMEOUT_MS })).length === 12 ? true : undefined));
  const group = uniqueName('g-848');
  const members = ['a', 'b', 'c'].map((name) => startMember(c, group, topic, name));
  const [a, b, m3] = members;
  try {
    await balanced(members, 12);
    t.deepEqual(members.map((m) => m.held.size), [4, 4, 4]);
    t.true(members.every((m) => m.actor.getSnapshot().context.generationId > 0), 'every member has a member epoch');

    const aBefore = [...a.held.keys()];
    const bBefore = [...b.held.keys()];
    const revokedBefore = [a.revoked.length, b.revoked.length];
    const first = [...a.held.values()][0];
    a.positions.set(partitionKey(first.topic, first.partition), { topic: first.topic, partition: first.partition, offset: 0n });

    m3.actor.send({ type: 'group.stop' });
    await eventually('c to stop', async () => (m3.actor.getSnapshot().status === 'done' ? true : undefined));
    await balanced([a, b], 12);
    t.deepEqual([a.held.size, b.held.size], [6, 6]);
    t.deepEqual([a.revoked.length, b.revoked.length], revokedBefore, 'no survivor gave anything up');
    for (const k of aBefore) t.true(a.held.has(k));
    for (const k of bBefore) t.true(b.held.has(k));

    const deadline = new Deadline(CALL_TIMEOUT_MS);
    const committed = await eventually('the auto-commit', async () => {
      const offsets = await atCoordinator(c.client, group, deadline, (nodeId) => fetchCommittedOffsets(c.client, nodeId, group, deadline));
      return offsets.find((o) => o.partition === first.partition) ? offsets : undefined;
    });
    t.is(committed.find((o) => o.partition === first.partition)?.offset, 0n);
  } finally {
    for (const m of members) m.actor.send({ type: 'group.stop' });
    await eventually('all to stop', async () => (members.every((m) => m.actor.getSnapshot().status === 'done') ? true : undefined));
  }
});
