/**
 * createTopics: CreateTopics at the controller, with one result per topic. A topic that
 * already exists or has a bad config fails alone; the others are still created.
 */
import { CreateTopicsApi, type CreateTopicsRequest } from '../../protocol/messages/create-topics.js';
import type { ClusterClient } from '../cluster/cluster-client.js';
import { perTopicAtController, type TopicOutcome } from './controller.js';
import { Deadline } from './deadline.js';
import { clusterReady, sendAdminRequest } from './send.js';

export interface NewTopic {
  readonly name: string;
  readonly partitions: number;
  /** Absent: the broker's default.replication.factor where the version allows (v4+), else 1. */
  readonly replicationFactor?: number;
  /** Topic configs such as cleanup.policy or retention.ms. */
  readonly configs?: Readonly<Record<string, string>>;
}

export interface TopicResult {
  readonly name: string;
  /** null when the topic was created. */
  readonly error: TopicOutcome;
}

/** The first CreateTopics version where -1 asks for the broker's default (KIP-464). */
const BROKER_DEFAULTS_MIN_VERSION = 4;

/** The time the broker may spend creating topics: most of ours, so its answer still arrives before we give up. */
export function brokerTimeoutMs(remainingMs: number): number {
  return Math.max(1, Math.floor(remainingMs * 0.8));
}

export function createTopicsRequest(topics: readonly NewTopic[], version: number, timeoutMs: number): CreateTopicsRequest {
  const fallbackReplication = version >= BROKER_DEFAULTS_MIN_VERSION ? -1 : 1;
  return {
    topics: topics.map((t) => ({
      name: t.name,
      numPartitions: t.partitions,
      replicationFactor: t.replicationFactor ?? fallbackReplication,
      assignments: [],
      configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
    })),
    timeoutMs,
  };
}

export async function createTopics(cluster: ClusterClient, topics: readonly NewTopic[], options: { timeoutMs: number }): Promise<TopicResult[]> {
  const deadline = new Deadline(options.timeoutMs);
  await clusterReady(cluster, deadline);
  const byName = new Map(topics.map((t) => [t.name, t]));
  const outcomes = await perTopicAtController(cluster, 'CreateTopics', [...byName.keys()], deadline, async (nodeId, names) => {
    const wanted = names.map((n) => byName.get(n) as NewTopic);
    const { response } = await sendAdminRequest(
      cluster,
      nodeId,
      CreateTopicsApi,
      (version) => createTopicsRequest(wanted, version, brokerTimeoutMs(deadline.remaining())),
      deadline,
    );
    return new Map(response.topics.map((t) => [t.name, { errorCode: t.errorCode, errorMessage: t.errorMessage ?? null }]));
  });
  return topics.map((t) => ({ name: t.name, error: outcomes.get(t.name) ?? null }));
}
