/**
 * Transactions over NATS through a real daemon: commit and abort as over the socket;
 * consume-transform-produce in pull mode (fetch, then the fetched messages' offsets into the
 * transaction); a transaction begun by a bare NATS request (no deliver subject, so no session
 * outlives the call) is aborted when its timeout passes.
 */
import test from 'ava';
import { connect, type SidecarClient } from '../../../client/index.js';
import { kcatOk } from '../../helpers/kcat.js';
import { natsEnv } from '../../helpers/nats.js';
import { committedOffsets, createTopic, eventually, uniqueName } from './consume-fixture.js';
import { kcatValues, produceIn, rejection, startTxnDaemon } from './transactions-fixture.js';

test.serial('over NATS: commit, abort, fetched offsets into a transaction, and a session-less transaction aborted at its timeout', async (t) => {
  const { url } = await natsEnv();
  const prefix = uniqueName('ks-txn');
  const f = await startTxnDaemon(t, { KAFKA_SIDECAR_NATS_ENABLED: 'true', KAFKA_SIDECAR_NATS_SERVERS: url, KAFKA_SIDECAR_NATS_PREFIX: prefix });
  const nats: SidecarClient = await connect({ nats: { servers: url, prefix }, client: 'txn-nats' });
  t.teardown(() => nats.close());
  const input = uniqueName('txn-nats-in');
  const output = uniqueName('txn-nats-out');
  await createTopic(nats, input, 1);
  await createTopic(nats, output, 1);
  await kcatOk(['-b', f.brokers, '-P', '-t', input, '-p', '0'], 'n0\nn1\nn2\n');
  const transactionalId = uniqueName('tx-nats');
  const group = uniqueName('g-txn-nats');

  const aborted = await nats.beginTransaction(transactionalId);
  await produceIn(nats, aborted.transaction, output, ['dropped']);
  await nats.abortTransaction(aborted.transaction);

  const fetched = await eventually('fetched over NATS', async () => {
    const m = await nats.fetch(group, [input], { from: 'earliest', max: 3, waitMs: 1000 });
    return m.length === 3 ? m : undefined;
  });
  const txn = await nats.beginTransaction(transactionalId);
  await produceIn(
    nats,
    txn.transaction,
    output,
    fetched.map((m) => `${String(m.value)}-out`),
  );
  t.deepEqual(await nats.sendOffsetsToTransaction(txn.transaction, { group, messages: fetched }), [{ topic: input, partition: 0, offset: '3' }]);
  // The group may have committed where it started (0); never the transaction's offset before the commit.
  t.not((await committedOffsets(nats, group, input)).byPartition.get(0), '3');
  await nats.commitTransaction(txn.transaction);
  await eventually('offset 3 committed with the transaction', async () => ((await committedOffsets(nats, group, input)).byPartition.get(0) === '3' ? true : undefined));
  t.deepEqual(await kcatValues(f.brokers, output, 'read_committed'), ['n0-out', 'n1-out', 'n2-out']);

  // A bare request (no deliverSubject): nothing ends with a session, the timeout does.
  const bare = await nats.call<{ transaction: string }>('beginTransaction', { transactionalId, timeoutMs: 1500 });
  await produceIn(nats, bare.transaction, output, ['timed-out']);
  await eventually('the transaction to time out', async () => ((await nats.status()).transactions?.some((x) => x.transaction === bare.transaction) ? undefined : true));
  const ended = await rejection(t, nats.commitTransaction(bare.transaction));
  t.is(ended.code, 'UNKNOWN_TRANSACTION');
  t.is(ended.data.ended, 'timed out and was aborted');
  const next = await nats.beginTransaction(transactionalId);
  await produceIn(nats, next.transaction, output, ['last']);
  await nats.commitTransaction(next.transaction);
  t.deepEqual(await kcatValues(f.brokers, output, 'read_committed'), ['last', 'n0-out', 'n1-out', 'n2-out']);
  const refused = await rejection(t, nats.call('abortTransaction', { transaction: 'txn-nope' }));
  t.is(refused.code, 'UNKNOWN_TRANSACTION');
});
