// Consuming through a real daemon process over the Unix socket: subscribe, message
// notifications, ack/nack, redelivery, ordering, fetch (pull) and unsubscribe.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { SidecarError, type ConsumedMessage, type SubscriptionMessage } from '../../../client/index.js';
import { kcatOk } from '../../helpers/kcat.js';
import { committedOffsets, createTopic, eventually, Inbox, produceValues, refOf, startConsumeDaemon, uniqueName, type MessageNote } from './consume-fixture.js';

test.serial('subscribe delivers binary keys, values and headers byte for byte', async (t) => {
  const f = await startConsumeDaemon(t);
  const client = await f.client();
  const topic = uniqueName('consume-bin');
  const group = uniqueName('g-bin');
  await createTopic(client, topic, 1);
  const sent = Array.from({ length: 20 }, (_, i) => ({ key: randomBytes(8), value: randomBytes(64 + i), header: randomBytes(5) }));
  // Half through the produce method, half through kcat (an independent client).
  const produced = await client.produce(
    topic,
    sent.slice(0, 10).map((m) => ({ key: m.key.toString('base64'), value: m.value.toString('base64'), headers: [['h', m.header.toString('base64')]] as const })),
    { encoding: 'base64' },
  );
  t.true(produced.results.every((r) => 'offset' in r));
  const kcatLines = sent.slice(10).map((m, i) => `k${i}\t${m.value.toString('hex')}`);
  await kcatOk(['-b', f.brokers, '-P', '-t', topic, '-K', '\t', '-H', 'via=kcat'], `${kcatLines.join('\n')}\n`);

  const sub = await client.subscribe({ group, topics: [topic], encoding: 'base64', ordering: 'none', maxInFlight: 50 });
  const got: SubscriptionMessage[] = [];
  for await (const m of sub) {
    got.push(m);
    await m.ack();
    if (got.length === 20) break;
  }
  t.deepEqual(
    got.map((m) => m.offset),
    Array.from({ length: 20 }, (_, i) => String(i)),
  );
  for (let i = 0; i < 10; i++) {
    t.is(got[i].key, sent[i].key.toString('base64'));
    t.is(got[i].value, sent[i].value.toString('base64'));
    t.deepEqual(got[i].headers, [['h', sent[i].header.toString('base64')]]);
    t.is(got[i].attempt, 1);
  }
  for (let i = 10; i < 20; i++) {
    t.is(Buffer.from(got[i].key as string, 'base64').toString(), `k${i - 10}`);
    t.is(Buffer.from(got[i].value as string, 'base64').toString(), sent[i].value.toString('hex'));
    t.deepEqual(got[i].headers, [['via', Buffer.from('kcat').toString('base64')]]);
  }
  // And kcat reads back the bytes our produce wrote.
  const out = await kcatOk(['-b', f.brokers, '-C', '-t', topic, '-o', 'beginning', '-c', '1', '-e', '-f', '%s']);
  t.true(out.equals(sent[0].value));
});

