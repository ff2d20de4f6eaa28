/**
 * The live subscriptions of all sessions, by id. Ids are random, so an `ack` may name its
 * subscription from any session (over NATS, acks arrive on `<prefix>.ack` as calls of their
 * own, outside the deliver-subject session that subscribed).
 */
import type { ConsumerCore } from '../machines/consumer/consumer-core.js';
import type { SubscriptionStatus } from './methods/status.js';

export interface SubscriptionEntry {
  readonly id: string;
  readonly session: string;
  readonly transport: 'unix' | 'nats';
  readonly ackTimeoutMs: number;
  /** When the app last acked or nacked through this subscription (or subscribed). */
  lastSeen: number;
  readonly group: string;
  readonly topics: readonly string[];
  readonly core: ConsumerCore;
  /** Ends the subscription (releases its messages) and forgets its session cleanup. */
  readonly end: () => void;
}

export class SubscriptionRegistry {
  private readonly entries = new Map<string, SubscriptionEntry>();

  add(entry: SubscriptionEntry): void {
    this.entries.set(entry.id, entry);
  }

  get(id: string): SubscriptionEntry | undefined {
    return this.entries.get(id);
  }

  delete(id: string): void {
    this.entries.delete(id);
  }

  all(): SubscriptionEntry[] {
    return [...this.entries.values()];
  }

  list(): SubscriptionStatus[] {
    return [...this.entries.values()].map((e) => ({
      subscription: e.id,
      session: e.session,
      group: e.group,
      topics: e.topics,
      inFlight: e.core.inFlightOf(e.id),
    }));
  }
}
