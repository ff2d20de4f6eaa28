/**
 * deleteTopics: DeleteTopics at the controller, with one result per topic (a topic that does
 * not exist is UNKNOWN_TOPIC_OR_PARTITION for that topic only). Version 6 names topics
 * through topic states that may carry an id; we always name them, with the zero id.
 */
import { ZERO_UUID } from '../../protocol/primitives/codec-support.js';
import { DeleteTopicsApi, type DeleteTopicsRequest } from '../../protocol/messages/delete-topics.js';
import type { ClusterClient } from '../cluster/cluster-client.js';
import { perTopicAtController } from './controller.js';
import type { TopicResult } from './create-topics.js';
import { brokerTimeoutMs } from './create-topics.js';
import { Deadline } from './deadline.js';
import { clusterReady, sendAdminRequest } from './send.js';

const TOPIC_STATES_MIN_VERSION = 6;

export function deleteTopicsRequest(names: readonly string[], version: number, timeoutMs: number): DeleteTopicsRequest {
  return version >= TOPIC_STATES_MIN_VERSION
    ? { topics: names.map((name) => ({ name, topicId: ZERO_UUID })), timeoutMs }
    : { topicNames: [...names], timeoutMs };
}

export async function deleteTopics(cluster: ClusterClient, names: readonly string[], options: { timeoutMs: number }): Promise<TopicResult[]> {
  const deadline = new Deadline(options.timeoutMs);
  await clusterReady(cluster, deadline);
  const unique = [...new Set(names)];
  const outcomes = await perTopicAtController(cluster, 'DeleteTopics', unique, deadline, async (nodeId, pending) => {
    const { response } = await sendAdminRequest(
      cluster,
      nodeId,
      DeleteTopicsApi,
      (version) => deleteTopicsRequest(pending, version, brokerTimeoutMs(deadline.remaining())),
      deadline,
    );
    return new Map(
      response.responses.filter((r) => r.name !== null).map((r) => [r.name as string, { errorCode: r.errorCode, errorMessage: r.errorMessage ?? null }]),
    );
  });
  return names.map((name) => ({ name, error: outcomes.get(name) ?? null }));
}
