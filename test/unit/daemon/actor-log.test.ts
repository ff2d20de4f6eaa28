import test from 'ava';
import { Writable } from 'node:stream';
import { assign, createActor, setup } from 'xstate';
import { ActorLog } from '../../../daemon/actor-log.js';
import { createLogger } from '../../../daemon/logger.js';

const SECRET = 'hunter2-in-the-context';

function logged(): { log: ActorLog; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  const logger = createLogger({ level: 'trace', pretty: false, destination: stream });
  return {
    log: new ActorLog(logger),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** A connection-like machine: a secret in its context, failures recorded as lastError. */
const machine = setup({
  types: {
    context: {} as { password: string; lastError: Error | null },
    events: {} as { type: 'fail'; message: string } | { type: 'recover' } | { type: 'same' } | { type: 'crash' },
  },
}).createMachine({
  id: 'link',
  context: { password: SECRET, lastError: null },
  initial: 'ready',
  states: {
    ready: { on: { fail: { target: 'backoff', actions: assign({ lastError: ({ event }) => new Error(event.message) }) } } },
    backoff: {
      on: {
        recover: { target: 'ready', actions: assign({ lastError: null }) },
        same: 'retrying',
        fail: { target: 'backoff', reenter: true, actions: assign({ lastError: ({ event }) => new Error(event.message) }) },
      },
    },
    retrying: {
      on: {
        crash: {
          actions: () => {
            throw new Error('bug in link');
          },
        },
      },
    },
  },
});

test('state changes at debug, each new failure once at warn; never the context', (t) => {
  const { log, lines } = logged();
  const actor = createActor(machine, { inspect: log.inspect, systemId: 'broker:1:control' });
  actor.subscribe({ error: () => undefined });
  actor.start();
  actor.send({ type: 'fail', message: 'refused' });
  actor.send({ type: 'same' }); // a new state, the same lastError: no second warning

  const out = lines();
  const changes = out.filter((l) => l.level === 20).map((l) => l.msg);
  t.deepEqual(changes, ['broker:1:control: (start) -> ready', 'broker:1:control: ready -> backoff', 'broker:1:control: backoff -> retrying']);
  const warnings = out.filter((l) => l.level === 40);
  t.is(warnings.length, 1);
  t.is(warnings[0]?.msg, 'broker:1:control: refused');
  t.is(warnings[0]?.actorId, 'broker:1:control');
  t.is(warnings[0]?.machine, 'link');
  t.is((warnings[0]?.err as { message?: string }).message, 'refused');
  t.false(JSON.stringify(out).includes(SECRET));
});

test('an actor failed by a child it does not supervise is logged at error, with that error', (t) => {
  const { log, lines } = logged();
  const parent = setup({ actors: { link: machine } }).createMachine({ id: 'broker', invoke: { id: 'lane', src: 'link' } });
  const actor = createActor(parent, { inspect: log.inspect, systemId: 'broker:1' });
  actor.subscribe({ error: () => undefined });
  actor.start();
  const lane = actor.getSnapshot().children.lane!;
  lane.send({ type: 'fail', message: 'refused' });
  lane.send({ type: 'same' });
  lane.send({ type: 'crash' });
  const errors = lines().filter((l) => l.level === 50);
  t.is(errors.length, 1);
  t.is(errors[0]?.msg, 'broker:1 failed');
  t.is(errors[0]?.machine, 'broker');
  t.is((errors[0]?.err as { message?: string }).message, 'bug in link');
});

test('a second failure with a new error is logged again; a recovery is only a state change', (t) => {
  const { log, lines } = logged();
  const actor = createActor(machine, { inspect: log.inspect });
  actor.start();
  actor.send({ type: 'fail', message: 'first' });
  actor.send({ type: 'fail', message: 'second' });
  actor.send({ type: 'recover' });
  actor.stop();
  const out = lines();
  t.deepEqual(out.filter((l) => l.level === 40).map((l) => l.msg), [`${actor.id}: first`, `${actor.id}: second`]);
  t.is(out.filter((l) => l.level === 50).length, 0);
  t.regex(String(out.at(-1)?.msg), /stopped$/);
});

test('promise and callback actors are not logged, only machines', (t) => {
  const { log, lines } = logged();
  log.inspect({ type: '@xstate.snapshot', actorRef: { sessionId: 'x.1', id: 'x', logic: {} } as never, rootId: 'x.0', snapshot: { status: 'active' } as never, event: { type: 'e' } });
  t.deepEqual(lines(), []);
});
