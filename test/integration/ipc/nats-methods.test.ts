// The methods the other NATS tests do not reach, over NATS through a real daemon: every admin
// method, and nack (by subscription and by group), each answered as over the Unix socket.
import test from 'ava';
import { connect, type SidecarClient } from '../../../client/index.js';
import { natsEnv } from '../../helpers/nats.js';
import { eventually, startConsumeDaemon, uniqueName } from './consume-fixture.js';

test.serial('over NATS: createTopics, listTopics, listOffsets, describeGroup, listGroups, deleteTopics and nack answer as over the socket', async (t) => {
  const { url } = await natsEnv();
  const prefix = uniqueName('ks-methods');
  const f = await startConsumeDaemon(t, { KAFKA_SIDECAR_NATS_ENABLED: 'true', KAFKA_SIDECAR_NATS_SERVERS: url, KAFKA_SIDECAR_NATS_PREFIX: prefix });
  const socket = await f.client('socket');
  const nats: SidecarClient = await connect({ nats: { servers: url, prefix }, client: 'nats-methods' });
  t.teardown(() => nats.close());

  const topic = uniqueName('nats-admin');
  t.deepEqual(await nats.call('createTopics', { topics: [{ name: topic, partitions: 2 }] }), { results: [{ name: topic }] });
  const listed = await eventually('the topic listed', async () => {
    const r = await nats.call<{ topics: { name: string; partitions: number }[] }>('listTopics');
    return r.topics.find((x) => x.name === topic);
  });
  t.is(listed.partitions, 2);
  const produced = await nats.produce(topic, [0, 1, 2].map((i) => ({ value: `v${i}`, partition: 0 })));
  t.true(produced.results.every((r) => 'offset' in r));
  const offsetsOverNats = await nats.call('listOffsets', { topic, at: 'latest' });
  t.deepEqual(offsetsOverNats, await socket.call('listOffsets', { topic, at: 'latest' }));

  // nack by subscription (over NATS) redelivers with attempt 2 to the same subscriber.
  const group = uniqueName('g-nats-nack');
  const sub = await nats.subscribe({ group, topics: [topic], ordering: 'none', maxInFlight: 10 });
  const first: { offset: string; attempt: number; value: unknown }[] = [];
  for await (const m of sub) {
    first.push({ offset: m.offset, attempt: m.attempt, value: m.value });
    if (first.length === 1) {
      t.deepEqual(await nats.call('nack', { subscription: sub.id, messages: [{ topic, partition: 0, offset: m.offset }] }), { requeued: 1 });
      continue;
    }
    await m.ack();
    if (first.filter((x) => x.attempt === 1).length === 3 && first.some((x) => x.attempt === 2)) break;
  }
  const again = first.find((x) => x.attempt === 2);
  t.truthy(again, JSON.stringify(first));
  t.is(again?.offset, first[0]?.offset, 'the nacked message came again');

  const described = await eventually('the group described with its commits', async () => {
    const d = await nats.call<{ state: string; offsets: { partition: number; committed: string | null }[] }>('describeGroup', { group });
    return d.offsets.some((o) => o.partition === 0 && o.committed === '3') ? d : undefined;
  });
  t.deepEqual(described, await socket.call('describeGroup', { group }));
  const groups = await nats.call<{ groups: { group: string }[] }>('listGroups');
  t.true(groups.groups.some((g) => g.group === group), JSON.stringify(groups));

  // nack by group (pull mode) over NATS.
  const pullGroup = uniqueName('g-nats-pull-nack');
  const pulled = await eventually('fetched', async () => {
    const m = await nats.fetch(pullGroup, [topic], { max: 1, waitMs: 1000 });
    return m.length > 0 ? m : undefined;
  });
  t.is(await nats.nack(pullGroup, pulled), 1);
  const refetched = await eventually('fetched again', async () => {
    const m = await nats.fetch(pullGroup, [topic], { max: 1, waitMs: 1000 });
    return m.length > 0 ? m : undefined;
  });
  t.is(refetched[0]?.offset, pulled[0]?.offset);
  t.is(refetched[0]?.attempt, 2);
  t.is(await nats.ack(pullGroup, refetched), 1);

  t.deepEqual(await nats.call('deleteTopics', { topics: [topic] }), { results: [{ name: topic }] });

});
