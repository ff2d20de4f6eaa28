/**
 * listTopics: a fresh Metadata request for every topic (internal ones included), not the
 * cluster's cached snapshot, so a topic created or deleted a moment ago is seen as the
 * brokers see it now.
 */
import { MetadataApi, type MetadataRequest } from '../../protocol/messages/metadata.js';
import type { ClusterClient } from '../cluster/cluster-client.js';
import { Deadline } from './deadline.js';
import { clusterReady, isRetriable, sendAdminRequest } from './send.js';

export interface TopicListing {
  readonly name: string;
  readonly partitions: number;
  readonly internal: boolean;
}

/** Metadata for all topics: an empty list in v0, null from v1 on (v0 has no null). */
export function allTopicsMetadataRequest(version: number): MetadataRequest {
  return {
    topics: version === 0 ? [] : null,
    ...(version >= 4 ? { allowAutoTopicCreation: false } : {}),
  };
}

export async function listTopics(cluster: ClusterClient, options: { timeoutMs: number }): Promise<TopicListing[]> {
  const deadline = new Deadline(options.timeoutMs);
  await clusterReady(cluster, deadline);
  for (let attempt = 0; ; attempt++) {
    try {
      const { response } = await sendAdminRequest(cluster, cluster.anyBroker(), MetadataApi, allTopicsMetadataRequest, deadline);
      return response.topics
        .filter((t): t is typeof t & { name: string } => t.name !== null)
        .map((t) => ({ name: t.name, partitions: t.partitions.length, internal: t.isInternal ?? false }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (error) {
      if (!isRetriable(error) || !(await deadline.pause(attempt))) throw error;
    }
  }
}
