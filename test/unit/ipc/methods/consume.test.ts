import test from 'ava';
import { InvalidParamsError, UnknownGroupError, UnknownSubscriptionError } from '../../../../ipc/errors.js';
import { MethodTable } from '../../../../ipc/method-table.js';
import { endSilentNatsSubscriptions, messageOf, registerConsumeMethods, type ConsumeSpec } from '../../../../ipc/methods/consume.js';
import { SessionRegistry, type Session } from '../../../../ipc/session.js';
import { SubscriptionRegistry } from '../../../../ipc/subscriptions.js';
import { ConsumerCore } from '../../../../machines/consumer/consumer-core.js';
import type { Fetcher } from '../../../../machines/fetcher/fetcher-machine.js';
import { captureLogger } from '../log-capture.js';

const T = 'orders';

function setup(): {
  table: MethodTable;
  subscriptions: SubscriptionRegistry;
  opened: ConsumeSpec[];
  core: ConsumerCore;
  session: (transport?: 'unix' | 'nats') => { session: Session; notes: Array<[string, Record<string, unknown>]> };
  call: (name: string, params: unknown, session: Session) => Promise<unknown>;
} {
  const { logger } = captureLogger();
  const table = new MethodTable();
  const subscriptions = new SubscriptionRegistry();
  const opened: ConsumeSpec[] = [];
  const core = new ConsumerCore({ group: 'g', ordering: 'none', tickMs: 1_000_000 });
  core.attach(() => ({ assign: () => undefined, revoke: () => undefined }) as unknown as Fetcher);
  registerConsumeMethods(table, {
    source: {
      open: (spec) => {
        opened.push(spec);
        return core;
      },
      find: (group) => (group === 'g' ? core : undefined),
    },
    subscriptions,
    defaults: { maxInFlight: 10, ackTimeoutMs: 1000 },
  });
  const sessions = new SessionRegistry();
  return {
    table,
    subscriptions,
    opened,
    core,
    session: (transport = 'unix') => {
      const notes: Array<[string, Record<string, unknown>]> = [];
      return { session: sessions.open(transport, (m, p) => (notes.push([m, p as Record<string, unknown>]), true), logger), notes };
    },
    call: async (name, params, session) => {
      const m = table.get(name)!;
      return m.handler(m.params(params, 'params'), { session, logger });
    },
  };
}

test('subscribe checks topics xor pattern, the pattern, and a deliverSubject over NATS', async (t) => {
  const s = setup();
  t.teardown(() => s.core.detach());
  const { session } = s.session();
  for (const [params, field] of [
    [{ group: 'g' }, 'params'],
    [{ group: 'g', topics: [T], pattern: 'o.*' }, 'params'],
    [{ group: 'g', pattern: '(' }, 'params.pattern'],
    [{ group: 'g', topics: [T], ordering: 'random' }, 'params.ordering'],
    [{ group: 'g', topics: [T], maxInFlight: 0 }, 'params.maxInFlight'],
  ] as const) {
    const err = await t.throwsAsync(s.call('subscribe', params, session), { instanceOf: InvalidParamsError });
    t.is(err?.field, field, JSON.stringify(params));
  }
  const nats = s.session('nats').session;
  const err = await t.throwsAsync(s.call('subscribe', { group: 'g', topics: [T] }, nats), { instanceOf: InvalidParamsError });
  t.is(err?.field, 'params.deliverSubject');
  t.is(s.opened.length, 0, 'no consumer was started for bad params');
});

