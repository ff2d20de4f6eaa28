/**
 * Requests that must reach a group's coordinator (DescribeGroups, OffsetFetch). The
 * coordinator is looked up (and cached by the cluster); when it answers NOT_COORDINATOR or
 * COORDINATOR_NOT_AVAILABLE the group moved, so the cached one is forgotten and the lookup
 * repeated; COORDINATOR_LOAD_IN_PROGRESS (it is still reading __consumer_offsets) is asked
 * again at the same broker. All of it within the call's time.
 */
import { KafkaErrorCode } from '../../protocol/errors/kafka-error.js';
import { CoordinatorKeyType, type ClusterClient } from '../cluster/cluster-client.js';
import type { Deadline } from './deadline.js';
import { isRetriable } from './send.js';

const COORDINATOR_MOVED: ReadonlySet<number> = new Set([KafkaErrorCode.NOT_COORDINATOR, KafkaErrorCode.COORDINATOR_NOT_AVAILABLE]);

/**
 * Runs `ask` with the coordinator's node id until it succeeds, fails for good, or time runs
 * out (then with the last retriable error). `ask` throws a group's error code as a
 * KafkaProtocolError.
 */
export async function atCoordinator<T>(cluster: ClusterClient, group: string, deadline: Deadline, ask: (nodeId: number) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      const coordinator = await cluster.findCoordinator(CoordinatorKeyType.group, group, deadline.remaining());
      try {
        return await ask(coordinator.nodeId);
      } catch (error) {
        const errorCode = (error as { errorCode?: number }).errorCode;
        // A coordinator that moved, or a connection to it that failed: look it up again.
        if ((errorCode !== undefined && COORDINATOR_MOVED.has(errorCode)) || (errorCode === undefined && isRetriable(error))) {
          cluster.coordinatorMoved(CoordinatorKeyType.group, group);
        }
        throw error;
      }
    } catch (error) {
      if (!isRetriable(error) || !(await deadline.pause(attempt))) throw error;
    }
  }
}
