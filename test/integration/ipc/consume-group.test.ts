// Consumer groups through real daemon processes: backpressure with a slow app, a second
// daemon joining the group (assigned / revoked, acks for revoked partitions), commits and
// LeaveGroup at SIGTERM, and a group stopped after its last subscription's grace period.
import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { SidecarError } from '../../../client/index.js';
import { kafkaEnv } from '../../helpers/kafka.js';
import { committedOffsets, createTopic, eventually, Inbox, produceValues, refOf, startConsumeDaemon, uniqueName } from './consume-fixture.js';

test.serial('backpressure: a slow app holds maxInFlight and the group buffers a bounded amount; everything arrives once acked', async (t) => {
  // Small buffers, so that the bound shows with a few MB.
  const f = await startConsumeDaemon(t, {
    KAFKA_SIDECAR_CONSUMER_MAX_PARTITION_BUFFERED_BYTES: '32768',
    KAFKA_SIDECAR_CONSUMER_MAX_BUFFERED_BYTES: '65536',
  });
  const client = await f.client();
  const topic = uniqueName('consume-bp');
  const group = uniqueName('g-bp');
  await createTopic(client, topic, 1);
  const total = 3000;
  const filler = 'x'.repeat(1000);
  // Small produce calls make small record batches: a fetch returns at least one whole batch,
  // so the bound below holds per batch, and 20 records of 1 KB keep each batch near 20 KB.
  for (let i = 0; i < total; i += 20) {
    await produceValues(client, topic, Array.from({ length: 20 }, (_, j) => ({ value: `${i + j}:${filler}` })));
  }
  const inbox = new Inbox(client);
  const { subscription } = await client.call<{ subscription: string }>('subscribe', { group, topics: [topic], ordering: 'none', maxInFlight: 5 });
  await inbox.until(5);
  await sleep(2000);
  t.is(inbox.received.length, 5, 'no more than maxInFlight unacked');
  const status = await client.status();
  const consumer = status.consumers?.find((c) => c.group === group);
  t.truthy(consumer);
  t.is(consumer!.inFlight, 5);
  // 32 KiB per partition (+ one response of up to 32 KiB) of ~1 KB records: well under 200 of 3000.
  t.true(consumer!.buffered > 5 && consumer!.buffered < 200, `buffered ${consumer!.buffered} records`);
  // /metrics shows the same: 5 in flight, and a lag of everything (nothing acknowledged yet).
  const metric = async (pattern: RegExp): Promise<number> => Number(pattern.exec(await (await fetch(`${f.daemon.httpUrl}/metrics`)).text())?.[1] ?? NaN);
  const inFlightMetric = new RegExp(`^kafka_sidecar_consumer_messages\\{group="${group}",kind="in_flight"\\} (\\d+)$`, 'm');
  const lagMetric = new RegExp(`^kafka_sidecar_consumer_lag\\{group="${group}",topic="${topic}",partition="0"\\} (\\d+)$`, 'm');
  t.is(await metric(inFlightMetric), 5);
  t.is(await metric(lagMetric), total);
  // The app now works through all of it, five at a time.
  let acked = 0;
  while (acked < total) {
    await inbox.until(acked + 1);
    const batch = inbox.received.slice(acked);
    acked += batch.length;
    t.true(batch.length <= 5);
    await client.call('ack', { subscription, messages: batch.map(refOf) });
  }
  const values = inbox.received.map((m) => Number(String(m.value).split(':')[0]));
  t.deepEqual(values, Array.from({ length: total }, (_, i) => i), 'every record once, in order');
  await eventually('all committed', async () => ((await committedOffsets(client, group, topic)).byPartition.get(0) === String(total) ? true : undefined));
  t.is(await metric(lagMetric), 0, 'no lag once everything is acknowledged');
});

