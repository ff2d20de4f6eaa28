/**
 * Transactions over the Unix socket, through a real daemon and broker: committed records reach
 * read_committed readers (ours and kcat) and aborted ones do not; a session that ends aborts its
 * transaction; one open transaction per transactional id; a failed record dooms the
 * transaction; a producer fenced by another with the same id is reported and replaced; offsets
 * commit with the transaction only; consume-transform-produce through a subscription; shutdown
 * aborts what is open.
 */
import test from 'ava';
import { kafkaEnv } from '../../helpers/kafka.js';
import { kcatOk } from '../../helpers/kcat.js';
import { startCluster } from '../machines/admin/cluster-fixture.js';
import { startProducer } from '../machines/producer/producer-fixture.js';
import { committedOffsets, createTopic, eventually, Inbox, refOf, uniqueName } from './consume-fixture.js';
import { kcatValues, produceIn, rejection, startTxnDaemon } from './transactions-fixture.js';

test.serial('committed records reach read_committed readers (ours and kcat), aborted ones do not; the producer is an actor in status, reused, closed when idle', async (t) => {
  const f = await startTxnDaemon(t);
  const app = await f.client('txn-app');
  const topic = uniqueName('txn-commit');
  await createTopic(app, topic, 1);
  const transactionalId = uniqueName('tx-commit');

  const first = await app.beginTransaction(transactionalId);
  t.regex(first.transaction, /^txn-/);
  await produceIn(app, first.transaction, topic, ['c1', 'c2']);
  const status = await app.status();
  t.true(status.actors.some((a) => a.id === `producer:txn:${transactionalId}` && a.machine === 'producer'), JSON.stringify(status.actors.map((a) => a.id)));
  t.deepEqual(
    (status.transactions ?? []).map((x) => [x.transaction, x.transactionalId]),
    [[first.transaction, transactionalId]],
  );
  await app.commitTransaction(first.transaction);
  // The handle is spent: a second commit says how it ended.
  const spent = await rejection(t, app.commitTransaction(first.transaction));
  t.is(spent.code, 'UNKNOWN_TRANSACTION');
  t.is(spent.data.ended, 'committed');

  const second = await app.beginTransaction(transactionalId);
  await produceIn(app, second.transaction, topic, ['a1', 'a2']);
  await app.abortTransaction(second.transaction);

  const third = await app.beginTransaction(transactionalId);
  await produceIn(app, third.transaction, topic, ['c3']);
  await app.commitTransaction(third.transaction);
  // One actor served all three.
  const ids = (await app.status()).actors.filter((a) => a.id.startsWith('producer:txn:')).map((a) => a.id);
  t.deepEqual(ids, [`producer:txn:${transactionalId}`]);

  t.deepEqual(await kcatValues(f.brokers, topic, 'read_committed'), ['c1', 'c2', 'c3']);
  t.deepEqual(await kcatValues(f.brokers, topic, 'read_uncommitted'), ['a1', 'a2', 'c1', 'c2', 'c3'], 'the aborted records were written');
  const seen = await eventually('our read_committed consumer to read the topic', async () => {
    const messages = await app.fetch(uniqueName('g-read'), [topic], { from: 'earliest', max: 10, waitMs: 1000 });
    return messages.length >= 3 ? messages : undefined;
  });
  t.deepEqual(seen.map((m) => m.value).sort(), ['c1', 'c2', 'c3']);

  await eventually('the idle transactional producer to be closed', async () => {
    const actors = (await app.status()).actors;
    return actors.some((a) => a.id === `producer:txn:${transactionalId}`) ? undefined : true;
  });
  // A later begin starts it again.
  const again = await app.beginTransaction(transactionalId);
  await app.abortTransaction(again.transaction);
});

