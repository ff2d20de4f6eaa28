/**
 * Waiting for a topic before producing to it, against a fake cluster whose broker answers
 * by-name Metadata requests from a script: a topic being created is waited for, answers that
 * cannot improve end the wait at once, and maxBlockMs bounds it.
 */
import test from 'ava';
import { ClusterMetadata } from '../../../../machines/cluster/metadata.js';
import { awaitTopic, type TopicCluster, type TopicWaitOptions } from '../../../../machines/producer/topic-metadata.js';
import { KafkaErrorCode } from '../../../../protocol/errors/kafka-error.js';
import type { DescribeConfigsRequest } from '../../../../protocol/messages/describe-configs.js';
import type { MetadataRequest, MetadataResponse, MetadataResponseTopic } from '../../../../protocol/messages/metadata.js';

const BROKER = { nodeId: 1, host: 'h', port: 1, rack: null };

function topicAnswer(name: string, errorCode: number, leaders: number[] = []): MetadataResponseTopic {
  return {
    errorCode,
    name,
    isInternal: false,
    partitions: leaders.map((leaderId, p) => ({ errorCode: 0, partitionIndex: p, leaderId, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] })),
  };
}

function metadataWith(topics: MetadataResponseTopic[]): ClusterMetadata {
  return ClusterMetadata.empty().merge({ brokers: [BROKER], clusterId: 'c', controllerId: 1, topics } as unknown as MetadataResponse, true);
}

/**
 * A cluster whose broker answers the n-th by-name request with answers[n] (the last one repeats)
 * and DescribeConfigs of auto.create.topics.enable with `autoCreates`; a refresh sees what the broker has.
 */
function scriptedCluster(answers: ReadonlyArray<MetadataResponseTopic | Error>, initial: MetadataResponseTopic[] = [], autoCreates: string | Error = 'true') {
  const asked: MetadataRequest[] = [];
  const configQueries: DescribeConfigsRequest[] = [];
  let refreshes = 0;
  let brokerHas: MetadataResponseTopic[] = initial;
  const cluster: TopicCluster & { metadata: ClusterMetadata } = {
    metadata: metadataWith(initial),
    anyBroker: () => 1,
    noteError: () => false,
    refreshMetadata: () => {
      refreshes++;
      cluster.metadata = metadataWith(brokerHas);
      return Promise.resolve(cluster.metadata);
    },
    request: (async (_node: number, _lane: string, api: { name: string }, body: unknown) => {
      if (api.name === 'DescribeConfigs') {
        configQueries.push(body as DescribeConfigsRequest);
        if (autoCreates instanceof Error) throw autoCreates;
        const configs = [{ name: 'auto.create.topics.enable', value: autoCreates, readOnly: true, isSensitive: false }];
        return { throttleTimeMs: 0, results: [{ errorCode: 0, errorMessage: null, resourceType: 4, resourceName: '1', configs }] };
      }
      if (api.name !== 'Metadata') throw new Error(`unexpected ${api.name}`);
      const answer = answers[Math.min(asked.length, answers.length - 1)]!;
      asked.push(body as MetadataRequest);
      if (answer instanceof Error) throw answer;
      if (answer.errorCode === 0) brokerHas = [answer];
      return { brokers: [BROKER], clusterId: 'c', controllerId: 1, topics: [answer], throttleTimeMs: 0 };
    }) as TopicCluster['request'],
  };
  return { cluster, asked, configQueries, refreshes: () => refreshes };
}

const options: TopicWaitOptions = { autoCreate: true, maxBlockMs: 2_000, requestTimeoutMs: 1_000, retryBackoffMs: 10 };
const hasTopic = (name: string) => (m: ClusterMetadata) => (m.topics.get(name)?.partitions.size ?? 0) > 0;

test('a topic the metadata already has costs no request', async (t) => {
  const { cluster, asked, refreshes } = scriptedCluster([new Error('not asked')], [topicAnswer('a', 0, [1])]);
  t.is(await awaitTopic(cluster, 'a', hasTopic('a'), options), null);
  t.is(asked.length, 0);
  t.is(refreshes(), 0);
});

test('a missing topic is asked for by name with auto-creation, waited for while it has no leader, then seen by the cluster metadata', async (t) => {
  const { cluster, asked } = scriptedCluster([
    topicAnswer('new', KafkaErrorCode.LEADER_NOT_AVAILABLE),
    topicAnswer('new', 0, [-1]),
    new Error('connection reset'),
    topicAnswer('new', 0, [1]),
  ]);
  t.is(await awaitTopic(cluster, 'new', hasTopic('new'), options), null);
  t.is(asked.length, 4);
  t.deepEqual(asked[0], { topics: [{ name: 'new' }], allowAutoTopicCreation: true, includeTopicAuthorizedOperations: false });
  t.true(hasTopic('new')(cluster.metadata));
});

