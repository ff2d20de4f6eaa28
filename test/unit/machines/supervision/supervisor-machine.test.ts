import test from 'ava';
import { createActor, fromCallback, setup, SimulatedClock, type AnyActorRef } from 'xstate';
import { SupervisionEscalatedError } from '../../../../machines/supervision/restart-budget.js';
import { createSupervisorMachine, SUPERVISOR_STOP, supervisorInput } from '../../../../machines/supervision/supervisor-machine.js';

/** A child that fails when told to and finishes when told to; counts its starts. */
let starts = 0;
const child = setup({
  types: { input: {} as { name: string }, events: {} as { type: 'fail' } | { type: 'finish' } },
  actions: {
    boom: () => {
      throw new Error('child broke');
    },
  },
}).createMachine({
  entry: () => void starts++,
  initial: 'up',
  states: { up: { on: { fail: { actions: 'boom' }, finish: 'done' } }, done: { type: 'final' } },
});

const supervisor = createSupervisorMachine(child);

function start(maxRestarts = 2) {
  starts = 0;
  const clock = new SimulatedClock();
  const errors: unknown[] = [];
  const actor = createActor(supervisor, {
    clock,
    input: supervisorInput(child, {
      childSystemId: 'worker:1',
      childInput: { name: 'w' },
      policy: { maxRestarts, windowMs: 10_000, backoff: { minMs: 100, maxMs: 1000, jitter: 0 } },
      stableAfterMs: 5000,
      now: () => clock.now(),
    }),
  });
  actor.subscribe({ error: (e) => errors.push(e) });
  actor.start();
  const worker = (): AnyActorRef | undefined => actor.system.get('worker:1') as AnyActorRef | undefined;
  return { actor, clock, errors, worker };
}

test('a failed child is restarted after the backoff delay, under the same system id', (t) => {
  const { actor, clock, worker } = start();
  t.is(starts, 1);
  t.truthy(worker());
  worker()?.send({ type: 'fail' });
  t.is(actor.getSnapshot().value, 'restarting');
  t.is(worker(), undefined, 'nothing answers under the id while the child is down');
  clock.increment(99);
  t.is(starts, 1);
  clock.increment(1);
  t.is(actor.getSnapshot().value, 'running');
  t.is(starts, 2);
  t.truthy(worker());
  t.is(actor.getSnapshot().context.restarts, 1);
  t.is((actor.getSnapshot().context.lastError as Error).message, 'child broke');
});

test('the backoff grows with consecutive failures and resets once the child was stable', (t) => {
  const { actor, clock, worker } = start(10);
  worker()?.send({ type: 'fail' });
  t.is(actor.getSnapshot().context.restartDelayMs, 100);
  clock.increment(100);
  worker()?.send({ type: 'fail' });
  t.is(actor.getSnapshot().context.restartDelayMs, 200);
  clock.increment(200);
  clock.increment(5000);
  worker()?.send({ type: 'fail' });
  t.is(actor.getSnapshot().context.restartDelayMs, 100);
});

test('more failures than the policy allows within the window escalate: the supervisor fails with SupervisionEscalatedError', (t) => {
  const { actor, clock, errors, worker } = start(2);
  worker()?.send({ type: 'fail' });
  clock.increment(100);
  worker()?.send({ type: 'fail' });
  clock.increment(200);
  t.is(errors.length, 0);
  worker()?.send({ type: 'fail' });
  t.is(actor.getSnapshot().status, 'error');
  t.is(errors.length, 1);
  const error = errors[0] as SupervisionEscalatedError;
  t.true(error instanceof SupervisionEscalatedError);
  t.is(error.childId, 'worker:1');
  t.is(error.failures, 3);
  t.is(worker(), undefined, 'the child is stopped');
});

test('a child that finishes by itself ends the supervisor', (t) => {
  const { actor, worker } = start();
  worker()?.send({ type: 'finish' });
  t.is(actor.getSnapshot().status, 'done');
  t.is(actor.getSnapshot().value, 'finished');
});

