/** listOffsets against a scripted broker: retries of moved leaders, request shapes, and failures that end the call. */
import test from 'ava';
import { listOffsets, listOffsetsRequest, queryTimestamp } from '../../../../machines/admin/list-offsets.js';
import { KafkaErrorCode, KafkaProtocolError } from '../../../../protocol/errors/kafka-error.js';
import type { ListOffsetsRequest } from '../../../../protocol/messages/list-offsets.js';
import { ApiKey, startFakeCluster, type FakeCluster } from './fake-cluster.js';

/** Answers ListOffsets with `answer(partition)`: an offset, or an error code as {error}. */
function answerOffsets(fake: FakeCluster, answer: (partition: number, call: number) => bigint | { error: number }): void {
  let call = 0;
  fake.broker.on(ApiKey.listOffsets, (req) => {
    call++;
    const body = req.body as ListOffsetsRequest;
    return {
      body: {
        throttleTimeMs: 0,
        topics: body.topics.map((topic) => ({
          name: topic.name,
          partitions: topic.partitions.map((p) => {
            const a = answer(p.partitionIndex, call);
            return typeof a === 'bigint'
              ? { partitionIndex: p.partitionIndex, errorCode: 0, timestamp: p.timestamp >= 0n ? p.timestamp + 5n : -1n, offset: a, leaderEpoch: 7 }
              : { partitionIndex: p.partitionIndex, errorCode: a.error, timestamp: -1n, offset: -1n, leaderEpoch: -1 };
          }),
        })),
      },
    };
  });
}

test('special timestamps: -2 earliest, -1 latest, else the time', (t) => {
  t.is(queryTimestamp('earliest'), -2n);
  t.is(queryTimestamp('latest'), -1n);
  t.is(queryTimestamp(1_700_000_000_000), 1_700_000_000_000n);
});

test('the request groups partitions by topic and carries leader epochs from v4 and a timeout from v10', (t) => {
  const partitions = [
    { topic: 'a', partition: 0, leaderEpoch: 3 },
    { topic: 'b', partition: 2, leaderEpoch: 4 },
    { topic: 'a', partition: 1, leaderEpoch: 3 },
  ];
  const v10 = listOffsetsRequest(partitions, 'latest', 10, 900);
  t.deepEqual(v10, {
    replicaId: -1,
    timeoutMs: 900,
    topics: [
      { name: 'a', partitions: [{ partitionIndex: 0, timestamp: -1n, currentLeaderEpoch: 3 }, { partitionIndex: 1, timestamp: -1n, currentLeaderEpoch: 3 }] },
      { name: 'b', partitions: [{ partitionIndex: 2, timestamp: -1n, currentLeaderEpoch: 4 }] },
    ],
  });
  const v3 = listOffsetsRequest(partitions, 'earliest', 3, 900);
  t.is(v3.timeoutMs, undefined);
  t.deepEqual(v3.topics[0].partitions[0], { partitionIndex: 0, timestamp: -2n });
});

test('partitions whose leader moved are asked again after a metadata refresh; the others are kept', async (t) => {
  const fake = await startFakeCluster();
  t.teardown(() => fake.stop());
  fake.topics.set('t', 3);
  answerOffsets(fake, (partition, call) => (partition === 1 && call === 1 ? { error: KafkaErrorCode.NOT_LEADER_OR_FOLLOWER } : BigInt(10 * partition)));
  const metadataBefore = fake.received(ApiKey.metadata).length;
  const offsets = await listOffsets(fake.client, 't', 'latest', { timeoutMs: 5000 });
  t.deepEqual(offsets, [
    { partition: 0, offset: 0n, timestamp: null },
    { partition: 1, offset: 10n, timestamp: null },
    { partition: 2, offset: 20n, timestamp: null },
  ]);
  const requests = fake.received(ApiKey.listOffsets).map((r) => r.body as ListOffsetsRequest);
  t.deepEqual(requests.map((r) => r.topics[0].partitions.map((p) => p.partitionIndex)), [[0, 1, 2], [1]]);
  t.true(fake.received(ApiKey.metadata).length > metadataBefore);
});

test('a timestamp query reports the found record time, and no offset where nothing is that recent', async (t) => {
  const fake = await startFakeCluster();
  t.teardown(() => fake.stop());
  fake.topics.set('t', 2);
  answerOffsets(fake, (partition) => (partition === 0 ? 4n : -1n));
  t.deepEqual(await listOffsets(fake.client, 't', 1000, { timeoutMs: 5000 }), [
    { partition: 0, offset: 4n, timestamp: 1005 },
    { partition: 1, offset: null, timestamp: 1005 },
  ]);
});

test('a partition error that retrying cannot fix ends the call, naming the partition', async (t) => {
  const fake = await startFakeCluster();
  t.teardown(() => fake.stop());
  fake.topics.set('secret', 2);
  answerOffsets(fake, (partition) => (partition === 1 ? { error: KafkaErrorCode.TOPIC_AUTHORIZATION_FAILED } : 1n));
  const error = await t.throwsAsync(listOffsets(fake.client, 'secret', 'earliest', { timeoutMs: 5000 }), { instanceOf: KafkaProtocolError });
  t.is(error?.code, 'TOPIC_AUTHORIZATION_FAILED');
  t.regex(error?.message ?? '', /secret\[1\]/);
  t.is(fake.received(ApiKey.listOffsets).length, 1);
});

test('a leader that never settles ends the call at its timeout with the last retriable error', async (t) => {
  const fake = await startFakeCluster();
  t.teardown(() => fake.stop());
  fake.topics.set('t', 1);
  await fake.client.refreshMetadata(5000);
  answerOffsets(fake, () => ({ error: KafkaErrorCode.LEADER_NOT_AVAILABLE }));
  const started = Date.now();
  const error = await t.throwsAsync(listOffsets(fake.client, 't', 'latest', { timeoutMs: 1500 }), { instanceOf: KafkaProtocolError });
  t.true(Date.now() - started < 4000);
  t.is(error?.code, 'LEADER_NOT_AVAILABLE');
  t.true(fake.received(ApiKey.listOffsets).length >= 2);
});

test('a topic the refreshed metadata does not know is UNKNOWN_TOPIC_OR_PARTITION at once', async (t) => {
  const fake = await startFakeCluster();
  t.teardown(() => fake.stop());
  const error = await t.throwsAsync(listOffsets(fake.client, 'nope', 'latest', { timeoutMs: 5000 }), { instanceOf: KafkaProtocolError });
  t.is(error?.code, 'UNKNOWN_TOPIC_OR_PARTITION');
  t.regex(error?.message ?? '', /"nope"/);
  t.is(fake.received(ApiKey.listOffsets).length, 0);
});
