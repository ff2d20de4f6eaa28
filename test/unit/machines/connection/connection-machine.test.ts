/**
 * Every state and transition of the connection machine, with the steps (dial, negotiate,
 * authenticate) replaced by promises the test settles, and a SimulatedClock for timers.
 */
import test from 'ava';
import { createActor, fromPromise, SimulatedClock } from 'xstate';
import { connectionMachine } from '../../../../machines/connection/connection-machine.js';
import {
  ConnectionClosedError,
  ConnectionRefusedError,
  ConnectTimeoutError,
  SaslAuthenticationError,
  type ConnectionError,
} from '../../../../machines/connection/errors.js';
import type { ConnectionOptions } from '../../../../machines/connection/options.js';
import type { RequestPipeline } from '../../../../machines/connection/pipeline.js';
import type { SaslSession } from '../../../../machines/connection/sasl/authenticate.js';
import { ApiVersionTable } from '../../../../machines/connection/versions.js';

/** Stands in for a RequestPipeline: the machine only closes, pauses and watches it. */
class FakeLink {
  closed = false;
  paused = false;
  private listeners: Array<(e: ConnectionError) => void> = [];
  readonly options = { broker: 'b:9092' };
  onClose(listener: (e: ConnectionError) => void): () => void {
    this.listeners.push(listener);
    return () => (this.listeners = this.listeners.filter((l) => l !== listener));
  }
  close(): void {
    this.closed = true;
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  /** The socket dies under the connection. */
  die(error: ConnectionError): void {
    this.closed = true;
    for (const l of this.listeners) l(error);
  }
}

interface Call<T> {
  input: unknown;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function step<T, I>() {
  const calls: Array<Call<T>> = [];
  const logic = fromPromise<T, I>(({ input }) => new Promise<T>((resolve, reject) => calls.push({ input, resolve, reject })));
  return { calls, logic, last: (): Call<T> => calls[calls.length - 1] };
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));
const versions = new ApiVersionTable([{ apiKey: 3, minVersion: 0, maxVersion: 12 }]);

const baseOptions: ConnectionOptions = {
  host: 'b',
  port: 9092,
  clientId: 't',
  connectTimeoutMs: 5000,
  requestTimeoutMs: 1000,
  maxInFlight: 4,
  backoff: { minMs: 100, maxMs: 800, jitter: 0 },
  stableAfterMs: 10_000,
  random: () => 0.5,
};

function start(options: Partial<ConnectionOptions> = {}) {
  const dial = step<RequestPipeline, ConnectionOptions>();
  const negotiate = step<ApiVersionTable, { pipeline: RequestPipeline; options: ConnectionOptions }>();
  const authenticate = step<SaslSession, { pipeline: RequestPipeline; versions: ApiVersionTable; options: ConnectionOptions }>();
  const clock = new SimulatedClock();
  const errors: unknown[] = [];
  const machine = connectionMachine.provide({
    actors: { openLink: dial.logic, negotiate: negotiate.logic, authenticate: authenticate.logic },
  });
  const actor = createActor(machine, { clock, input: { ...baseOptions, ...options } });
  actor.subscribe({ error: (e) => errors.push(e) });
  actor.start();
  const state = (): unknown => actor.getSnapshot().value;
  /** Drives a fresh attempt to ready; returns the link. */
  const connect = async (sessionLifetimeMs = 0): Promise<FakeLink> => {
    const link = new FakeLink();
    dial.last().resolve(link as unknown as RequestPipeline);
    await flush();
    negotiate.last().resolve(versions);
    await flush();
    if (actor.getSnapshot().matches({ connecting: 'authenticating' })) {
      authenticate.last().resolve({ sessionLifetimeMs });
      await flush();
    }
    return link;
  };
  return { actor, clock, errors, dial, negotiate, authenticate, state, connect };
}

const sasl = { mechanism: 'PLAIN', username: 'u', password: 'p' } as const;

test('without SASL: dialing -> negotiating -> ready.serving, with the versions in context', async (t) => {
  const c = start();
  t.deepEqual(c.state(), { connecting: 'dialing' });
  const link = new FakeLink();
  c.dial.last().resolve(link as unknown as RequestPipeline);
  await flush();
  t.deepEqual(c.state(), { connecting: 'negotiating' });
  t.is(c.actor.getSnapshot().context.pipeline as unknown, link);
  c.negotiate.last().resolve(versions);
  await flush();
  t.deepEqual(c.state(), { ready: 'serving' });
  t.is(c.actor.getSnapshot().context.versions, versions);
  t.is(c.authenticate.calls.length, 0);
});

test('with SASL: negotiating -> authenticating -> ready', async (t) => {
  const c = start({ sasl });
  c.dial.last().resolve(new FakeLink() as unknown as RequestPipeline);
  await flush();
  c.negotiate.last().resolve(versions);
  await flush();
  t.deepEqual(c.state(), { connecting: 'authenticating' });
  c.authenticate.last().resolve({ sessionLifetimeMs: 0 });
  await flush();
  t.deepEqual(c.state(), { ready: 'serving' });
});

test('a dial failure backs off, then dials again; delays grow per attempt', async (t) => {
  const c = start();
  c.dial.last().reject(new ConnectionRefusedError('refused', 'b:9092'));
  await flush();
  t.is(c.state(), 'backoff');
  t.is(c.actor.getSnapshot().context.backoffMs, 100);
  t.is((c.actor.getSnapshot().context.lastError as ConnectionError).code, 'CONNECTION_REFUSED');
  c.clock.increment(99);
  t.is(c.state(), 'backoff');
  c.clock.increment(1);
  t.deepEqual(c.state(), { connecting: 'dialing' });
  t.is(c.dial.calls.length, 2);
  c.dial.last().reject(new ConnectionRefusedError('refused', 'b:9092'));
  await flush();
  t.is(c.actor.getSnapshot().context.backoffMs, 200);
  c.clock.increment(200);
  c.dial.last().reject(new ConnectionRefusedError('refused', 'b:9092'));
  await flush();
  t.is(c.actor.getSnapshot().context.backoffMs, 400);
  c.clock.increment(400);
  c.dial.last().reject(new ConnectionRefusedError('refused', 'b:9092'));
  await flush();
  c.clock.increment(800);
  c.dial.last().reject(new ConnectionRefusedError('refused', 'b:9092'));
  await flush();
  t.is(c.actor.getSnapshot().context.backoffMs, 800, 'capped at maxMs');
});

test('a negotiation failure closes the link and backs off', async (t) => {
  const c = start();
  const link = new FakeLink();
  c.dial.last().resolve(link as unknown as RequestPipeline);
  await flush();
  c.negotiate.last().reject(new ConnectionClosedError('gone'));
  await flush();
  t.is(c.state(), 'backoff');
  t.true(link.closed);
  t.is(c.actor.getSnapshot().context.pipeline, null);
});

test('an authentication failure backs off (no reconnect storm) and keeps the error', async (t) => {
  const c = start({ sasl });
  const link = new FakeLink();
  c.dial.last().resolve(link as unknown as RequestPipeline);
  await flush();
  c.negotiate.last().resolve(versions);
  await flush();
  c.authenticate.last().reject(new SaslAuthenticationError('PLAIN', 'u', 'bad password'));
  await flush();
  t.is(c.state(), 'backoff');
  t.true(link.closed);
  t.is((c.actor.getSnapshot().context.lastError as ConnectionError).code, 'SASL_AUTHENTICATION_FAILED');
  c.clock.increment(50);
  t.is(c.dial.calls.length, 1, 'no new attempt before the backoff delay');
});

test('the connect timeout covers dialing, negotiating and authenticating, and names the phase', async (t) => {
  const c = start({ sasl });
  c.dial.last().resolve(new FakeLink() as unknown as RequestPipeline);
  c.clock.increment(3000);
  await flush();
  c.negotiate.last().resolve(versions);
  await flush();
  t.deepEqual(c.state(), { connecting: 'authenticating' });
  c.clock.increment(2000);
  t.is(c.state(), 'backoff');
  const error = c.actor.getSnapshot().context.lastError as ConnectTimeoutError;
  t.true(error instanceof ConnectTimeoutError);
  t.is(error.phase, 'authenticating');
  t.regex(error.message, /b:9092: no connection within 5000 ms \(still authenticating\)/);
});

test('the connect timeout while dialing says so', (t) => {
  const c = start();
  c.clock.increment(5000);
  t.is(c.state(), 'backoff');
  t.is((c.actor.getSnapshot().context.lastError as ConnectTimeoutError).phase, 'in the TCP handshake');
});

test('a link that dies while negotiating or while ready leads to backoff, then a new attempt', async (t) => {
  const c = start();
  const first = new FakeLink();
  c.dial.last().resolve(first as unknown as RequestPipeline);
  await flush();
  first.die(new ConnectionClosedError('reset'));
  t.is(c.state(), 'backoff');
  c.clock.increment(100);
  const second = await c.connect();
  t.deepEqual(c.state(), { ready: 'serving' });
  second.die(new ConnectionClosedError('broker stopped'));
  t.is(c.state(), 'backoff');
  t.regex((c.actor.getSnapshot().context.lastError as Error).message, /broker stopped/);
  c.clock.increment(200);
  t.deepEqual(c.state(), { connecting: 'dialing' });
});

test('a stable period in ready resets the backoff to its first step', async (t) => {
  const c = start();
  for (let i = 0; i < 3; i++) {
    c.dial.last().reject(new ConnectionRefusedError('refused'));
    await flush();
    c.clock.increment(c.actor.getSnapshot().context.backoffMs);
  }
  let link = await c.connect();
  link.die(new ConnectionClosedError('blip'));
  t.is(c.actor.getSnapshot().context.backoffMs, 800, 'an unstable ready keeps growing the delay');
  c.clock.increment(800);
  link = await c.connect();
  c.clock.increment(10_000);
  t.is(c.actor.getSnapshot().context.attempt, 0);
  link.die(new ConnectionClosedError('later'));
  t.is(c.actor.getSnapshot().context.backoffMs, 100);
});

test('KIP-368: re-authenticates between 85% and 95% of the session lifetime, holding requests meanwhile', async (t) => {
  const c = start({ sasl, random: () => 0.5 });
  const link = await c.connect(10_000);
  t.deepEqual(c.state(), { ready: 'serving' });
  c.clock.increment(8999);
  t.deepEqual(c.state(), { ready: 'serving' });
  c.clock.increment(1);
  t.deepEqual(c.state(), { ready: 'reauthenticating' });
  t.true(link.paused);
  t.is(c.authenticate.calls.length, 2);
  c.authenticate.last().resolve({ sessionLifetimeMs: 20_000 });
  await flush();
  t.deepEqual(c.state(), { ready: 'serving' });
  t.false(link.paused);
  c.clock.increment(18_000);
  t.deepEqual(c.state(), { ready: 'reauthenticating' }, 'the new lifetime schedules the next one');
});

test('a failed re-authentication drops the link and backs off', async (t) => {
  const c = start({ sasl });
  const link = await c.connect(1000);
  c.clock.increment(900);
  c.authenticate.last().reject(new SaslAuthenticationError('PLAIN', 'u', 'password changed'));
  await flush();
  t.is(c.state(), 'backoff');
  t.true(link.closed);
});

test('no session lifetime, no re-authentication', async (t) => {
  const c = start({ sasl });
  await c.connect(0);
  c.clock.increment(1_000_000);
  t.deepEqual(c.state(), { ready: 'serving' });
  t.is(c.authenticate.calls.length, 1);
});

test('an unexpected error (a bug, not a broker problem) fails the actor for its supervisor', async (t) => {
  const c = start();
  c.dial.last().reject(new TypeError('undefined is not a function'));
  await flush();
  t.is(c.actor.getSnapshot().status, 'error');
  t.is((c.errors[0] as Error).name, 'TypeError');
});

for (const where of ['dialing', 'ready', 'backoff'] as const) {
  test(`connection.close from ${where} ends in closed and closes the link`, async (t) => {
    const c = start();
    let link: FakeLink | undefined;
    if (where === 'ready') link = await c.connect();
    if (where === 'backoff') {
      c.dial.last().reject(new ConnectionRefusedError('refused'));
      await flush();
    }
    c.actor.send({ type: 'connection.close' });
    t.is(c.state(), 'closed');
    t.is(c.actor.getSnapshot().status, 'done');
    if (link) t.true(link.closed);
  });
}

test('stopping the actor closes its link (no exit actions run on stop, the link owner cleans up)', async (t) => {
  const c = start();
  const link = await c.connect();
  c.actor.stop();
  t.true(link.closed);
});
