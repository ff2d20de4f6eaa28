/**
 * The app-side client: `connect()` to the daemon over its Unix socket or NATS, then `call` any
 * method, or use the typed helpers. Notifications come as 'notification' events and as async
 * iterables; 'disconnected' / 'reconnected' events report the link. After a reconnect the
 * client says hello again so the new session carries the app's name.
 */
import { EventEmitter } from 'node:events';
import type { HelloResult } from '../ipc/methods/hello.js';
import type { StatusResult } from '../ipc/methods/status.js';
import { ConnectError, ConnectionLostError } from './errors.js';
import { NatsClientTransport, type NatsTransportOptions } from './nats-transport.js';
import { NotificationQueue } from './notification-queue.js';
import { Subscription, type ConsumedMessage, type SubscribeOptions } from './subscription.js';
import type { ClientTransport, Notification } from './transport.js';
import { UnixClientTransport, type UnixTransportOptions } from './unix-transport.js';

export type { HelloResult, StatusResult };

export interface FetchOptions {
  readonly max?: number;
  readonly waitMs?: number;
  readonly ackTimeoutMs?: number;
  readonly from?: 'earliest' | 'latest';
  readonly encoding?: 'utf8' | 'base64' | 'json';
}

/** A message to ack or nack: its place. */
export interface MessageRef {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** One message for produce(); key, value and header values in the call's encoding (utf8 strings by default). */
export interface ProduceMessage {
  readonly key?: unknown;
  readonly value: unknown;
  readonly headers?: readonly (readonly [string, unknown])[] | Readonly<Record<string, unknown>>;
  readonly partition?: number;
  /** Milliseconds since the epoch; the daemon's clock when absent. */
  readonly timestamp?: number;
}

export interface ProduceOptions {
  readonly acks?: 'all' | 'leader' | 'none';
  /** A handle from beginTransaction: the messages commit or abort with that transaction. */
  readonly transaction?: string;
  readonly encoding?: 'utf8' | 'base64' | 'json';
  readonly timeoutMs?: number;
}

export type ProduceResult = { readonly partition: number; readonly offset: string } | { readonly error: { readonly code: string; readonly message: string; readonly retriable: boolean } };

export interface ProduceReply {
  readonly results: ProduceResult[];
}

export interface BeginTransactionResult {
  /** The handle to pass to produce, sendOffsetsToTransaction, commitTransaction and abortTransaction. */
  readonly transaction: string;
  readonly transactionalId: string;
  /** When the daemon aborts the transaction if it is still open (ISO 8601). */
  readonly deadline: string;
}

/** A consumer offset to commit with a transaction: the next offset to read. */
export interface TransactionOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly metadata?: string | null;
}

/**
 * What sendOffsetsToTransaction commits: explicit offsets of a group, or the messages the app
 * consumed (through a subscription, or fetched for a group), which are acknowledged when the
 * transaction commits and delivered again when it aborts.
 */
export type TransactionOffsetsSource =
  | { readonly group: string; readonly offsets: readonly TransactionOffset[] }
  | { readonly subscription: string; readonly messages: readonly MessageRef[] }
  | { readonly group: string; readonly messages: readonly MessageRef[] };

interface CommonOptions {
  /** The app's name, sent in hello and shown in the daemon's status and logs. */
  readonly client?: string;
  /** Default timeout of a call; default 30 s. */
  readonly timeoutMs?: number;
}

export type ConnectOptions =
  | (CommonOptions & { readonly socketPath: string; readonly reconnect?: UnixTransportOptions['reconnect']; readonly maxLineBytes?: number })
  | (CommonOptions & { readonly nats: NatsTransportOptions });

export interface ClientEvents {
  notification: [Notification];
  disconnected: [string];
  reconnected: [];
}

export class SidecarClient extends EventEmitter<ClientEvents> {
  private readonly transport: ClientTransport;
  private readonly options: CommonOptions;
  private readonly queues = new Set<{ queue: NotificationQueue; method: string | undefined }>();
  /** The daemon's answer to the latest hello. */
  server: HelloResult | null = null;

  constructor(transport: ClientTransport, options: CommonOptions = {}) {
    super();
    this.transport = transport;
    this.options = options;
    transport.setListener({
      notification: (n) => {
        this.emit('notification', n);
        for (const { queue, method } of this.queues) if (method === undefined || method === n.method) queue.push(n);
      },
      link: (state, reason) => {
        if (state === 'disconnected') {
          this.emit('disconnected', reason ?? 'link lost');
          return;
        }
        // Errors from this hello surface on the next call; the event still tells the app the link is back.
        this.hello().then(
          () => this.emit('reconnected'),
          () => this.emit('reconnected'),
        );
      },
    });
  }

  /** Where NATS notifications for this client go (pass as deliverSubject); null over the Unix socket. */
  get deliverSubject(): string | null {
    return this.transport instanceof NatsClientTransport ? this.transport.deliverSubject : null;
  }

  /** Calls a method; resolves with its result or rejects with SidecarError/KafkaError or a connection error. */
  call<R = unknown>(method: string, params: Record<string, unknown> = {}, options: { timeoutMs?: number } = {}): Promise<R> {
    return this.transport.request(method, params, options.timeoutMs ?? this.options.timeoutMs ?? 30_000) as Promise<R>;
  }

  /** Sends a JSON-RPC notification (no answer, errors are not reported). */
  notify(method: string, params: Record<string, unknown> = {}): Promise<void> {
    return this.transport.notify(method, params);
  }

