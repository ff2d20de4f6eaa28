/**
 * Consuming with the client: a Subscription is an async iterable of the messages pushed for
 * it (each with ack() / nack()), and an emitter of its `assigned` / `revoked` partitions.
 * Breaking out of the loop or calling close() unsubscribes; unacked messages are then
 * delivered again by the daemon.
 */
import { EventEmitter } from 'node:events';
import type { Notification } from './transport.js';

export interface TopicPartitionRef {
  readonly topic: string;
  readonly partition: number;
}

/** A consumed record as the daemon sends it; key, value and header values in the requested encoding. */
export interface ConsumedMessage {
  readonly topic: string;
  readonly partition: number;
  /** Decimal string (int64 stays exact). */
  readonly offset: string;
  readonly key: unknown;
  readonly value: unknown;
  readonly headers: ReadonlyArray<readonly [string, unknown]>;
  readonly timestamp: number;
  /** Deliveries of this record so far, 1 the first time. */
  readonly attempt: number;
  /** Present ("base64") when the record's data could not be shown in the requested "json" encoding. */
  readonly encoding?: 'base64';
}

export interface SubscriptionMessage extends ConsumedMessage {
  readonly subscription: string;
  ack(): Promise<void>;
  /** Redelivered after delayMs with attempt + 1. */
  nack(delayMs?: number): Promise<void>;
}

export interface SubscribeOptions {
  readonly group: string;
  readonly topics?: readonly string[];
  readonly pattern?: string;
  readonly from?: 'earliest' | 'latest';
  readonly maxInFlight?: number;
  readonly ordering?: 'partition' | 'key' | 'none';
  readonly ackTimeoutMs?: number;
  readonly encoding?: 'utf8' | 'base64' | 'json';
}

export interface SubscriptionEvents {
  assigned: [TopicPartitionRef[]];
  revoked: [TopicPartitionRef[]];
}

/** What a Subscription needs of its client. */
export interface SubscriptionLink {
  call(method: string, params: Record<string, unknown>): Promise<unknown>;
}

export class Subscription extends EventEmitter<SubscriptionEvents> implements AsyncIterable<SubscriptionMessage> {
  private closed = false;

  constructor(
    readonly id: string,
    private readonly link: SubscriptionLink,
    /** Every notification of the client since before the subscribe call (the first messages may precede its answer). */
    private readonly source: AsyncIterableIterator<Notification>,
  ) {
    super();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<SubscriptionMessage> {
    try {
      for await (const n of this.source) {
        const p = n.params as { subscription?: unknown; partitions?: TopicPartitionRef[] } | undefined;
        if (p?.subscription !== this.id) continue;
        if (n.method === 'assigned' || n.method === 'revoked') {
          this.emit(n.method, p.partitions ?? []);
          continue;
        }
        if (n.method !== 'message') continue;
        yield this.withAcks(n.params as ConsumedMessage & { subscription: string });
      }
    } finally {
      await this.close();
    }
  }

  /** Unsubscribes (idempotent); messages not acked are delivered again, to this app or another. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.source.return?.();
    await this.link.call('unsubscribe', { subscription: this.id }).catch(() => undefined);
  }

  private withAcks(m: ConsumedMessage & { subscription: string }): SubscriptionMessage {
    const ref = { topic: m.topic, partition: m.partition, offset: m.offset };
    return {
      ...m,
      ack: async () => {
        await this.link.call('ack', { subscription: this.id, messages: [ref] });
      },
      nack: async (delayMs?: number) => {
        await this.link.call('nack', { subscription: this.id, messages: [ref], ...(delayMs === undefined ? {} : { delayMs }) });
      },
    };
  }
}