test.serial('a second daemon joins the group: assigned / revoked notifications, acks for revoked partitions fail with REVOKED_PARTITION', async (t) => {
  const env = { KAFKA_SIDECAR_CONSUMER_ASSIGNORS: 'range' };
  const f1 = await startConsumeDaemon(t, env);
  const c1 = await f1.client('d1');
  const topic = uniqueName('consume-rebalance');
  const group = uniqueName('g-rebalance');
  await createTopic(c1, topic, 4);
  await produceValues(c1, topic, [0, 1, 2, 3].map((partition) => ({ value: `p${partition}`, partition })));
  const notes1: Array<{ method: string; partitions: Array<{ topic: string; partition: number }> }> = [];
  c1.on('notification', (n) => {
    if (n.method === 'assigned' || n.method === 'revoked') notes1.push({ method: n.method, partitions: (n.params as { partitions: Array<{ topic: string; partition: number }> }).partitions });
  });
  const inbox1 = new Inbox(c1);
  const { subscription: s1 } = await c1.call<{ subscription: string }>('subscribe', { group, topics: [topic], ordering: 'none' });
  const held = await inbox1.until(4);
  t.deepEqual(notes1.map((n) => [n.method, n.partitions.length]), [['assigned', 4]]);

  const f2 = await startConsumeDaemon(t, env);
  const c2 = await f2.client('d2');
  const inbox2 = new Inbox(c2);
  const notes2: string[] = [];
  c2.on('notification', (n) => {
    if (n.method === 'assigned') notes2.push(...(n.params as { partitions: Array<{ partition: number }> }).partitions.map((p) => String(p.partition)));
  });
  await c2.call('subscribe', { group, topics: [topic], ordering: 'none' });
  await eventually('the second daemon to be assigned two partitions', async () => (notes2.length === 2 ? true : undefined));
  t.true(notes1.some((n) => n.method === 'revoked'), 'the first daemon was told of the revocation');
  // Acks for the partitions now owned by the second daemon fail and say so.
  const moved = held.filter((m) => notes2.includes(String(m.partition)));
  t.is(moved.length, 2);
  const err = await t.throwsAsync(c1.call('ack', { subscription: s1, messages: [refOf(moved[0])] }), { instanceOf: SidecarError });
  t.is(err?.code, 'REVOKED_PARTITION');
  t.is(err?.rpcCode, -32004);
  t.like(err?.data, { topic, partition: moved[0].partition });
  // The second daemon delivers them again (nothing was acked before the rebalance), at once.
  const again = await inbox2.until(2, 10_000);
  t.deepEqual(again.map((m) => m.partition).sort(), moved.map((m) => m.partition).sort());
  t.deepEqual(again.map((m) => m.value).sort(), moved.map((m) => m.value).sort());
});

test.serial('SIGTERM commits the acknowledged prefix and leaves the group; an idle group stops after its grace period', async (t) => {
  // No automatic commits: what is committed below can only come from the commit at stop.
  const f = await startConsumeDaemon(t, { KAFKA_SIDECAR_CONSUMER_IDLE_GRACE_MS: '1500', KAFKA_SIDECAR_CONSUMER_AUTO_COMMIT_INTERVAL_MS: '600000' });
  const client = await f.client();
  const topic = uniqueName('consume-stop');
  await createTopic(client, topic, 1);
  await produceValues(client, topic, Array.from({ length: 5 }, (_, i) => ({ value: `v${i}` })));

  // Idle grace: unsubscribing leaves the group after consumer.idleGraceMs.
  const idleGroup = uniqueName('g-idle');
  const inbox = new Inbox(client);
  const { subscription: idleSub } = await client.call<{ subscription: string }>('subscribe', { group: idleGroup, topics: [topic], ordering: 'none' });
  const idleMessages = await inbox.until(5);
  await client.call('ack', { subscription: idleSub, messages: idleMessages.slice(0, 2).map(refOf) });
  await client.call('unsubscribe', { subscription: idleSub });
  await eventually('the idle group to stop', async () => ((await client.status()).actors.some((a) => a.id === `consumer:${idleGroup}`) ? undefined : true), 20_000);
  const idle = await committedOffsets(client, idleGroup, topic);
  t.is(idle.byPartition.get(0), '2');
  t.is(idle.state, 'Empty');

  // Shutdown: acked 0..2 of the group are committed before it leaves.
  const group = uniqueName('g-stop');
  const { subscription } = await client.call<{ subscription: string }>('subscribe', { group, topics: [topic], ordering: 'none', maxInFlight: 10 });
  const got = (await inbox.until(10)).slice(5);
  await client.call('ack', { subscription, messages: got.slice(0, 3).map(refOf) });
  t.is(await f.daemon.stop('SIGTERM'), 0);
  const other = await startConsumeDaemon(t);
  const reader = await other.client('reader');
  const after = await committedOffsets(reader, group, topic);
  t.is(after.byPartition.get(0), '3');
  t.is(after.state, 'Empty', 'the member left the group');
});

