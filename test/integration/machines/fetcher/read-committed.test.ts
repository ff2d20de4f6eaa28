/**
 * read_committed against a real broker: KafkaJS 2.2.4 (an independent client with
 * transactions) writes committed and aborted transactions, interleaved with plain records;
 * the fetcher with read_committed sees the plain and committed records only, and with
 * read_uncommitted sees every data record (never the transaction markers).
 */
import test from 'ava';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaEnv } from '../../../helpers/kafka.js';
import { IsolationLevel } from '../../../../machines/fetcher/types.js';
import { startCluster, type TestCluster } from '../admin/cluster-fixture.js';
import { collect, readyTopic, sleep, text } from './fetch-fixture.js';

let cluster: TestCluster;
let brokers: string[];

test.before(async () => {
  const env = await kafkaEnv();
  brokers = env.brokers;
  cluster = await startCluster(env.brokers);
});

test.after.always(() => cluster?.stop());

test('read_committed skips aborted transactions and control batches; read_uncommitted shows aborted data', async (t) => {
  const topic = await readyTopic(cluster.client, 'fetch-txn', 1);
  const kafka = new Kafka({ clientId: 'fetch-txn-test', brokers, logLevel: logLevel.NOTHING });
  const plain = kafka.producer();
  const txProducer = kafka.producer({ transactionalId: `fetch-txn-${Date.now()}`, idempotent: true, maxInFlightRequests: 1 });
  await plain.connect();
  await txProducer.connect();
  const send = (values: string[]): Promise<unknown> => plain.send({ topic, messages: values.map((value) => ({ partition: 0, key: 'k', value })) });
  const transaction = async (values: string[], commit: boolean): Promise<void> => {
    const tx = await txProducer.transaction();
    await tx.send({ topic, messages: values.map((value) => ({ partition: 0, key: 'tx', value })) });
    if (commit) await tx.commit();
    else await tx.abort();
  };
  try {
    await send(['plain-1']);
    await transaction(['committed-1', 'committed-2'], true);
    await transaction(['aborted-1', 'aborted-2', 'aborted-3'], false);
    await send(['plain-2']);
    await transaction(['aborted-4'], false);
    await transaction(['committed-3'], true);
    await send(['plain-3']);
  } finally {
    await plain.disconnect();
    await txProducer.disconnect();
  }
  const committed = ['plain-1', 'committed-1', 'committed-2', 'plain-2', 'committed-3', 'plain-3'];
  const everything = ['plain-1', 'committed-1', 'committed-2', 'aborted-1', 'aborted-2', 'aborted-3', 'plain-2', 'aborted-4', 'committed-3', 'plain-3'];

  const readCommitted = collect(cluster.client, { isolationLevel: IsolationLevel.readCommitted });
  const readUncommitted = collect(cluster.client, { isolationLevel: IsolationLevel.readUncommitted });
  try {
    readCommitted.fetcher.assign([{ topic, partition: 0, position: 'earliest' }]);
    readUncommitted.fetcher.assign([{ topic, partition: 0, position: 'earliest' }]);
    await readCommitted.waitFor(0, committed.length);
    await readUncommitted.waitFor(0, everything.length);
    await sleep(500);
    t.deepEqual((readCommitted.records.get(0) ?? []).map((r) => text(r.value)), committed);
    t.deepEqual((readUncommitted.records.get(0) ?? []).map((r) => text(r.value)), everything);
    // Past the last commit marker: 10 data records + 4 markers.
    t.is(readCommitted.fetcher.positions()[0].position, 14n);
    t.deepEqual(readCommitted.errors, []);
  } finally {
    await Promise.all([readCommitted.fetcher.stop(), readUncommitted.fetcher.stop()]);
  }
});
