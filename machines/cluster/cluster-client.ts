/**
 * What the producer, the groups and the IPC layer use to reach the cluster: the current
 * metadata, requests to a broker by node id and lane, coordinator lookup, and forced metadata
 * refreshes. A plain object over the cluster actor; it reads snapshots and looks actors up in
 * the system, and sends the cluster an event only to ask for a refresh.
 */
import type { ApiDescriptor } from '../../protocol/api.js';
import { KafkaProtocolError } from '../../protocol/errors/kafka-error.js';
import { request, type RequestOptions } from '../connection/connection-client.js';
import type { ConnectionActor } from '../connection/connection-machine.js';
import { ConnectionError, RequestTimeoutError } from '../connection/errors.js';
import { brokerLane, brokerSystemId, Lane, type BrokerActor } from './broker-machine.js';
import type { ClusterActor, ClusterSnapshot } from './cluster-machine.js';
import { CoordinatorKeyType, findCoordinators, type Coordinator } from './coordinators.js';
import { BrokerUnavailableError, ClusterStoppedError } from './errors.js';
import type { ClusterMetadata } from './metadata.js';

/** Errors after which the metadata is probably stale. */
function suggestsStaleMetadata(error: unknown): boolean {
  if (error instanceof KafkaProtocolError) return error.refreshMetadata;
  if (error instanceof ConnectionError) return error.retriable;
  return error instanceof BrokerUnavailableError;
}

export class ClusterClient {
  constructor(readonly actor: ClusterActor) {}

  get metadata(): ClusterMetadata {
    return this.actor.getSnapshot().context.metadata;
  }

  /** Resolves with the metadata once bootstrapped; rejects with the bootstrap error if it fails within `timeoutMs`. */
  whenReady(timeoutMs: number): Promise<ClusterMetadata> {
    return this.waitFor(
      (s) => (s.matches('ready') ? s.context.metadata : null),
      (s) => (s.matches('bootstrapBackoff') ? s.context.lastError : null),
      timeoutMs,
      'cluster bootstrap',
    );
  }

  /** Forces a refresh and resolves with the metadata it produces. */
  refreshMetadata(timeoutMs: number): Promise<ClusterMetadata> {
    const before = this.metadata.updatedAt;
    const failuresBefore = this.actor.getSnapshot().context.failures;
    this.actor.send({ type: 'metadata.refresh' });
    return this.waitFor(
      (s) => (s.context.metadata.updatedAt > before ? s.context.metadata : null),
      (s) => (s.context.failures > failuresBefore ? s.context.lastError : null),
      timeoutMs,
      'metadata refresh',
    );
  }

  /** Asks for a metadata refresh when `error` says the metadata is stale; returns whether it did. */
  noteError(error: unknown): boolean {
    if (!suggestsStaleMetadata(error)) return false;
    this.actor.send({ type: 'metadata.refresh' });
    return true;
  }

  broker(nodeId: number): BrokerActor {
    const snapshot = this.actor.getSnapshot();
    if (snapshot.status !== 'active') throw new ClusterStoppedError(`the cluster actor is ${snapshot.status}`);
    if (!snapshot.context.metadata.brokers.has(nodeId)) throw new BrokerUnavailableError(nodeId, 'not in the cluster metadata');
    const broker = this.actor.system.get(brokerSystemId(nodeId)) as BrokerActor | undefined;
    if (!broker || broker.getSnapshot().status !== 'active') throw new BrokerUnavailableError(nodeId, 'its actor is restarting');
    return broker;
  }

  connection(nodeId: number, lane: Lane): ConnectionActor {
    return brokerLane(this.broker(nodeId), lane);
  }

  /** One request to broker `nodeId` on `lane`. Failures that suggest stale metadata trigger a refresh. */
  async request<Req, Res>(nodeId: number, lane: Lane, api: ApiDescriptor<Req, Res>, body: Req, options?: RequestOptions): Promise<Res> {
    try {
      return await request(this.connection(nodeId, lane), api, body, options);
    } catch (error) {
      this.noteError(error);
      throw error;
    }
  }