test.serial('consumer.protocol=consumer (KIP-848, Kafka 4+): subscribe, ack, committed offsets', async (t) => {
  if (Number((await kafkaEnv()).version.split('.')[0]) < 4) {
    t.log('KIP-848 needs Kafka 4+: skipped on this broker');
    t.pass();
    return;
  }
  const f = await startConsumeDaemon(t, { KAFKA_SIDECAR_CONSUMER_PROTOCOL: 'consumer' });
  const client = await f.client();
  const topic = uniqueName('consume-848');
  const group = uniqueName('g-848');
  await createTopic(client, topic, 2);
  await produceValues(client, topic, Array.from({ length: 6 }, (_, i) => ({ value: `v${i}`, partition: i % 2 })));
  const inbox = new Inbox(client);
  const { subscription } = await client.call<{ subscription: string }>('subscribe', { group, topics: [topic], ordering: 'none' });
  const got = await inbox.until(6);
  t.deepEqual(got.map((m) => m.value).sort(), ['v0', 'v1', 'v2', 'v3', 'v4', 'v5']);
  await client.call('ack', { subscription, messages: got.map(refOf) });
  await eventually('offsets committed', async () => {
    const c = await committedOffsets(client, group, topic);
    return c.byPartition.get(0) === '3' && c.byPartition.get(1) === '3' ? true : undefined;
  });
  const status = await client.status();
  t.true(status.actors.some((a) => a.id === `group:${group}` && a.machine === 'consumerGroup'));
});

test.serial('groups declared in consumer.groups are joined at start-up and serve subscriptions', async (t) => {
  const setup = await startConsumeDaemon(t);
  const admin = await setup.client('admin');
  const topic = uniqueName('consume-declared');
  const group = uniqueName('g-declared');
  await createTopic(admin, topic, 1);
  await produceValues(admin, topic, [{ value: 'declared' }]);
  const f = await startConsumeDaemon(t, { KAFKA_SIDECAR_CONSUMER_GROUPS: JSON.stringify([{ group, topics: [topic], from: 'earliest' }]) });
  const client = await f.client();
  await eventually('the declared group to be consumed', async () => {
    const status = await client.status();
    return status.consumers?.some((c) => c.group === group && c.assigned === 1 && c.buffered === 1) ? true : undefined;
  });
  const inbox = new Inbox(client);
  const { subscription } = await client.call<{ subscription: string }>('subscribe', { group, topics: [topic] });
  const [m] = await inbox.until(1);
  t.like(m, { value: 'declared', attempt: 1 });
  await client.call('ack', { subscription, messages: [refOf(m)] });
  // Declared groups keep running without subscriptions.
  await client.call('unsubscribe', { subscription });
  const status = await client.status();
  t.true(status.consumers?.some((c) => c.group === group && c.subscribers === 0));
  const mismatch = await t.throwsAsync(client.call('subscribe', { group, topics: [topic], ordering: 'none' }), { instanceOf: SidecarError });
  t.is(mismatch?.code, 'INVALID_PARAMS');
  t.is(mismatch?.data.field, 'params.ordering');
});
