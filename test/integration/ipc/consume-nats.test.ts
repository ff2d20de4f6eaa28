// Consuming over NATS through a real daemon process and a real nats-server: messages published
// to the subscription's deliver subject, acks on `<prefix>.ack`, fetch and ack by group, with
// the client library's async iterable.
import test from 'ava';
import { connect, type SidecarClient, type SubscriptionMessage } from '../../../client/index.js';
import { natsEnv } from '../../helpers/nats.js';
import { committedOffsets, createTopic, eventually, produceValues, startConsumeDaemon, uniqueName } from './consume-fixture.js';

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