test.serial('a session that ends aborts its transaction and frees the id; a second session cannot begin with an id held by another', async (t) => {
  const f = await startTxnDaemon(t);
  const first = await f.client('txn-first');
  const second = await f.client('txn-second');
  const topic = uniqueName('txn-session');
  await createTopic(first, topic, 1);
  const transactionalId = uniqueName('tx-session');

  const open = await first.beginTransaction(transactionalId);
  await produceIn(first, open.transaction, topic, ['orphan']);
  const busy = await rejection(t, second.beginTransaction(transactionalId));
  t.is(busy.code, 'TRANSACTION_IN_PROGRESS');
  t.is(busy.rpcCode, -32009);
  t.true(busy.retriable);
  t.is(busy.data.transactionalId, transactionalId);

  await first.close();
  const next = await eventually('the id to be free once the first session ended', async () => second.beginTransaction(transactionalId));
  await produceIn(second, next.transaction, topic, ['after']);
  await second.commitTransaction(next.transaction);
  t.deepEqual(await kcatValues(f.brokers, topic, 'read_committed'), ['after']);
  t.deepEqual(await kcatValues(f.brokers, topic, 'read_uncommitted'), ['after', 'orphan']);
});

test.serial('a failed record dooms the transaction: commit answers TRANSACTION_ABORTABLE, abort ends it, the id goes on', async (t) => {
  const f = await startTxnDaemon(t);
  const app = await f.client('txn-abortable');
  const topic = uniqueName('txn-abortable');
  await createTopic(app, topic, 1);
  const transactionalId = uniqueName('tx-abortable');

  const txn = await app.beginTransaction(transactionalId);
  await produceIn(app, txn.transaction, topic, ['doomed']);
  const { results } = await app.produce(topic, [{ value: 'nowhere', partition: 7 }], { transaction: txn.transaction });
  t.true('error' in results[0]!, JSON.stringify(results));
  const refused = await rejection(t, app.commitTransaction(txn.transaction));
  t.is(refused.code, 'TRANSACTION_ABORTABLE');
  t.is(refused.rpcCode, -32009);
  t.is(refused.data.abortable, true);
  await app.abortTransaction(txn.transaction);

  const next = await app.beginTransaction(transactionalId);
  await produceIn(app, next.transaction, topic, ['fine']);
  await app.commitTransaction(next.transaction);
  t.deepEqual(await kcatValues(f.brokers, topic, 'read_committed'), ['fine']);
});

test.serial('another producer with the same transactional id fences the daemon: PRODUCER_FENCED, and the next begin re-initialises', async (t) => {
  const f = await startTxnDaemon(t);
  const app = await f.client('txn-fenced');
  const topic = uniqueName('txn-fenced');
  await createTopic(app, topic, 1);
  const transactionalId = uniqueName('tx-fenced');

  const txn = await app.beginTransaction(transactionalId);
  await produceIn(app, txn.transaction, topic, ['fenced']);
  // A second sidecar, as it were: another producer takes the id (InitProducerId bumps the epoch).
  const kafka = await kafkaEnv();
  const cluster = await startCluster(kafka.brokers);
  t.teardown(() => cluster.stop());
  const other = startProducer(cluster.client, { transactionalId });
  t.teardown(() => void other.stop());
  await eventually('the other producer to take the id', async () => (other.getSnapshot().matches('ready') ? true : undefined));

  const fenced = await rejection(t, app.commitTransaction(txn.transaction));
  t.is(fenced.code, 'PRODUCER_FENCED');
  t.is(fenced.data.transactionalId, transactionalId);
  const gone = await rejection(t, app.abortTransaction(txn.transaction));
  t.is(gone.code, 'UNKNOWN_TRANSACTION');

  // The daemon's producer is replaced: it fences the other one in turn.
  const next = await app.beginTransaction(transactionalId);
  await produceIn(app, next.transaction, topic, ['after']);
  await app.commitTransaction(next.transaction);
  t.deepEqual(await kcatValues(f.brokers, topic, 'read_committed'), ['after']);
});