test.serial('at least once: a session that dies with unacked messages hands them to another; out-of-order acks commit only the contiguous prefix', async (t) => {
  const f = await startConsumeDaemon(t);
  const admin = await f.client('admin');
  const topic = uniqueName('consume-alo');
  const group = uniqueName('g-alo');
  await createTopic(admin, topic, 1);
  await produceValues(admin, topic, Array.from({ length: 10 }, (_, i) => ({ value: `v${i}` })));

  const a = await f.client('app-a');
  const inboxA = new Inbox(a);
  const { subscription: subA } = await a.call<{ subscription: string }>('subscribe', { group, topics: [topic], ordering: 'none', maxInFlight: 10 });
  const first = await inboxA.until(10);
  t.deepEqual(first.map((m) => [m.offset, m.attempt, m.subscription]), first.map((_, i) => [String(i), 1, subA]));

  // Offsets 1..3 acked, 0 not: nothing past 0 may be committed.
  t.deepEqual(await a.call('ack', { subscription: subA, messages: first.slice(1, 4).map(refOf) }), { acked: 3 });
  await new Promise((r) => setTimeout(r, 1500));
  const before = await committedOffsets(admin, group, topic);
  t.true([null, '0', undefined].includes(before.byPartition.get(0)), `committed ${before.byPartition.get(0)} with offset 0 unacked`);
  // Acking 0 completes the prefix 0..3.
  t.deepEqual(await a.call('ack', { subscription: subA, messages: [refOf(first[0])] }), { acked: 1 });
  await eventually('offset 4 committed', async () => ((await committedOffsets(admin, group, topic)).byPartition.get(0) === '4' ? true : undefined));
  t.deepEqual(await a.call('ack', { subscription: subA, messages: [refOf(first[0])] }), { acked: 0 }, 'a repeated ack changes nothing');

  // A second app joins the same group here; then the first one's socket closes with 4..9 unacked.
  const b = await f.client('app-b');
  const inboxB = new Inbox(b);
  const { subscription: subB } = await b.call<{ subscription: string }>('subscribe', { group, topics: [topic], ordering: 'none', maxInFlight: 10 });
  await a.close();
  const redelivered = await inboxB.until(6);
  t.deepEqual(redelivered.map((m) => [m.offset, m.attempt, m.subscription]), [4, 5, 6, 7, 8, 9].map((o) => [String(o), 2, subB]));
  t.is(redelivered[0].value, 'v4');
  t.deepEqual(await b.call('ack', { subscription: subB, messages: redelivered.map(refOf) }), { acked: 6 });
  await eventually('offset 10 committed', async () => ((await committedOffsets(admin, group, topic)).byPartition.get(0) === '10' ? true : undefined));
  const status = await admin.status();
  t.like(status.subscriptions.find((s) => s.subscription === subB), { group, topics: [topic], inFlight: 0 });
  t.false(status.subscriptions.some((s) => s.subscription === subA), 'the closed session\'s subscription ended');
  t.true(status.actors.some((x) => x.id === `consumer:${group}` && x.machine === 'consumer'), 'the consumer actor is listed');
  t.true(status.actors.some((x) => x.id === `group:${group}`), 'its group actor is listed');
});

