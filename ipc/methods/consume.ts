/**
 * Consuming: subscribe (push, with `message` / `assigned` / `revoked` notifications), ack,
 * nack, unsubscribe, and fetch (pull, for callers that live for one request). The group
 * consumers themselves come from a ConsumerSource the daemon provides; this file turns params
 * into calls on them and records into the app's encoding.
 *
 * A subscription belongs to its session: when the session ends, the subscription ends and the
 * messages it had not acknowledged go back to be delivered again (attempt + 1).
 */
import { randomBytes } from 'node:crypto';
import { RevokedPartitionError as TrackerRevokedError, UnknownMessageError as TrackerUnknownError, type Delivery, type MessageRef, type Ordering } from '../../machines/fetcher/ack-tracker.js';
import type { ConsumerCore, Subscriber } from '../../machines/consumer/consumer-core.js';
import type { KafkaRecord } from '../../protocol/records/record-types.js';
import { encodeData, encodingParam, UndecodableDataError, type DataEncoding } from '../data-encoding.js';
import { InvalidParamsError, RevokedPartitionError, UnknownGroupError, UnknownMessageError, UnknownSubscriptionError } from '../errors.js';
import { method, type MethodTable } from '../method-table.js';
import { array, int64String, integer, object, oneOf, optional, params, string, withDefault } from '../params.js';
import type { SubscriptionRegistry } from '../subscriptions.js';
import { TransportName } from '../session.js';
import { topicName } from './admin.js';

/** What a subscribe or fetch asks of a group consumer. */
export interface ConsumeSpec {
  readonly group: string;
  readonly topics?: readonly string[];
  readonly pattern?: string;
  readonly from?: 'earliest' | 'latest';
  readonly ordering: Ordering;
}

/** The daemon's group consumers (daemon/consumers.ts). */
export interface ConsumerSource {
  /** The group's consumer, started if needed; throws InvalidParamsError when it runs with other topics or ordering. */
  open(spec: ConsumeSpec): ConsumerCore;
  find(group: string): ConsumerCore | undefined;
}

export interface ConsumeDefaults {
  readonly maxInFlight: number;
  readonly ackTimeoutMs: number;
}

const MAX_LEASE_MS = 24 * 3600_000;
const groupName = (): ReturnType<typeof string> => string({ minLength: 1, maxLength: 255 });

const subscribeParams = params({
  group: groupName(),
  topics: optional(array(topicName(), { minItems: 1, maxItems: 1000 })),
  pattern: optional(string({ minLength: 1, maxLength: 1000 })),
  from: optional(oneOf(['earliest', 'latest'] as const)),
  maxInFlight: optional(integer({ min: 1, max: 100_000 })),
  ordering: withDefault(oneOf(['partition', 'key', 'none'] as const), 'partition'),
  ackTimeoutMs: optional(integer({ min: 1, max: MAX_LEASE_MS })),
  encoding: encodingParam,
  deliverSubject: optional(string({ minLength: 1, maxLength: 1000 })),
});

const messageRef = object({
  topic: topicName(),
  partition: integer({ min: 0, max: 2 ** 31 - 1 }),
  offset: int64String({ min: 0n }),
});

const ackParams = params({
  subscription: optional(string({ minLength: 1, maxLength: 200 })),
  group: optional(groupName()),
  messages: array(messageRef, { minItems: 1, maxItems: 100_000 }),
});

const nackParams = params({
  subscription: optional(string({ minLength: 1, maxLength: 200 })),
  group: optional(groupName()),
  messages: array(messageRef, { minItems: 1, maxItems: 100_000 }),
  delayMs: withDefault(integer({ min: 0, max: MAX_LEASE_MS }), 0),
});

const unsubscribeParams = params({ subscription: string({ minLength: 1, maxLength: 200 }) });

