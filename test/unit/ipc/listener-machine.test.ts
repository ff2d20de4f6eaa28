import test from 'ava';
import { setTimeout as tick } from 'node:timers/promises';
import { createActor, SimulatedClock, type AnyActorRef } from 'xstate';
import { listenerMachine, listenerSystemId, listening, stopListener, type ListenerInput } from '../../../ipc/listener-machine.js';
import type { ListenerEvents, ListenerTransport } from '../../../ipc/listener-transport.js';
import { SessionRegistry, TransportName } from '../../../ipc/session.js';
import { SupervisionEscalatedError } from '../../../machines/supervision/restart-budget.js';
import { createSupervisorMachine, supervisorInput } from '../../../machines/supervision/supervisor-machine.js';
import { captureLogger } from './log-capture.js';

/** A transport driven by the test: start resolves or rejects on demand, events are fired by hand. */
class FakeTransport implements ListenerTransport {
  events: ListenerEvents | null = null;
  readonly calls: string[] = [];
  private settle: { resolve: () => void; reject: (err: Error) => void } | null = null;

  start(events: ListenerEvents): Promise<void> {
    this.events = events;
    this.calls.push('start');
    return new Promise((resolve, reject) => (this.settle = { resolve, reject }));
  }

  listen(): void {
    this.settle?.resolve();
  }

  refuse(err: Error): void {
    this.settle?.reject(err);
  }

  stop(graceMs: number): Promise<void> {
    this.calls.push(`stop ${graceMs}`);
    return Promise.resolve();
  }

  abort(): Promise<void> {
    this.calls.push('abort');
    return Promise.resolve();
  }
}

function fakeListener(transport: TransportName = TransportName.unix): { input: ListenerInput; opened: FakeTransport[] } {
  const opened: FakeTransport[] = [];
  return {
    opened,
    input: {
      transport,
      open: () => {
        const t = new FakeTransport();
        opened.push(t);
        return t;
      },
    },
  };
}

function startListener(input: ListenerInput) {
  const errors: unknown[] = [];
  const actor = createActor(listenerMachine, { input });
  actor.subscribe({ error: (err) => errors.push(err) });
  actor.start();
  return { actor, errors };
}

test('starting → listening → reconnecting while the link is down → listening → stopping → stopped', async (t) => {
  const { input, opened } = fakeListener(TransportName.nats);
  const { actor } = startListener(input);
  t.is(actor.getSnapshot().value, 'starting');
  const transport = opened[0]!;
  const up = listening(actor);
  transport.listen();
  await up;
  t.is(actor.getSnapshot().value, 'listening');
  transport.events!.down('disconnected from NATS at 127.0.0.1:4222');
  t.is(actor.getSnapshot().value, 'reconnecting');
  t.is(actor.getSnapshot().context.reason, 'disconnected from NATS at 127.0.0.1:4222');
  transport.events!.up();
  t.is(actor.getSnapshot().value, 'listening');
  t.is(actor.getSnapshot().context.reason, null);
  await stopListener(actor, 250);
  t.is(actor.getSnapshot().status, 'done');
  t.is(actor.getSnapshot().value, 'stopped');
  t.deepEqual(transport.calls, ['start', 'stop 250'], 'a graceful stop, no abort');
  t.is(opened.length, 1);
});

test('a transport that cannot start fails the actor with its own error; listening() rejects with it', async (t) => {
  const { input, opened } = fakeListener();
  const { actor, errors } = startListener(input);
  const up = listening(actor);
  const refused = new Error('another process is listening on /tmp/x.sock');
  opened[0]!.refuse(refused);
  t.is(await t.throwsAsync(up), refused);
  t.is(actor.getSnapshot().status, 'error');
  t.deepEqual(errors, [refused]);
});

test('a failure while listening or reconnecting fails the actor; a late listening event is ignored', async (t) => {
  for (const reconnecting of [false, true]) {
    const { input, opened } = fakeListener(TransportName.nats);
    const { actor, errors } = startListener(input);
    opened[0]!.listen();
    await listening(actor);
    if (reconnecting) opened[0]!.events!.down('gone');
    const lost = new Error('the NATS connection closed');
    opened[0]!.events!.failed(lost);
    t.is(actor.getSnapshot().status, 'error');
    t.deepEqual(errors, [lost]);
    // The transport released itself before reporting: the actor does not abort it again.
    opened[0]!.events!.up();
    t.deepEqual(opened[0]!.calls, ['start']);
  }
});