  async hello(): Promise<HelloResult> {
    const p: Record<string, unknown> = this.options.client === undefined ? {} : { client: this.options.client };
    // Over NATS the deliver subject is the session: naming it puts the client name on that session.
    if (this.deliverSubject !== null) p.deliverSubject = this.deliverSubject;
    const result = await this.call<HelloResult>('hello', p);
    this.server = result;
    return result;
  }

  /**
   * Produces messages to a topic; resolves once the broker acknowledged them (unless acks is
   * "none") with one result per message, in order: {partition, offset} or {error}.
   */
  produce(topic: string, messages: readonly ProduceMessage[], options: ProduceOptions = {}): Promise<ProduceReply> {
    const p: Record<string, unknown> = { topic, messages };
    if (options.acks !== undefined) p.acks = options.acks;
    if (options.encoding !== undefined) p.encoding = options.encoding;
    if (options.transaction !== undefined) p.transaction = options.transaction;
    return this.call<ProduceReply>('produce', p, { timeoutMs: options.timeoutMs });
  }

  /**
   * Begins a transaction with `transactionalId`; it is aborted if this client's session ends
   * (over NATS: if its timeout passes) before commitTransaction or abortTransaction.
   */
  beginTransaction(transactionalId: string, options: { timeoutMs?: number } = {}): Promise<BeginTransactionResult> {
    const p: Record<string, unknown> = { transactionalId };
    if (options.timeoutMs !== undefined) p.timeoutMs = options.timeoutMs;
    // Over NATS the deliver subject is the session the transaction belongs to.
    if (this.deliverSubject !== null) p.deliverSubject = this.deliverSubject;
    return this.call<BeginTransactionResult>('beginTransaction', p);
  }

  /** Adds consumer offsets to a transaction (consume-transform-produce); answers the offsets it added. */
  async sendOffsetsToTransaction(transaction: string, source: TransactionOffsetsSource): Promise<TransactionOffset[]> {
    const p: Record<string, unknown> = { transaction, ...source };
    if ('messages' in source) p.messages = source.messages.map((m) => ({ topic: m.topic, partition: m.partition, offset: m.offset }));
    const { offsets } = await this.call<{ offsets: TransactionOffset[] }>('sendOffsetsToTransaction', p);
    return offsets;
  }

  /** Commits a transaction; a TRANSACTION_ABORTABLE error means: abort it, then begin again. */
  async commitTransaction(transaction: string): Promise<void> {
    await this.call('commitTransaction', { transaction });
  }

  async abortTransaction(transaction: string): Promise<void> {
    await this.call('abortTransaction', { transaction });
  }

  /**
   * Subscribes to a group's topics (or pattern); iterate the result for messages, ack each.
   * Over NATS the client's deliver subject receives them.
   */
  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const p: Record<string, unknown> = { ...options };
    if (this.deliverSubject !== null) p.deliverSubject = this.deliverSubject;
    // Collect from before the call: the first messages may arrive before its answer.
    const source = this.notifications();
    try {
      const { subscription } = await this.call<{ subscription: string }>('subscribe', p);
      return new Subscription(subscription, this, source);
    } catch (err) {
      await source.return?.();
      throw err;
    }
  }

  /** Pull mode: up to max messages of the group, leased until acked with ack(group, ...) or until ackTimeoutMs. */
  async fetch(group: string, topics: readonly string[], options: FetchOptions = {}): Promise<ConsumedMessage[]> {
    const timeoutMs = (options.waitMs ?? 1000) + (this.options.timeoutMs ?? 30_000);
    const { messages } = await this.call<{ messages: ConsumedMessage[] }>('fetch', { group, topics, ...options }, { timeoutMs });
    return messages;
  }

  /** Acknowledges fetched messages of a group; answers how many were newly acknowledged. */
  async ack(group: string, messages: readonly MessageRef[]): Promise<number> {
    const refs = messages.map((m) => ({ topic: m.topic, partition: m.partition, offset: m.offset }));
    const { acked } = await this.call<{ acked: number }>('ack', { group, messages: refs });
    return acked;
  }

  /** Hands fetched messages back for redelivery after delayMs. */
  async nack(group: string, messages: readonly MessageRef[], delayMs?: number): Promise<number> {
    const refs = messages.map((m) => ({ topic: m.topic, partition: m.partition, offset: m.offset }));
    const { requeued } = await this.call<{ requeued: number }>('nack', { group, messages: refs, ...(delayMs === undefined ? {} : { delayMs }) });
    return requeued;
  }

  status(): Promise<StatusResult> {
    return this.call<StatusResult>('status');
  }

  /** Notifications (of one method, or all) as an async iterable; it ends when the client closes or the loop breaks. */
  notifications(method?: string): AsyncIterableIterator<Notification> {
    const entry = { queue: undefined as unknown as NotificationQueue, method };
    entry.queue = new NotificationQueue(() => this.queues.delete(entry));
    this.queues.add(entry);
    return entry.queue;
  }

  async close(): Promise<void> {
    for (const { queue } of this.queues) queue.end();
    this.queues.clear();
    await this.transport.close();
  }
}

/** Connects and says hello; rejects with ConnectError when the daemon cannot be reached. */
export async function connect(options: ConnectOptions): Promise<SidecarClient> {
  const transport =
    'nats' in options
      ? await NatsClientTransport.open(options.nats)
      : await UnixClientTransport.open({ socketPath: options.socketPath, reconnect: options.reconnect, maxLineBytes: options.maxLineBytes });
  const client = new SidecarClient(transport, options);
  try {
    await client.hello();
  } catch (err) {
    await client.close();
    // No daemon answered the first call: for the app that is a failed connect, not a lost link.
    throw err instanceof ConnectionLostError ? new ConnectError(err.message) : err;
  }
  return client;
}
