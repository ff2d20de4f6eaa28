/**
 * Coordinator lookup (FindCoordinator): which broker coordinates a consumer group or a
 * transactional id. From v4 one request answers for many keys (KIP-699); older brokers get one
 * request per key. Answers are cached until a caller reports the coordinator moved.
 */
import { KafkaProtocolError, kafkaErrorOrNull } from '../../protocol/errors/kafka-error.js';
import { FindCoordinatorApi } from '../../protocol/messages/find-coordinator.js';
import { request } from '../connection/connection-client.js';
import type { ConnectionActor } from '../connection/connection-machine.js';

export const CoordinatorKeyType = { group: 0, transaction: 1, share: 2 } as const;
export type CoordinatorKeyType = (typeof CoordinatorKeyType)[keyof typeof CoordinatorKeyType];

export interface Coordinator {
  readonly key: string;
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

/** Per key: the coordinator, or the broker's error for that key. */
export type CoordinatorAnswers = Map<string, Coordinator | KafkaProtocolError>;

const BATCHED_MIN_VERSION = 4;

export async function findCoordinators(
  connection: ConnectionActor,
  keyType: CoordinatorKeyType,
  keys: readonly string[],
  timeoutMs: number,
): Promise<CoordinatorAnswers> {
  const answers: CoordinatorAnswers = new Map();
  const unique = [...new Set(keys)];
  if (unique.length === 0) return answers;
  const versions = connection.getSnapshot().context.versions;
  const batched = versions === null || versions.supports(FindCoordinatorApi, { min: BATCHED_MIN_VERSION });
  if (batched) {
    try {
      const response = await request(connection, FindCoordinatorApi, { keyType, coordinatorKeys: unique }, {
        timeoutMs,
        versions: { min: BATCHED_MIN_VERSION },
      });
      for (const c of response.coordinators ?? []) {
        answers.set(c.key, kafkaErrorOrNull(c.errorCode, c.errorMessage) ?? { key: c.key, nodeId: c.nodeId, host: c.host, port: c.port });
      }
      return answers;
    } catch (err) {
      // Versions were unknown before the connection was ready; an old broker lands here once.
      if ((err as { code?: string }).code !== 'UNSUPPORTED_VERSION') throw err;
    }
  }
  await Promise.all(
    unique.map(async (key) => {
      const r = await request(connection, FindCoordinatorApi, { key, keyType }, { timeoutMs, versions: { max: BATCHED_MIN_VERSION - 1 } });
      const error = kafkaErrorOrNull(r.errorCode ?? 0, r.errorMessage);
      answers.set(key, error ?? { key, nodeId: r.nodeId ?? -1, host: r.host ?? '', port: r.port ?? -1 });
    }),
  );
  return answers;
}

/** Coordinators found so far, by key type and key. */
export class CoordinatorCache {
  private readonly entries = new Map<string, Coordinator>();

  private static id(keyType: CoordinatorKeyType, key: string): string {
    return `${keyType}:${key}`;
  }

  get(keyType: CoordinatorKeyType, key: string): Coordinator | undefined {
    return this.entries.get(CoordinatorCache.id(keyType, key));
  }

  set(keyType: CoordinatorKeyType, coordinator: Coordinator): void {
    this.entries.set(CoordinatorCache.id(keyType, coordinator.key), coordinator);
  }

  /** Forget a coordinator after NOT_COORDINATOR or COORDINATOR_NOT_AVAILABLE. */
  invalidate(keyType: CoordinatorKeyType, key: string): void {
    this.entries.delete(CoordinatorCache.id(keyType, key));
  }

  /** Forget every coordinator on a broker that left the cluster. */
  invalidateNode(nodeId: number): void {
    for (const [id, c] of this.entries) if (c.nodeId === nodeId) this.entries.delete(id);
  }
}