const fetchParams = params({
  group: groupName(),
  topics: array(topicName(), { minItems: 1, maxItems: 1000 }),
  max: withDefault(integer({ min: 1, max: 10_000 }), 100),
  waitMs: withDefault(integer({ min: 0, max: 60_000 }), 1000),
  ackTimeoutMs: optional(integer({ min: 1, max: MAX_LEASE_MS })),
  from: optional(oneOf(['earliest', 'latest'] as const)),
  encoding: encodingParam,
});

/** A record as the app sees it (the `message` notification without `subscription`, and fetch's items). */
export function messageOf(d: Delivery<KafkaRecord>, encoding: DataEncoding): Record<string, unknown> {
  const r = d.payload;
  const base = { topic: d.topic, partition: d.partition, offset: d.offset.toString(), timestamp: r.timestamp, attempt: d.attempt };
  try {
    return {
      ...base,
      key: encodeData(r.key, encoding),
      value: encodeData(r.value, encoding),
      headers: r.headers.map(([name, value]) => [name, encodeData(value, encoding)]),
    };
  } catch (err) {
    if (!(err instanceof UndecodableDataError)) throw err;
    // Not JSON under "json": the record still arrives, its data in base64, and says so.
    return {
      ...base,
      encoding: 'base64',
      key: encodeData(r.key, 'base64'),
      value: encodeData(r.value, 'base64'),
      headers: r.headers.map(([name, value]) => [name, encodeData(value, 'base64')]),
    };
  }
}

/** Tracker errors as the IPC errors of the contract. */
function translate(error: unknown): unknown {
  if (error instanceof TrackerRevokedError) return new RevokedPartitionError(error.ref.topic, error.ref.partition);
  if (error instanceof TrackerUnknownError) return new UnknownMessageError(error.ref.topic, error.ref.partition, error.ref.offset.toString());
  return error;
}

function exactlyOne(p: { subscription?: string; group?: string }): void {
  if ((p.subscription === undefined) === (p.group === undefined)) {
    throw new InvalidParamsError('params', 'exactly one of subscription (push) and group (fetch leases)', p.subscription === undefined ? 'neither' : 'both');
  }
}

/** A NATS subscription holding messages with no ack or nack for this many ack timeouts is taken for gone. */
export const NATS_SILENCE_ACK_TIMEOUTS = 3;

/**
 * Ends NATS subscriptions whose app is gone. A socket's close ends its session, but a NATS
 * deliver subject says nothing when the app behind it dies: its leases would expire and come
 * back to it forever. One that holds messages and has not acked or nacked for
 * NATS_SILENCE_ACK_TIMEOUTS ack timeouts is ended, and its messages go to the others.
 */
export function endSilentNatsSubscriptions(subscriptions: SubscriptionRegistry, now: number): string[] {
  const ended: string[] = [];
  for (const entry of subscriptions.all()) {
    if (entry.transport !== TransportName.nats || entry.core.inFlightOf(entry.id) === 0) continue;
    if (now - entry.lastSeen <= NATS_SILENCE_ACK_TIMEOUTS * entry.ackTimeoutMs) continue;
    entry.end();
    ended.push(entry.id);
  }
  return ended;
}