test.serial('ordering: "partition" one in flight per partition, "key" never two of a key, "none" up to maxInFlight', async (t) => {
  const f = await startConsumeDaemon(t);
  const client = await f.client();
  const topic = uniqueName('consume-order');
  await createTopic(client, topic, 2);
  const keys = ['a', 'a', 'b', 'b', 'c', 'a'];
  await produceValues(client, topic, [...keys.map((key, i) => ({ key, value: `p0-${i}`, partition: 0 })), ...keys.map((key, i) => ({ key, value: `p1-${i}`, partition: 1 }))]);

  // "partition": one per partition until acked; acks let the next one go, in offset order.
  {
    const inbox = new Inbox(client);
    const { subscription } = await client.call<{ subscription: string }>('subscribe', { group: uniqueName('g-part'), topics: [topic], ordering: 'partition', maxInFlight: 10 });
    const seen: MessageNote[] = [];
    while (seen.length < 12) {
      const batch = (await inbox.until(seen.length + 1)).slice(seen.length);
      const settled = (await inbox.settle(300)).slice(seen.length);
      t.true(settled.length <= 2, `at most one in flight per partition, got ${settled.length}`);
      t.is(new Set(settled.map((m) => m.partition)).size, settled.length, 'never two of one partition in flight');
      t.true(batch.length >= 1);
      seen.push(...settled);
      await client.call('ack', { subscription, messages: settled.map(refOf) });
    }
    for (const p of [0, 1]) t.deepEqual(seen.filter((m) => m.partition === p).map((m) => m.offset), ['0', '1', '2', '3', '4', '5']);
    await client.call('unsubscribe', { subscription });
  }
  // "key": within a partition, different keys go in parallel, a key waits for its previous record.
  {
    const inbox = new Inbox(client);
    const { subscription } = await client.call<{ subscription: string }>('subscribe', { group: uniqueName('g-key'), topics: [topic], ordering: 'key', maxInFlight: 20 });
    const seen: MessageNote[] = [];
    let rounds = 0;
    while (seen.length < 12) {
      await inbox.until(seen.length + 1);
      const inFlight = (await inbox.settle(300)).slice(seen.length);
      // Keys are per topic: the same key on both partitions is still one key.
      t.is(new Set(inFlight.map((m) => m.key)).size, inFlight.length, `never two records of a key in flight: ${inFlight.map((m) => m.key).join(',')}`);
      seen.push(...inFlight);
      rounds++;
      await client.call('ack', { subscription, messages: inFlight.map(refOf) });
    }
    t.true(rounds >= 4, 'key "a" (four records) needed at least four rounds');
    for (const p of [0, 1]) {
      for (const key of ['a', 'b', 'c']) {
        const offsets = seen.filter((m) => m.partition === p && m.key === key).map((m) => Number(m.offset));
        t.deepEqual(offsets, [...offsets].sort((x, y) => x - y), `key ${key} of partition ${p} in order`);
      }
    }
    await client.call('unsubscribe', { subscription });
  }
  // "none": everything at once, up to maxInFlight.
  {
    const inbox = new Inbox(client);
    const { subscription } = await client.call<{ subscription: string }>('subscribe', { group: uniqueName('g-none'), topics: [topic], ordering: 'none', maxInFlight: 8 });
    await inbox.until(8);
    t.is((await inbox.settle(500)).length, 8, 'maxInFlight caps what is unacked');
    await client.call('ack', { subscription, messages: inbox.received.map(refOf) });
    t.is((await inbox.until(12)).length, 12);
  }
});

test.serial('nack and ack timeouts redeliver with attempt + 1; requests after unsubscribe get UNKNOWN_SUBSCRIPTION', async (t) => {
  const f = await startConsumeDaemon(t);
  const client = await f.client();
  const topic = uniqueName('consume-redeliver');
  await createTopic(client, topic, 1);
  await produceValues(client, topic, [{ value: 'only' }]);
  const inbox = new Inbox(client);
  const { subscription } = await client.call<{ subscription: string }>('subscribe', { group: uniqueName('g-re'), topics: [topic], ackTimeoutMs: 1000 });
  const [first] = await inbox.until(1);
  t.is(first.attempt, 1);
  const started = Date.now();
  const second = (await inbox.until(2))[1];
  t.like(second, { offset: '0', attempt: 2 });
  t.true(Date.now() - started >= 700, 'redelivered after the ack timeout, not before');
  t.deepEqual(await client.call('nack', { subscription, messages: [refOf(second)], delayMs: 300 }), { requeued: 1 });
  const third = (await inbox.until(3))[2];
  t.like(third, { offset: '0', attempt: 3, value: 'only' });
  t.deepEqual(await client.call('ack', { subscription, messages: [refOf(third)] }), { acked: 1 });
  const unknown = await t.throwsAsync(client.call('ack', { subscription, messages: [{ topic, partition: 0, offset: '5' }] }), { instanceOf: SidecarError });
  t.is(unknown?.code, 'UNKNOWN_MESSAGE');

  t.deepEqual(await client.call('unsubscribe', { subscription }), {});
  for (const [m, p] of [
    ['ack', { subscription, messages: [refOf(third)] }],
    ['nack', { subscription, messages: [refOf(third)] }],
    ['unsubscribe', { subscription }],
  ] as const) {
    const err = await t.throwsAsync(client.call(m, p), { instanceOf: SidecarError });
    t.is(err?.code, 'UNKNOWN_SUBSCRIPTION', m);
    t.is(err?.rpcCode, -32003);
  }
  const bad = await t.throwsAsync(client.call('subscribe', { group: 'g', topics: [topic], pattern: 'x.*' }), { instanceOf: SidecarError });
  t.is(bad?.code, 'INVALID_PARAMS');
});

