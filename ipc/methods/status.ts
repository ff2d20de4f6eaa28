/**
 * status: what the daemon is doing, for people and health checks. The actor and subscription
 * lists come from a source the daemon provides (the actor system), so this file knows nothing
 * of machines; sessions come from the IPC layer's own registry.
 */
import { method, type MethodDefinition } from '../method-table.js';
import { params, type Infer } from '../params.js';
import type { SessionInfo, SessionRegistry } from '../session.js';

export interface ActorStatus {
  /** The actor's system id, e.g. "cluster", "broker:1", "group:orders". */
  readonly id: string;
  /** The machine it runs, e.g. "connection". */
  readonly machine: string;
  /** Its current state value as XState reports it (a string or a nested object). */
  readonly state: unknown;
}

export interface SubscriptionStatus {
  readonly subscription: string;
  readonly session: string;
  readonly group: string;
  readonly topics: readonly string[];
  readonly inFlight: number;
}

/** A consumer group the daemon consumes: partitions it holds, records fetched and not yet acknowledged, leased ones. */
export interface ConsumerStatus {
  readonly group: string;
  readonly assigned: number;
  readonly buffered: number;
  readonly inFlight: number;
  readonly subscribers: number;
}

/** Where status reads the live actors and subscriptions from; supplied by the daemon. */
export interface StatusSource {
  actors(): readonly ActorStatus[];
  subscriptions(): readonly SubscriptionStatus[];
  consumers?(): readonly ConsumerStatus[];
  transactions?(): readonly TransactionStatus[];
}

/** A transaction an app began and has not ended. */
export interface TransactionStatus {
  readonly transaction: string;
  readonly transactionalId: string;
  readonly session: string;
  readonly startedAt: string;
  readonly deadline: string;
}

export interface StatusResult {
  readonly version: string;
  readonly startedAt: string;
  readonly uptimeMs: number;
  readonly actors: readonly ActorStatus[];
  readonly sessions: readonly SessionInfo[];
  readonly subscriptions: readonly SubscriptionStatus[];
  readonly consumers?: readonly ConsumerStatus[];
  readonly transactions?: readonly TransactionStatus[];
}

const statusParams = params({});

export function statusMethod(deps: {
  version: string;
  startedAt: Date;
  sessions: SessionRegistry;
  source: StatusSource;
  now?: () => number;
}): MethodDefinition<Infer<typeof statusParams>, StatusResult> {
  const now = deps.now ?? Date.now;
  return method('Reports the version, uptime, actors with their machine and state, sessions, subscriptions, consumer groups and open transactions.', statusParams, async () => ({
    version: deps.version,
    startedAt: deps.startedAt.toISOString(),
    uptimeMs: Math.max(0, now() - deps.startedAt.getTime()),
    actors: deps.source.actors(),
    sessions: deps.sessions.list(),
    subscriptions: deps.source.subscriptions(),
    consumers: deps.source.consumers?.() ?? [],
    transactions: deps.source.transactions?.() ?? [],
  }));
}
