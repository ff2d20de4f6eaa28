// Consuming over NATS through a real daemon process and a real nats-server: messages published
// to the subscription's deliver subject, acks on `<prefix>.ack`, fetch and ack by group, with
// the client library's async iterable.
import test from 'ava';
import { connect as natsConnect } from '@nats-io/transport-node';
import { connect, type SidecarClient, type SubscriptionMessage } from '../../../client/index.js';
import { natsEnv } from '../../helpers/nats.js';
import { committedOffsets, createTopic, eventually, Inbox, produceValues, refOf, startConsumeDaemon, uniqueName } from './consume-fixture.js';

test.serial('over NATS: subscribe with the client library, ack each message; fetch and ack by group; offsets committed', async (t) => {
  const { url } = await natsEnv();
  const prefix = uniqueName('ks-consume');
  const f = await startConsumeDaemon(t, { KAFKA_SIDECAR_NATS_ENABLED: 'true', KAFKA_SIDECAR_NATS_SERVERS: url, KAFKA_SIDECAR_NATS_PREFIX: prefix });
  const socketClient = await f.client('admin');
  const client: SidecarClient = await connect({ nats: { servers: url, prefix }, client: 'nats-consumer' });
  t.teardown(() => client.close());
  t.truthy(client.deliverSubject);
  const topic = uniqueName('consume-nats');
  await createTopic(socketClient, topic, 2);
  await produceValues(client, topic, Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, partition: i % 2 })));

  const group = uniqueName('g-nats');
  const sub = await client.subscribe({ group, topics: [topic], ordering: 'partition', maxInFlight: 4 });
  const assigned: number[] = [];
  sub.on('assigned', (partitions) => assigned.push(...partitions.map((p) => p.partition)));
  const got: SubscriptionMessage[] = [];
  for await (const m of sub) {
    got.push(m);
    await m.ack();
    if (got.length === 10) break;
  }
  t.deepEqual(assigned.sort(), [0, 1]);
  for (const p of [0, 1]) {
    t.deepEqual(
      got.filter((m) => m.partition === p).map((m) => m.value),
      [0, 1, 2, 3, 4].map((i) => `v${i * 2 + p}`),
      `partition ${p} in order`,
    );
  }
  t.true(got.every((m) => m.attempt === 1 && m.subscription === sub.id));
  await eventually('offsets committed', async () => {
    const c = await committedOffsets(socketClient, group, topic);
    return c.byPartition.get(0) === '5' && c.byPartition.get(1) === '5' ? true : undefined;
  });
  const status = await socketClient.status();
  t.false(status.subscriptions.some((s) => s.subscription === sub.id), 'leaving the loop unsubscribed');

  // Pull mode over NATS.
  const pullGroup = uniqueName('g-nats-pull');
  const pulled = await eventually('fetched messages', async () => {
    const m = await client.fetch(pullGroup, [topic], { max: 100, waitMs: 1000 });
    return m.length > 0 ? m : undefined;
  });
  t.is(await client.ack(pullGroup, pulled), pulled.length);
});

test.serial('over NATS: a subscriber that went away (silent deliver subject) is ended after three ack timeouts; its messages go to another session', async (t) => {
  const { url } = await natsEnv();
  const prefix = uniqueName('ks-consume');
  const f = await startConsumeDaemon(t, { KAFKA_SIDECAR_NATS_ENABLED: 'true', KAFKA_SIDECAR_NATS_SERVERS: url, KAFKA_SIDECAR_NATS_PREFIX: prefix });
  const admin = await f.client('admin');
  const topic = uniqueName('consume-nats-gone');
  const group = uniqueName('g-nats-gone');
  await createTopic(admin, topic, 1);
  await produceValues(admin, topic, [{ value: 'a' }, { value: 'b' }]);
  // An app subscribes over NATS, then vanishes: nobody listens on its deliver subject.
  const nc = await natsConnect({ servers: url });
  t.teardown(() => nc.close());
  const answer = (await nc.request(`${prefix}.subscribe`, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'subscribe', params: { group, topics: [topic], ordering: 'none', ackTimeoutMs: 500, deliverSubject: `gone.${prefix}` } }), { timeout: 10_000 })).json<{ result: { subscription: string } }>();
  const gone = answer.result.subscription;
  await eventually('the vanished subscriber to hold both messages', async () => ((await admin.status()).subscriptions.find((s) => s.subscription === gone)?.inFlight === 2 ? true : undefined));
  const since = Date.now();
  await eventually('the silent subscription to end', async () => ((await admin.status()).subscriptions.some((s) => s.subscription === gone) ? undefined : true), 20_000);
  t.true(Date.now() - since >= 1000, 'not before it was silent for three ack timeouts');
  // Its messages were released: another app of the group gets them (delivered to the vanished one more than once meanwhile).
  const inbox = new Inbox(admin);
  const { subscription } = await admin.call<{ subscription: string }>('subscribe', { group, topics: [topic], ordering: 'none' });
  const got = await inbox.until(2, 20_000);
  t.deepEqual(got.map((m) => m.value).sort(), ['a', 'b']);
  t.true(got.every((m) => m.attempt >= 3), `redelivered, attempts ${got.map((m) => m.attempt).join(',')}`);
  t.deepEqual(await admin.call('ack', { subscription, messages: got.map(refOf) }), { acked: 2 });
});