test.serial('fetch (pull): leased messages, ack {group}, expired leases fetched again, unknown groups', async (t) => {
  const f = await startConsumeDaemon(t);
  const client = await f.client();
  const topic = uniqueName('consume-pull');
  const group = uniqueName('g-pull');
  await createTopic(client, topic, 2);
  await produceValues(client, topic, Array.from({ length: 10 }, (_, i) => ({ value: JSON.stringify({ n: i }), partition: i % 2 })));

  // The first fetch starts the group; fetch again until its partitions are assigned and fetched.
  const got: ConsumedMessage[] = [];
  await eventually('the first fetched messages', async () => {
    got.push(...(await client.fetch(group, [topic], { max: 4, waitMs: 2000, ackTimeoutMs: 1500, encoding: 'json' })));
    return got.length > 0 ? true : undefined;
  });
  t.true(got.length <= 4, 'max bounds one fetch');
  t.deepEqual(got[0].value, { n: Number(got[0].offset) * 2 + got[0].partition });
  // Ack all but one; the rest of the topic comes with further fetches.
  const [kept, ...acked] = got;
  t.is(await client.ack(group, acked), acked.length);
  const rest: ConsumedMessage[] = [];
  await eventually('the other messages', async () => {
    rest.push(...(await client.fetch(group, [topic], { max: 100, waitMs: 500, ackTimeoutMs: 60_000, encoding: 'json' })));
    return got.length + rest.filter((m) => m.attempt === 1).length >= 10 ? true : undefined;
  });
  // The unacked one's lease (1.5 s) ends: it comes back with attempt 2.
  const again = await eventually('the expired lease redelivered', async () => {
    const m = await client.fetch(group, [topic], { max: 10, waitMs: 1000, encoding: 'json' });
    return m.find((x) => x.offset === kept.offset && x.partition === kept.partition);
  });
  t.is(again.attempt, 2);
  t.is(await client.ack(group, [again, ...rest]), rest.filter((m) => m.attempt === 1).length + 1);
  const committed = await eventually('all committed', async () => {
    const c = await committedOffsets(client, group, topic);
    return c.byPartition.get(0) === '5' && c.byPartition.get(1) === '5' ? c : undefined;
  });
  t.truthy(committed);
  const unknown = await t.throwsAsync(client.ack(uniqueName('never'), [kept]), { instanceOf: SidecarError });
  t.is(unknown?.code, 'UNKNOWN_GROUP');
});

test.serial('a pattern subscription consumes every matching topic, including one created later', async (t) => {
  const f = await startConsumeDaemon(t);
  const client = await f.client();
  const base = uniqueName('consume-pat');
  await createTopic(client, `${base}-a`, 1);
  await createTopic(client, `${base}-other`, 1);
  await produceValues(client, `${base}-a`, [{ value: 'a' }]);
  await produceValues(client, `${base}-other`, [{ value: 'other' }]);
  const inbox = new Inbox(client);
  const { subscription } = await client.call<{ subscription: string }>('subscribe', { group: uniqueName('g-pat'), pattern: `${base}-[a-c]`, ordering: 'none' });
  const [first] = await inbox.until(1);
  t.like(first, { topic: `${base}-a`, value: 'a' });
  // Acked before the new topic causes a rebalance: the commit at revocation keeps it from coming again.
  t.deepEqual(await client.call('ack', { subscription, messages: [refOf(first)] }), { acked: 1 });
  await createTopic(client, `${base}-b`, 1);
  await produceValues(client, `${base}-b`, [{ value: 'b' }]);
  const [, second] = await inbox.until(2, 60_000);
  t.like(second, { topic: `${base}-b`, value: 'b' });
  t.false(inbox.received.some((m) => m.topic === `${base}-other`), 'a topic that does not match is not consumed');
  t.deepEqual(await client.call('ack', { subscription, messages: [refOf(second)] }), { acked: 1 });
});