test('a supervisor inside a parent reports its escalation to the parent as xstate.error.actor', (t) => {
  starts = 0;
  const clock = new SimulatedClock();
  const seen: string[] = [];
  const parent = setup({ actors: { supervisor } }).createMachine({
    invoke: {
      id: 'sup',
      src: 'supervisor',
      input: supervisorInput(child, {
        childSystemId: 'worker:2',
        childInput: { name: 'w' },
        policy: { maxRestarts: 0, windowMs: 1000, backoff: { minMs: 1, maxMs: 1 } },
        stableAfterMs: 1000,
      }),
      onError: { actions: ({ event }) => void seen.push((event.error as Error).name) },
    },
  });
  const actor = createActor(parent, { clock }).start();
  (actor.system.get('worker:2') as AnyActorRef).send({ type: 'fail' });
  t.deepEqual(seen, ['SupervisionEscalatedError']);
  t.is(actor.getSnapshot().status, 'active', 'the parent decided to carry on');
});

/**
 * A child with a grandchild machine that holds a resource (a callback actor with cleanup) and a
 * resource of its own: XState leaves both running when the child fails by throwing.
 */
function parentWithResources(released: string[]) {
  const resource = (name: string) =>
    fromCallback(() => () => {
      released.push(name);
    });
  const grandchild = setup({ actors: { socket: resource('grandchild socket') } }).createMachine({ invoke: { src: 'socket' } });
  return setup({
    types: { events: {} as { type: 'fail' } },
    actors: { lane: grandchild, timer: resource('child timer') },
  }).createMachine({
    invoke: [
      { id: 'lane', src: 'lane' },
      { id: 'timer', src: 'timer' },
    ],
    on: {
      fail: {
        actions: () => {
          throw new Error('child broke');
        },
      },
    },
  });
}

for (const maxRestarts of [1, 0]) {
  test(`the failed child's descendants are stopped when it is ${maxRestarts > 0 ? 'restarted' : 'escalated'}`, (t) => {
    const released: string[] = [];
    const machine = createSupervisorMachine(parentWithResources(released));
    const clock = new SimulatedClock();
    const actor = createActor(machine, {
      clock,
      input: { childSystemId: 'parent', childInput: {}, policy: { maxRestarts, windowMs: 10_000, backoff: { minMs: 100, maxMs: 100, jitter: 0 } }, stableAfterMs: 5000, now: () => clock.now() },
    });
    actor.subscribe({ error: () => undefined });
    actor.start();
    const child = actor.system.get('parent') as AnyActorRef;
    t.deepEqual(released, [], 'nothing released while the child runs');
    child.send({ type: 'fail' });
    t.deepEqual(released.sort(), ['child timer', 'grandchild socket']);
    t.is(actor.getSnapshot().status, maxRestarts > 0 ? 'active' : 'error');
  });
}


test('supervisor.stop drops a restart that waits for its backoff: the supervisor finishes and the child stays down', (t) => {
  const { actor, clock, errors, worker } = start();
  worker()?.send({ type: 'fail' });
  t.is(actor.getSnapshot().value, 'restarting');
  actor.send(SUPERVISOR_STOP);
  t.is(actor.getSnapshot().status, 'done');
  clock.increment(10_000);
  t.is(starts, 1);
  t.is(worker(), undefined);
  t.deepEqual(errors, []);
});

test('after supervisor.stop a failing child is neither restarted nor escalated', (t) => {
  const { actor, clock, errors, worker } = start(0);
  actor.send(SUPERVISOR_STOP);
  t.is(actor.getSnapshot().value, 'running');
  worker()?.send({ type: 'fail' });
  t.is(actor.getSnapshot().status, 'done');
  clock.increment(10_000);
  t.is(starts, 1);
  t.deepEqual(errors, [], 'maxRestarts 0 would have escalated');
});
