// Consumer groups at scale and under a stalled app, through real daemon processes:
// - 100k messages consumed by one group while a second daemon joins (a rebalance): every
//   message is seen; duplicates lie only at or after the committed offset a partition moved at
//   (positions not yet committed), and are counted;
// - an app that holds a message longer than the session timeout does not cost the daemon its
//   membership: heartbeats keep flowing, no rebalance, the same member throughout.
import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SidecarClient } from '../../../client/index.js';
import { committedOffsets, createTopic, eventually, Inbox, refOf, startConsumeDaemon, uniqueName, type MessageNote } from './consume-fixture.js';

const TOTAL = 100_000;
const PARTITIONS = 6;
const MAX_IN_FLIGHT = 500;

/** Subscribes and acknowledges every message soon after it arrives (in small batches), like a busy worker. */
async function ackingWorker(client: SidecarClient, group: string, topic: string): Promise<{ seen: MessageNote[]; revokedAcks: number; revocations: number }> {
  const inbox = new Inbox(client);
  let revocations = 0;
  client.on('notification', (n) => {
    if (n.method === 'revoked') state.revocations = ++revocations;
  });
  const { subscription } = await client.call<{ subscription: string }>('subscribe', { group, topics: [topic], ordering: 'none', maxInFlight: MAX_IN_FLIGHT, from: 'earliest' });
  const state = { seen: inbox.received, revokedAcks: 0, revocations: 0 };
  let acked = 0;
  const loop = async (): Promise<void> => {
    for (;;) {
      if (inbox.received.length > acked) {
        const batch = inbox.received.slice(acked, acked + 200);
        acked += batch.length;
        // About 10k messages a second: slow enough that the second daemon joins mid-stream.
        await sleep(20);
        try {
          await client.call('ack', { subscription, messages: batch.map(refOf) });
        } catch (err) {
          // Acks for partitions that moved to the other daemon are refused; those messages go there.
          if ((err as { code?: string }).code === 'REVOKED_PARTITION') state.revokedAcks += batch.length;
          else if ((err as { code?: string }).code === 'CLIENT_CLOSED') return;
          else throw err;
        }
      } else {
        await sleep(5);
      }
      if (closed.has(client)) return;
    }
  };
  void loop();
  return state;
}
const closed = new Set<SidecarClient>();