test('stopping while still starting waits for the start, then stops what came up', async (t) => {
  const { input, opened } = fakeListener();
  const { actor } = startListener(input);
  const stopped = stopListener(actor, 100);
  t.is(actor.getSnapshot().value, 'stopping');
  await tick(5);
  t.deepEqual(opened[0]!.calls, ['start'], 'no stop before the start settled');
  opened[0]!.listen();
  await stopped;
  t.deepEqual(opened[0]!.calls, ['start', 'stop 100']);
  t.is(actor.getSnapshot().value, 'stopped');
});

test('an actor stopped from outside (its supervisor, the root) aborts its transport', async (t) => {
  const { input, opened } = fakeListener();
  const { actor } = startListener(input);
  opened[0]!.listen();
  await listening(actor);
  actor.stop();
  await tick(0);
  t.deepEqual(opened[0]!.calls, ['start', 'abort']);
});

test('each long-lived session is a child session:<id> that follows the session to draining and closed', async (t) => {
  const { input, opened } = fakeListener();
  const { actor } = startListener(input);
  opened[0]!.listen();
  await listening(actor);
  const registry = new SessionRegistry();
  const { logger } = captureLogger();
  const first = registry.open(TransportName.unix, () => true, logger);
  const second = registry.open(TransportName.unix, () => true, logger);
  opened[0]!.events!.session(first);
  opened[0]!.events!.session(second);
  const session = (id: string) => actor.system.get(id) as AnyActorRef | undefined;
  t.is(session('session:unix:1')?.getSnapshot().value, 'open');
  t.is((session('session:unix:2') as { _parent?: unknown } | undefined)?._parent, actor, 'the listener is its parent in the actor tree');
  t.deepEqual(Object.keys(actor.getSnapshot().children), ['transport'], 'kept out of the snapshot, which XState copies per spawn');
  first.drain();
  await tick(0);
  t.is(session('session:unix:1')?.getSnapshot().value, 'draining');
  const closing = session('session:unix:1')!;
  await first.close('app left');
  await tick(0);
  t.is(closing.getSnapshot().status, 'done');
  t.is(session('session:unix:1'), undefined, 'a closed session leaves the system');
  t.is(session('session:unix:2')?.getSnapshot().value, 'open', 'the other session is untouched');
  await second.close('done');
  await tick(0);
  t.is(session('session:unix:2'), undefined);
  t.is(actor.getSnapshot().value, 'listening');
});

test('listenerSystemId names the actors ipc:unix and ipc:nats', (t) => {
  t.is(listenerSystemId(TransportName.unix), 'ipc:unix');
  t.is(listenerSystemId(TransportName.nats), 'ipc:nats');
});

const listenerSupervisor = createSupervisorMachine(listenerMachine);

test('under a supervisor: a failed listener restarts with a fresh transport after the backoff; past the budget it escalates', async (t) => {
  const { input, opened } = fakeListener();
  const clock = new SimulatedClock();
  const errors: unknown[] = [];
  const supervisor = createActor(listenerSupervisor, {
    clock,
    input: supervisorInput(listenerMachine, {
      childSystemId: 'ipc:unix',
      childInput: input,
      policy: { maxRestarts: 1, windowMs: 60_000, backoff: { minMs: 100, maxMs: 1000, jitter: 0 } },
      stableAfterMs: 30_000,
      now: () => clock.now(),
    }),
  });
  supervisor.subscribe({ error: (err) => errors.push(err) });
  supervisor.start();
  const current = () => supervisor.system.get('ipc:unix') as AnyActorRef | undefined;
  opened[0]!.listen();
  await listening(current());
  opened[0]!.events!.failed(new Error('the socket file /tmp/s.sock was removed'));
  t.is(supervisor.getSnapshot().value, 'restarting');
  t.is(current(), undefined);
  clock.increment(100);
  t.is(opened.length, 2, 'a new transport for the new run');
  opened[1]!.listen();
  await listening(current());
  opened[1]!.events!.failed(new Error('the socket file /tmp/s.sock was removed'));
  t.is(supervisor.getSnapshot().status, 'error');
  t.true(errors[0] instanceof SupervisionEscalatedError);
  t.regex((errors[0] as Error).message, /ipc:unix failed 2 times within 60000 ms, giving up: the socket file \/tmp\/s\.sock was removed/);
});