  /**
   * The coordinator of a group or transactional id, cached until `coordinatorMoved`. Retriable
   * answers (COORDINATOR_NOT_AVAILABLE while __consumer_offsets is being created) are asked
   * again with backoff until `timeoutMs` has passed.
   */
  async findCoordinator(keyType: CoordinatorKeyType, key: string, timeoutMs: number): Promise<Coordinator> {
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; ; attempt++) {
      const known = this.actor.getSnapshot().context.coordinators.get(keyType, key);
      if (known) return known;
      const remaining = deadline - Date.now();
      let answer: Coordinator | Error | undefined;
      try {
        answer = (await this.findCoordinators(keyType, [key], Math.max(1, remaining))).get(key);
      } catch (error) {
        answer = error as Error;
      }
      if (answer && !(answer instanceof Error)) return answer;
      const retriable = answer === undefined || (answer as { retriable?: boolean }).retriable === true;
      const delay = Math.min(1000, 50 * 2 ** attempt);
      if (!retriable || Date.now() + delay >= deadline) {
        throw answer ?? new RequestTimeoutError('FindCoordinator', timeoutMs, `no answer for "${key}"`);
      }
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  /** Looks up many keys in as few requests as the broker allows; caches what it finds. */
  async findCoordinators(keyType: CoordinatorKeyType, keys: readonly string[], timeoutMs: number): Promise<Map<string, Coordinator | KafkaProtocolError>> {
    const nodeId = this.anyBroker();
    const answers = await findCoordinators(this.connection(nodeId, Lane.control), keyType, keys, timeoutMs);
    const cache = this.actor.getSnapshot().context.coordinators;
    for (const answer of answers.values()) if (!(answer instanceof Error)) cache.set(keyType, answer);
    return answers;
  }

  /** Forget a coordinator after NOT_COORDINATOR or COORDINATOR_NOT_AVAILABLE. */
  coordinatorMoved(keyType: CoordinatorKeyType, key: string): void {
    this.actor.getSnapshot().context.coordinators.invalidate(keyType, key);
  }

  /** A broker to send cluster-wide requests to: one whose control lane is ready when there is one. */
  anyBroker(): number {
    const ids = [...this.metadata.brokers.keys()];
    if (ids.length === 0) throw new BrokerUnavailableError(-1, 'the cluster metadata lists no brokers yet');
    const ready = ids.find((id) => {
      const broker = this.actor.system.get(brokerSystemId(id)) as BrokerActor | undefined;
      return broker?.getSnapshot().context.lanes.control?.getSnapshot().matches('ready') ?? false;
    });
    return ready ?? ids[Math.floor(Math.random() * ids.length)];
  }

  private waitFor<T>(
    done: (s: ClusterSnapshot) => T | null,
    failed: (s: ClusterSnapshot) => Error | null,
    timeoutMs: number,
    what: string,
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      let finished = false;
      const check = (s: ClusterSnapshot): void => {
        if (finished) return;
        if (s.status !== 'active') return finish(new ClusterStoppedError(`the cluster actor is ${s.status}`));
        const value = done(s);
        if (value !== null) return finish(null, value);
        const error = failed(s);
        if (error) finish(error);
      };
      const finish = (error: Error | null, value?: T): void => {
        finished = true;
        clearTimeout(timer);
        subscription?.unsubscribe();
        if (error) reject(error);
        else resolve(value as T);
      };
      const timer = setTimeout(() => {
        const last = this.actor.getSnapshot().context.lastError;
        finish(new RequestTimeoutError(what, timeoutMs, last ? `last error: ${last.message}` : ''));
      }, timeoutMs);
      let subscription: { unsubscribe(): void } | undefined;
      check(this.actor.getSnapshot());
      if (!finished) {
        subscription = this.actor.subscribe({
          next: check,
          error: (err) => finish(new ClusterStoppedError(`the cluster actor failed: ${(err as Error)?.message}`, { cause: err })),
        });
      }
    });
  }
}

export { CoordinatorKeyType, Lane };