export function registerConsumeMethods(table: MethodTable, deps: { source: ConsumerSource; subscriptions: SubscriptionRegistry; defaults: ConsumeDefaults }): void {
  const { source, subscriptions, defaults } = deps;
  setInterval(() => endSilentNatsSubscriptions(subscriptions, Date.now()), 1000).unref();

  const coreFor = (p: { subscription?: string; group?: string }): ConsumerCore => {
    exactlyOne(p);
    if (p.subscription !== undefined) {
      const entry = subscriptions.get(p.subscription);
      if (entry === undefined) throw new UnknownSubscriptionError(p.subscription);
      entry.lastSeen = Date.now();
      return entry.core;
    }
    const core = source.find(p.group as string);
    if (core === undefined) throw new UnknownGroupError(p.group as string);
    return core;
  };

  table.register(
    'subscribe',
    method('Joins a consumer group; messages then arrive as `message` notifications until unsubscribe or the session ends.', subscribeParams, async (p, ctx) => {
      if ((p.topics === undefined) === (p.pattern === undefined)) {
        throw new InvalidParamsError('params', 'exactly one of topics and pattern', p.topics === undefined ? 'neither' : 'both');
      }
      if (p.pattern !== undefined) {
        try {
          new RegExp(p.pattern);
        } catch (err) {
          throw new InvalidParamsError('params.pattern', 'a regular expression', `"${p.pattern}" (${(err as Error).message})`);
        }
      }
      const session = ctx.session;
      if (session.transport === TransportName.nats && p.deliverSubject === undefined) {
        throw new InvalidParamsError('params.deliverSubject', 'the NATS subject to publish messages to (required over NATS)', 'nothing');
      }
      const core = source.open({ group: p.group, topics: p.topics, pattern: p.pattern, from: p.from, ordering: p.ordering ?? 'partition' });
      const id = `sub-${randomBytes(9).toString('base64url')}`;
      const encoding = p.encoding ?? 'utf8';
      const ackTimeoutMs = p.ackTimeoutMs ?? defaults.ackTimeoutMs;
      const subscriber: Subscriber = {
        id,
        maxInFlight: p.maxInFlight ?? defaults.maxInFlight,
        ackTimeoutMs,
        deliver: (d) => session.notify('message', { subscription: id, ...messageOf(d, encoding) }),
        assigned: (partitions) => void session.notify('assigned', { subscription: id, partitions }),
        revoked: (partitions) => void session.notify('revoked', { subscription: id, partitions }),
      };
      const end = (): void => {
        subscriptions.delete(id);
        core.removeSubscriber(id);
      };
      const forget = session.onClose(end);
      subscriptions.add({
        id,
        session: session.id,
        transport: session.transport,
        ackTimeoutMs,
        lastSeen: Date.now(),
        group: p.group,
        topics: p.topics ?? [`/${p.pattern}/`],
        core,
        end: () => {
          forget();
          end();
        },
      });
      // Deliveries start after the answer has gone out, so the app knows the subscription id first.
      setImmediate(() => {
        if (subscriptions.get(id) !== undefined) core.addSubscriber(subscriber);
      });
      return { subscription: id };
    }),
  );

  table.register(
    'unsubscribe',
    method('Ends a subscription; its unacknowledged messages are delivered again.', unsubscribeParams, async (p) => {
      const entry = subscriptions.get(p.subscription);
      if (entry === undefined) throw new UnknownSubscriptionError(p.subscription);
      entry.end();
      return {};
    }),
  );

  table.register(
    'ack',
    method('Acknowledges delivered messages (by subscription, or by group for fetched ones); answers {acked}.', ackParams, async (p) => {
      const core = coreFor(p);
      try {
        return { acked: core.ack(p.messages as MessageRef[]) };
      } catch (error) {
        throw translate(error);
      }
    }),
  );

  table.register(
    'nack',
    method('Hands delivered messages back for redelivery after delayMs (attempt + 1); answers {requeued}.', nackParams, async (p) => {
      const core = coreFor(p);
      try {
        return { requeued: core.nack(p.messages as MessageRef[], p.delayMs ?? 0) };
      } catch (error) {
        throw translate(error);
      }
    }),
  );

  table.register(
    'fetch',
    method('Pull mode: up to max messages of a group, leased until acked with ack {group, messages} or until ackTimeoutMs.', fetchParams, async (p) => {
      const core = source.open({ group: p.group, topics: p.topics, from: p.from, ordering: 'none' });
      const deliveries = await core.pull(p.max ?? 100, p.waitMs ?? 1000, p.ackTimeoutMs ?? defaults.ackTimeoutMs);
      return { messages: deliveries.map((d) => messageOf(d, p.encoding ?? 'utf8')) };
    }),
  );
}