test('with auto-creation off, a topic that does not exist fails at once and says why', async (t) => {
  const { cluster, asked } = scriptedCluster([topicAnswer('gone', KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION)]);
  const error = await awaitTopic(cluster, 'gone', hasTopic('gone'), { ...options, autoCreate: false });
  t.is(asked.length, 1);
  t.false(asked[0]!.allowAutoTopicCreation);
  t.like(error, { code: 'UNKNOWN_TOPIC_OR_PARTITION' });
  t.regex(error!.message, /"gone".*autoCreateTopics is off/);
});

test('a broker that does not create topics on demand (its auto.create.topics.enable, read once) is named as the reason', async (t) => {
  const { cluster, asked, configQueries } = scriptedCluster([topicAnswer('gone', KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION)], [], 'false');
  const error = await awaitTopic(cluster, 'gone', hasTopic('gone'), options);
  t.is(asked.length, 1);
  t.deepEqual(configQueries[0]!.resources, [{ resourceType: 4, resourceName: '1', configurationKeys: ['auto.create.topics.enable'] }]);
  t.like(error, { code: 'UNKNOWN_TOPIC_OR_PARTITION' });
  t.regex(error!.message, /auto\.create\.topics\.enable=false/);
});

test('while a KRaft broker creates the topic it answers UNKNOWN_TOPIC_OR_PARTITION: with auto-creation on there, that is waited out', async (t) => {
  const unknown = topicAnswer('kraft', KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const { cluster, asked, configQueries } = scriptedCluster([unknown, unknown, unknown, topicAnswer('kraft', 0, [1])]);
  t.is(await awaitTopic(cluster, 'kraft', hasTopic('kraft'), options), null);
  t.is(asked.length, 4);
  t.is(configQueries.length, 1, 'the broker setting is read once per wait');
});

test('a broker that will not tell its auto.create.topics.enable is waited for, within maxBlockMs', async (t) => {
  const unknown = topicAnswer('quiet', KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const { cluster } = scriptedCluster([unknown], [], new Error('CLUSTER_AUTHORIZATION_FAILED'));
  const error = await awaitTopic(cluster, 'quiet', hasTopic('quiet'), { ...options, maxBlockMs: 100 });
  t.regex(error!.message, /maxBlockMs \(100 ms\): UNKNOWN_TOPIC_OR_PARTITION/);
});

for (const [name, code] of [
  ['TOPIC_AUTHORIZATION_FAILED', KafkaErrorCode.TOPIC_AUTHORIZATION_FAILED],
  ['INVALID_TOPIC_EXCEPTION', KafkaErrorCode.INVALID_TOPIC_EXCEPTION],
] as const) {
  test(`${name} ends the wait at once with that Kafka error`, async (t) => {
    const { cluster, asked } = scriptedCluster([topicAnswer('x', code)]);
    const error = await awaitTopic(cluster, 'x', hasTopic('x'), options);
    t.is(asked.length, 1);
    t.like(error, { code: name });
    t.regex(error!.message, /topic "x"/);
  });
}

test('a topic that never gets a leader fails after maxBlockMs, naming the last answer', async (t) => {
  const { cluster, asked } = scriptedCluster([topicAnswer('slow', KafkaErrorCode.LEADER_NOT_AVAILABLE)]);
  const started = Date.now();
  const error = await awaitTopic(cluster, 'slow', hasTopic('slow'), { ...options, maxBlockMs: 150 });
  t.true(Date.now() - started >= 140);
  t.true(asked.length >= 2, "it asked again while waiting");
  t.like(error, { code: 'UNKNOWN_TOPIC_OR_PARTITION' });
  t.regex(error!.message, /maxBlockMs \(150 ms\): LEADER_NOT_AVAILABLE/);
});

test('a listed topic that is not usable yet (a partition beyond its count) gets one refresh and no by-name request', async (t) => {
  const { cluster, asked, refreshes } = scriptedCluster([new Error('not asked')], [topicAnswer('two', 0, [1, 1])]);
  const beyond = (m: ClusterMetadata) => (m.topics.get('two')?.partitions.size ?? 0) > 5;
  t.is(await awaitTopic(cluster, 'two', beyond, options), null);
  t.is(asked.length, 0);
  t.is(refreshes(), 1);
});

test('a topic that appears only after the by-name request, with an explicit partition beyond its count, is left to the accumulator once listed', async (t) => {
  const { cluster, asked } = scriptedCluster([topicAnswer('late', 0, [1])]);
  const beyond = (m: ClusterMetadata) => (m.topics.get('late')?.partitions.size ?? 0) > 3;
  t.is(await awaitTopic(cluster, 'late', beyond, options), null);
  t.is(asked.length, 1);
});
