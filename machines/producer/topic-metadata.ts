/**
 * Waiting for a topic before its records are appended. The cluster's periodic metadata lists the
 * topics that exist; a topic it does not know yet is asked for by name, which makes a broker with
 * auto.create.topics.enable create it (as the Java client's and librdkafka's producers do), and
 * the producer waits, within maxBlockMs, until the topic has partitions with leaders. An answer
 * that cannot improve by waiting (the topic does not exist and will not be created, the caller may
 * not see it, its name is invalid) ends the wait at once with an error for the call's records.
 *
 * A KRaft broker answers UNKNOWN_TOPIC_OR_PARTITION while it creates the topic (a few hundred ms),
 * exactly as it answers when it will never create it; rather than wait maxBlockMs (a minute by
 * default) in the second case, the broker's own auto.create.topics.enable is read once.
 */
import { errorByCode, KafkaErrorCode, KafkaProtocolError } from '../../protocol/errors/kafka-error.js';
import { DescribeConfigsApi } from '../../protocol/messages/describe-configs.js';
import { MetadataApi, type MetadataResponseTopic } from '../../protocol/messages/metadata.js';
import { Lane } from '../cluster/broker-machine.js';
import type { ClusterMetadata } from '../cluster/metadata.js';
import { UnknownTopicError } from './errors.js';
import type { ProducerCluster } from './sender.js';

export interface TopicWaitOptions {
  /** Ask brokers to create a missing topic (allowAutoTopicCreation); they do only with auto.create.topics.enable. */
  readonly autoCreate: boolean;
  /** The whole wait, as for buffer space. */
  readonly maxBlockMs: number;
  readonly requestTimeoutMs: number;
  /** Pause between attempts while the topic is being created or has no leader yet. */
  readonly retryBackoffMs: number;
}

/** A cluster that can name a broker for cluster-wide requests (ClusterClient can). */
export type TopicCluster = ProducerCluster & { anyBroker?(): number };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** DescribeConfigs resource type of a broker. */
const BROKER_RESOURCE = 4;
const AUTO_CREATE_CONFIG = 'auto.create.topics.enable';

/** Whether broker `nodeId` creates topics on demand; null when it cannot tell (an old broker, no permission). */
async function brokerAutoCreates(cluster: TopicCluster, nodeId: number, timeoutMs: number): Promise<boolean | null> {
  try {
    const response = await cluster.request(
      nodeId,
      Lane.control,
      DescribeConfigsApi,
      { resources: [{ resourceType: BROKER_RESOURCE, resourceName: String(nodeId), configurationKeys: [AUTO_CREATE_CONFIG] }] },
      { timeoutMs },
    );
    const value = response.results[0]?.errorCode === 0 ? response.results[0].configs.find((c) => c.name === AUTO_CREATE_CONFIG)?.value : undefined;
    return value === 'true' ? true : value === 'false' ? false : null;
  } catch {
    return null;
  }
}

function pickBroker(cluster: TopicCluster): number | undefined {
  return cluster.anyBroker?.() ?? [...cluster.metadata.brokers.keys()][0];
}

/** The topic as one broker sees it, asked for by name; a connection failure counts as "not yet". */
async function askForTopic(cluster: TopicCluster, topic: string, options: TopicWaitOptions, timeoutMs: number): Promise<MetadataResponseTopic | Error> {
  try {
    const nodeId = pickBroker(cluster);
    if (nodeId === undefined) return new UnknownTopicError(topic, 'the cluster metadata lists no broker to ask');
    const response = await cluster.request(
      nodeId,
      Lane.control,
      MetadataApi,
      { topics: [{ name: topic }], allowAutoTopicCreation: options.autoCreate, includeTopicAuthorizedOperations: false },
      { timeoutMs },
    );
    return response.topics.find((t) => t.name === topic) ?? new UnknownTopicError(topic, 'the broker answered without it');
  } catch (error) {
    return error as Error;
  }
}

/** Why waiting longer cannot help, or null when it can. */
async function finalAnswer(cluster: TopicCluster, topic: string, answer: MetadataResponseTopic, options: TopicWaitOptions, timeoutMs: number): Promise<Error | null> {
  switch (answer.errorCode) {
    case KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION: {
      if (!options.autoCreate) return new UnknownTopicError(topic, 'it does not exist (producer.autoCreateTopics is off)');
      const nodeId = pickBroker(cluster);
      const creates = nodeId === undefined ? null : await brokerAutoCreates(cluster, nodeId, timeoutMs);
      // Being created, or the broker would not say: wait (as the Java producer does, within maxBlockMs).
      if (creates !== false) return null;
      return new UnknownTopicError(topic, 'it does not exist and the brokers do not create topics on demand (auto.create.topics.enable=false)');
    }
    case KafkaErrorCode.TOPIC_AUTHORIZATION_FAILED:
    case KafkaErrorCode.INVALID_TOPIC_EXCEPTION:
    case KafkaErrorCode.INVALID_REPLICATION_FACTOR:
    case KafkaErrorCode.POLICY_VIOLATION:
      return new KafkaProtocolError(answer.errorCode, `topic "${topic}"`);
    default:
      return null;
  }
}

function describe(answer: MetadataResponseTopic | Error | null): string {
  if (answer === null) return 'no answer';
  if (answer instanceof Error) return answer.message;
  if (answer.errorCode !== 0) return errorByCode.get(answer.errorCode)?.name ?? `error ${answer.errorCode}`;
  return 'no partition has a leader yet';
}

/**
 * Resolves with null once `known(cluster.metadata)` holds, or with the error the call's records
 * should fail with. Only a topic the metadata does not list at all is asked for by name; one that is
 * listed but not usable yet (a partition without leader, an explicit partition beyond the count)
 * gets one refresh, and the accumulator judges what it then sees.
 */
export async function awaitTopic(
  cluster: TopicCluster,
  topic: string,
  known: (metadata: ClusterMetadata) => boolean,
  options: TopicWaitOptions,
): Promise<Error | null> {
  if (known(cluster.metadata)) return null;
  const deadline = Date.now() + options.maxBlockMs;
  const remaining = (): number => Math.max(1, Math.min(deadline - Date.now(), options.requestTimeoutMs));
  if (cluster.metadata.topics.has(topic)) {
    await cluster.refreshMetadata(remaining()).catch(() => undefined);
    return null;
  }
  let last: MetadataResponseTopic | Error | null = null;
  let creating = false;
  for (;;) {
    last = await askForTopic(cluster, topic, options, remaining());
    if (!(last instanceof Error)) {
      // Once the broker has said it creates topics, later "unknown" answers only mean "not yet".
      const refusal = creating && last.errorCode === KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION ? null : await finalAnswer(cluster, topic, last, options, remaining());
      if (refusal !== null) return refusal;
      if (last.errorCode === KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION) creating = true;
      if (last.errorCode === 0 && last.partitions.some((p) => p.errorCode === 0 && p.leaderId >= 0)) {
        // The broker has it: the cluster's own metadata must too before the accumulator can place
        // records. Once it lists the topic, the accumulator judges the rest (an explicit partition
        // beyond the count fails alone there, as for a topic listed from the start).
        await cluster.refreshMetadata(remaining()).catch(() => undefined);
        if (cluster.metadata.topics.has(topic)) return null;
      }
    }
    if (Date.now() + options.retryBackoffMs >= deadline) break;
    await sleep(options.retryBackoffMs);
  }
  return new UnknownTopicError(topic, `not usable within maxBlockMs (${options.maxBlockMs} ms): ${describe(last)}`);
}