test('a subscription gets assigned and message notifications (json, with a base64 fallback); its session\'s end releases its messages', async (t) => {
  const s = setup();
  t.teardown(() => s.core.detach());
  const { session, notes } = s.session();
  const { subscription } = (await s.call('subscribe', { group: 'g', topics: [T], encoding: 'json' }, session)) as { subscription: string };
  t.deepEqual(s.opened, [{ group: 'g', topics: [T], pattern: undefined, from: undefined, ordering: 'partition' }]);
  t.deepEqual(notes, [], 'nothing before the answer has gone out');
  await new Promise((r) => setImmediate(r));
  s.core.onAssigned([{ topic: T, partition: 0, offset: 0n, committed: true }]);
  const record = (offset: number, value: string): { offset: bigint; timestamp: number; key: null; value: Buffer; headers: Array<[string, Buffer]> } => ({
    offset: BigInt(offset),
    timestamp: 5,
    key: null,
    value: Buffer.from(value),
    headers: [['h', Buffer.from('"x"')]],
  });
  s.core.fetcherConsumer.onBatch({ topic: T, partition: 0, records: [record(0, '{"a":1}'), record(1, 'not json')], nextOffset: 2n, highWatermark: 2n, bytes: 10, release: () => undefined });
  t.deepEqual(notes[0], ['assigned', { subscription, partitions: [{ topic: T, partition: 0 }] }]);
  t.deepEqual(notes[1], ['message', { subscription, topic: T, partition: 0, offset: '0', timestamp: 5, attempt: 1, key: null, value: { a: 1 }, headers: [['h', 'x']] }]);
  t.like(notes[2]?.[1], { offset: '1', encoding: 'base64', value: Buffer.from('not json').toString('base64') });
  t.is(notes.length, 3, 'ordering "partition": the next of the partition waits for the ack');
  t.deepEqual(s.subscriptions.list(), [{ subscription, session: session.id, group: 'g', topics: [T], inFlight: 2 }]);
  await session.close('gone');
  t.deepEqual(s.subscriptions.list(), []);
  t.is(s.core.status().inFlight, 0, 'released for redelivery');
  const err = await t.throwsAsync(s.call('ack', { subscription, messages: [{ topic: T, partition: 0, offset: '0' }] }, s.session().session), { instanceOf: UnknownSubscriptionError });
  t.is(err?.code, 'UNKNOWN_SUBSCRIPTION');
});

test('ack and nack name exactly one of subscription and group', async (t) => {
  const s = setup();
  t.teardown(() => s.core.detach());
  const { session } = s.session();
  const messages = [{ topic: T, partition: 0, offset: '0' }];
  const both = await t.throwsAsync(s.call('ack', { subscription: 'x', group: 'g', messages }, session), { instanceOf: InvalidParamsError });
  t.regex(both!.message, /exactly one of subscription/);
  const neither = await t.throwsAsync(s.call('nack', { messages }, session), { instanceOf: InvalidParamsError });
  t.regex(neither!.message, /got neither/);
  const unknownGroup = await t.throwsAsync(s.call('ack', { group: 'other', messages }, session), { instanceOf: UnknownGroupError });
  t.is(unknownGroup?.code, 'UNKNOWN_GROUP');
  const badOffset = await t.throwsAsync(s.call('ack', { group: 'g', messages: [{ topic: T, partition: 0, offset: 0 }] }, session), { instanceOf: InvalidParamsError });
  t.is(badOffset?.field, 'params.messages[0].offset');
});

test('messageOf keeps null keys and values (tombstones) and shows data in the requested encoding', (t) => {
  const d = { topic: T, partition: 1, offset: 7n, attempt: 2, session: 's', payload: { offset: 7n, timestamp: 1, key: Buffer.from([0xff]), value: null, headers: [['n', null]] as Array<[string, null]> } };
  t.deepEqual(messageOf(d, 'base64'), { topic: T, partition: 1, offset: '7', timestamp: 1, attempt: 2, key: '/w==', value: null, headers: [['n', null]] });
});

test('a NATS subscription that holds messages and stays silent for three ack timeouts is ended; socket ones and idle ones are not', (t) => {
  const subscriptions = new SubscriptionRegistry();
  const ended: string[] = [];
  const holding = (id: string): ConsumerCore => ({ inFlightOf: (x: string) => (x === id || id === '*' ? 2 : 0) }) as unknown as ConsumerCore;
  const add = (id: string, transport: 'unix' | 'nats', core: ConsumerCore, lastSeen: number): void =>
    subscriptions.add({ id, session: 's', transport, ackTimeoutMs: 1000, lastSeen, group: 'g', topics: [T], core, end: () => (ended.push(id), subscriptions.delete(id)) });
  add('nats-silent', 'nats', holding('nats-silent'), 0);
  add('nats-recent', 'nats', holding('nats-recent'), 2500);
  add('nats-idle', 'nats', holding('none'), 0);
  add('unix-silent', 'unix', holding('unix-silent'), 0);
  t.deepEqual(endSilentNatsSubscriptions(subscriptions, 3000), []);
  t.deepEqual(endSilentNatsSubscriptions(subscriptions, 3001), ['nats-silent']);
  t.deepEqual(ended, ['nats-silent']);
  t.deepEqual(subscriptions.all().map((e) => e.id), ['nats-recent', 'nats-idle', 'unix-silent']);
});