test.serial("offsets sent to a transaction change the group's committed offsets only when it commits", async (t) => {
  const f = await startTxnDaemon(t);
  const app = await f.client('txn-offsets');
  const topic = uniqueName('txn-offsets');
  const out = uniqueName('txn-offsets-out');
  await createTopic(app, topic, 2);
  await createTopic(app, out, 1);
  const group = uniqueName('g-txn-offsets');
  const transactionalId = uniqueName('tx-offsets');
  const offsets = [
    { topic, partition: 0, offset: '5', metadata: 'from-txn' },
    { topic, partition: 1, offset: '7' },
  ];

  const aborted = await app.beginTransaction(transactionalId);
  await produceIn(app, aborted.transaction, out, ['x']);
  t.deepEqual(await app.sendOffsetsToTransaction(aborted.transaction, { group, offsets }), [
    { topic, partition: 0, offset: '5' },
    { topic, partition: 1, offset: '7' },
  ]);
  await app.abortTransaction(aborted.transaction);
  t.deepEqual([...(await committedOffsets(app, group, topic)).byPartition.values()].filter((o) => o !== null), [], 'nothing committed by the aborted transaction');

  const committed = await app.beginTransaction(transactionalId);
  await app.sendOffsetsToTransaction(committed.transaction, { group, offsets });
  t.deepEqual([...(await committedOffsets(app, group, topic)).byPartition.values()].filter((o) => o !== null), [], 'nothing committed before the commit');
  await app.commitTransaction(committed.transaction);
  // The commit marker reaches the offsets topic just after EndTxn answers.
  const after = await eventually('the committed offsets', async () => {
    const o = await committedOffsets(app, group, topic);
    return o.byPartition.get(0) === '5' && o.byPartition.get(1) === '7' ? o : undefined;
  });
  t.is(after.byPartition.size, 2);
});

test.serial('consume-transform-produce through a subscription: outputs and offsets commit together; an aborted message comes again', async (t) => {
  const f = await startTxnDaemon(t);
  const app = await f.client('txn-ctp');
  const input = uniqueName('ctp-in');
  const output = uniqueName('ctp-out');
  await createTopic(app, input, 1);
  await createTopic(app, output, 1);
  await kcatOk(['-b', f.brokers, '-P', '-t', input, '-p', '0'], 'm0\nm1\nm2\nm3\n');
  const group = uniqueName('g-ctp');
  const transactionalId = uniqueName('tx-ctp');
  const inbox = new Inbox(app);
  const { subscription } = await app.call<{ subscription: string }>('subscribe', { group, topics: [input], from: 'earliest', maxInFlight: 1 });

  let abortedOnce = false;
  const attempts: string[] = [];
  for (let processed = 0; processed < 4; ) {
    const messages = await inbox.until(attempts.length + 1);
    const m = messages[attempts.length]!;
    attempts.push(`${String(m.value)}#${m.attempt}`);
    const txn = await app.beginTransaction(transactionalId);
    await produceIn(app, txn.transaction, output, [`${String(m.value)}-out`]);
    const sent = await app.sendOffsetsToTransaction(txn.transaction, { subscription, messages: [refOf(m)] });
    t.deepEqual(sent, [{ topic: input, partition: 0, offset: (BigInt(m.offset) + 1n).toString() }]);
    if (m.value === 'm1' && !abortedOnce) {
      abortedOnce = true;
      await app.abortTransaction(txn.transaction);
      continue;
    }
    const next = (BigInt(m.offset) + 1n).toString();
    t.not((await committedOffsets(app, group, input)).byPartition.get(0) ?? null, next, 'the offset is not committed before the transaction');
    await app.commitTransaction(txn.transaction);
    await eventually(`offset ${next} committed with the transaction`, async () => ((await committedOffsets(app, group, input)).byPartition.get(0) === next ? true : undefined));
    processed++;
  }
  t.deepEqual(attempts, ['m0#1', 'm1#1', 'm1#2', 'm2#1', 'm3#1'], 'the message of the aborted transaction was delivered again');
  t.deepEqual(await kcatValues(f.brokers, output, 'read_committed'), ['m0-out', 'm1-out', 'm2-out', 'm3-out']);
  t.deepEqual(await kcatValues(f.brokers, output, 'read_uncommitted'), ['m0-out', 'm1-out', 'm1-out', 'm2-out', 'm3-out']);
});

test.serial('shutdown aborts open transactions', async (t) => {
  const f = await startTxnDaemon(t);
  const app = await f.client('txn-shutdown');
  const topic = uniqueName('txn-shutdown');
  await createTopic(app, topic, 1);
  const txn = await app.beginTransaction(uniqueName('tx-shutdown'));
  await produceIn(app, txn.transaction, topic, ['open']);
  t.is(await f.daemon.stop('SIGTERM'), 0);
  // Were the transaction still open, read_committed readers would stop before its records and never see this one.
  await kcatOk(['-b', f.brokers, '-P', '-t', topic, '-p', '0'], 'later\n');
  t.deepEqual(await kcatValues(f.brokers, topic, 'read_committed'), ['later']);
  t.deepEqual(await kcatValues(f.brokers, topic, 'read_uncommitted'), ['later', 'open']);
});
