/**
 * Requests that must reach the controller (CreateTopics, DeleteTopics) and answer per topic.
 * The target is the controller named by the metadata; on KRaft clusters (3.x in KRaft mode,
 * 4.x) the metadata names some broker and every broker forwards to the real controller, so
 * any broker works. A topic answered with NOT_CONTROLLER (the controller moved) is sent
 * again, after a metadata refresh, until the call's time is up; every other per-topic error
 * is that topic's result and does not fail the others.
 */
import { KafkaErrorCode, KafkaProtocolError } from '../../protocol/errors/kafka-error.js';
import type { ClusterClient } from '../cluster/cluster-client.js';
import type { Deadline } from './deadline.js';
import { AdminResponseError } from './errors.js';
import { isRetriable } from './send.js';

/** A topic's result: null for success, else why it failed. */
export type TopicOutcome = Error | null;

/** Per-topic error codes after which the same request can succeed at the current controller. */
const RETRY_AT_CONTROLLER: ReadonlySet<number> = new Set([KafkaErrorCode.NOT_CONTROLLER]);

export function controllerOf(cluster: ClusterClient): number {
  const { controllerId, brokers } = cluster.metadata;
  return controllerId >= 0 && brokers.has(controllerId) ? controllerId : cluster.anyBroker();
}

/**
 * Sends `names` to the controller with `send` (which returns the error code and message per
 * name) and resends the ones that must be retried. Resolves with one outcome per name.
 */
export async function perTopicAtController(
  cluster: ClusterClient,
  api: string,
  names: readonly string[],
  deadline: Deadline,
  send: (nodeId: number, names: readonly string[]) => Promise<Map<string, { errorCode: number; errorMessage: string | null }>>,
): Promise<Map<string, TopicOutcome>> {
  const outcomes = new Map<string, TopicOutcome>();
  // The latest per-topic retriable error, reported if a later attempt fails as a whole at the deadline.
  const lastAnswer = new Map<string, Error>();
  let pending = [...names];
  for (let attempt = 0; pending.length > 0; attempt++) {
    const retry: string[] = [];
    let requestFailure: Error | null = null;
    try {
      const answers = await send(controllerOf(cluster), pending);
      for (const name of pending) {
        const answer = answers.get(name);
        if (!answer) outcomes.set(name, new AdminResponseError(api, `no result for topic "${name}"`));
        else if (answer.errorCode === 0) outcomes.set(name, null);
        else if (RETRY_AT_CONTROLLER.has(answer.errorCode)) {
          lastAnswer.set(name, new KafkaProtocolError(answer.errorCode, answer.errorMessage));
          retry.push(name);
        } else outcomes.set(name, new KafkaProtocolError(answer.errorCode, answer.errorMessage));
      }
    } catch (error) {
      if (!isRetriable(error)) throw error;
      requestFailure = error as Error;
      retry.push(...pending);
    }
    pending = retry;
    if (pending.length === 0) break;
    const again = !deadline.expired() && (await refreshQuietly(cluster, deadline)) && (await deadline.pause(attempt));
    if (!again) {
      // Out of time: each topic's last answer is its result; a call with no answer at all fails as a whole.
      if (requestFailure && !pending.every((name) => lastAnswer.has(name))) throw requestFailure;
      for (const name of pending) outcomes.set(name, lastAnswer.get(name) as Error);
      break;
    }
  }
  return outcomes;
}

/** Refreshes the metadata (a new controller, new leaders); a failed refresh still allows a retry. */
export async function refreshQuietly(cluster: ClusterClient, deadline: Deadline): Promise<boolean> {
  try {
    await cluster.refreshMetadata(deadline.remaining());
  } catch {
    // The retry itself reports what is wrong if the brokers stay unreachable.
  }
  return !deadline.expired();
}