test.serial(`${TOTAL} messages consumed by a group across a rebalance: every message seen, duplicates counted`, async (t) => {
  t.timeout(300_000);
  const env = { KAFKA_SIDECAR_CONSUMER_ASSIGNORS: 'cooperative-sticky' };
  const a = await startConsumeDaemon(t, env);
  const producer = await a.client('producer');
  const topic = uniqueName('consume-100k');
  const group = uniqueName('g-100k');
  await createTopic(producer, topic, PARTITIONS);
  for (let i = 0; i < TOTAL; i += 1000) {
    const r = await producer.produce(topic, Array.from({ length: 1000 }, (_, j) => ({ key: String(i + j), value: String(i + j) })));
    t.true(r.results.every((x) => 'offset' in x));
  }

  const clientA = await a.client('worker-a');
  t.teardown(() => void closed.add(clientA));
  const workerA = await ackingWorker(clientA, group, topic);
  await eventually('a third of the messages on the first daemon', async () => (workerA.seen.length >= TOTAL / 3 ? true : undefined), 120_000);
  // A second sidecar joins the group: the partitions are split between the two daemons.
  const b = await startConsumeDaemon(t, env);
  const clientB = await b.client('worker-b');
  t.teardown(() => void closed.add(clientB));
  const workerB = await ackingWorker(clientB, group, topic);

  const distinct = (): number => new Set([...workerA.seen, ...workerB.seen].map((m) => m.value)).size;
  await eventually('every message seen', async () => (distinct() === TOTAL ? true : undefined), 180_000);
  const received = workerA.seen.length + workerB.seen.length;
  const duplicates = received - TOTAL;
  t.true(workerB.seen.length > 0, 'the second daemon got partitions and messages');
  const values = new Set([...workerA.seen, ...workerB.seen].map((m) => Number(m.value)));
  t.is(values.size, TOTAL);
  for (let i = 0; i < TOTAL; i += 9973) t.true(values.has(i), `message ${i}`);
  // Duplicates only for uncommitted positions: the second daemon starts each partition it takes
  // over at the committed offset, so a message seen twice must lie at or after that start on a
  // partition that moved; nothing before it may come again.
  const startOnB = new Map<number, bigint>();
  for (const m of workerB.seen) {
    const offset = BigInt(m.offset);
    if (!startOnB.has(m.partition) || offset < startOnB.get(m.partition)!) startOnB.set(m.partition, offset);
  }
  const byValue = new Map<unknown, MessageNote[]>();
  for (const m of [...workerA.seen, ...workerB.seen]) byValue.set(m.value, [...(byValue.get(m.value) ?? []), m]);
  const misplaced = [...byValue.values()]
    .filter((copies) => copies.length > 1)
    .filter(({ 0: m }) => !startOnB.has(m!.partition) || BigInt(m!.offset) < startOnB.get(m!.partition)!);
  t.deepEqual(misplaced.map((copies) => `${copies[0]!.partition}@${copies[0]!.offset}`), [], 'every duplicate is at or after the committed offset its partition moved at');
  t.true(workerA.revocations >= 1, 'the first daemon gave partitions up');
  t.log(`${received} deliveries for ${TOTAL} messages: ${duplicates} duplicates; ${workerA.seen.length} on the first daemon, ${workerB.seen.length} on the second; ${workerA.revokedAcks} acks refused as REVOKED_PARTITION; ${workerA.revocations} revocations`);
  await eventually('everything committed', async () => {
    const committed = await committedOffsets(producer, group, topic);
    let sum = 0;
    for (const offset of committed.byPartition.values()) sum += Number(offset ?? 0);
    return sum === TOTAL ? true : undefined;
  }, 60_000);
  closed.add(clientA);
  closed.add(clientB);
});

test.serial('an app that stalls longer than the session timeout keeps the membership: heartbeats flow, no rebalance', async (t) => {
  t.timeout(120_000);
  const sessionTimeoutMs = 6000;
  const f = await startConsumeDaemon(t, { KAFKA_SIDECAR_CONSUMER_SESSION_TIMEOUT_MS: String(sessionTimeoutMs), KAFKA_SIDECAR_CONSUMER_HEARTBEAT_INTERVAL_MS: '500' });
  const client = await f.client('stalling-app');
  const topic = uniqueName('consume-stall');
  const group = uniqueName('g-stall');
  await createTopic(client, topic, 2);
  await client.produce(topic, [0, 1, 2, 3].map((i) => ({ value: `m${i}`, partition: i % 2 })));
  const revoked: unknown[] = [];
  client.on('notification', (n) => {
    if (n.method === 'revoked') revoked.push(n.params);
  });
  const inbox = new Inbox(client);
  const { subscription } = await client.call<{ subscription: string }>('subscribe', { group, topics: [topic], ordering: 'partition', maxInFlight: 1, ackTimeoutMs: 60_000 });
  await inbox.until(1);
  const members = async (): Promise<string[]> =>
    (await client.call<{ state: string; members: { memberId: string }[] }>('describeGroup', { group })).members.map((m) => m.memberId).sort();
  const before = await members();
  t.is(before.length, 1);

  // The app holds its message for 2.5 session timeouts without acknowledging anything.
  await sleep(sessionTimeoutMs * 2.5);
  t.deepEqual(await members(), before, 'the same member, never expired');
  t.is((await client.call<{ state: string }>('describeGroup', { group })).state, 'Stable');
  t.deepEqual(revoked, [], 'no rebalance took the partitions away');
  t.is(inbox.received.length, 1, 'nothing more was delivered while the app held its one message');

  // Then works through the rest, one message at a time.
  for (let i = 0; i < 4; i++) {
    await inbox.until(i + 1);
    await client.call('ack', { subscription, messages: [refOf(inbox.received[i]!)] });
  }
  t.deepEqual(inbox.received.map((m) => m.value).sort(), ['m0', 'm1', 'm2', 'm3']);
});
