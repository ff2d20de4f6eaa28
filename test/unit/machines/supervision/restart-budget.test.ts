import test from 'ava';
import { RestartBudget, RestartPolicyError, SupervisionEscalatedError } from '../../../../machines/supervision/restart-budget.js';

const policy = { maxRestarts: 3, windowMs: 1000, backoff: { minMs: 10, maxMs: 50, jitter: 0 } };

function budget(clock: { now: number }) {
  return new RestartBudget('broker:1', policy, () => clock.now, () => 0);
}

test('restarts with growing, capped backoff until the limit, then escalates naming child, count, window and cause', (t) => {
  const clock = { now: 0 };
  const b = budget(clock);
  t.deepEqual(b.onFailure(new Error('a')), { kind: 'restart', attempt: 0, delayMs: 10 });
  clock.now = 100;
  t.deepEqual(b.onFailure(new Error('b')), { kind: 'restart', attempt: 1, delayMs: 20 });
  clock.now = 200;
  t.deepEqual(b.onFailure(new Error('c')), { kind: 'restart', attempt: 2, delayMs: 40 });
  clock.now = 300;
  const decision = b.onFailure(new Error('last straw'));
  if (decision.kind !== 'escalate') return t.fail('expected escalation');
  t.true(decision.error instanceof SupervisionEscalatedError);
  t.is(decision.error.code, 'SUPERVISION_ESCALATED');
  t.false(decision.error.retriable);
  t.is(decision.error.childId, 'broker:1');
  t.is(decision.error.failures, 4);
  t.is((decision.error.cause as Error).message, 'last straw');
  t.regex(decision.error.message, /broker:1 failed 4 times within 1000 ms, giving up: last straw/);
});

test('failures older than the window are forgotten', (t) => {
  const clock = { now: 0 };
  const b = budget(clock);
  for (let i = 0; i < 3; i++) t.is(b.onFailure(new Error('x')).kind, 'restart');
  t.is(b.recentFailures, 3);
  clock.now = 1000;
  t.is(b.recentFailures, 0, 'a failure exactly windowMs ago is out of the window');
  t.is(b.onFailure(new Error('y')).kind, 'restart');
});

test('a stable child backs off from the first step again, but its failures still count in the window', (t) => {
  const clock = { now: 0 };
  const b = budget(clock);
  b.onFailure(new Error('1'));
  b.onFailure(new Error('2'));
  b.onStable();
  const d = b.onFailure(new Error('3'));
  t.deepEqual(d, { kind: 'restart', attempt: 0, delayMs: 10 });
  t.is(b.onFailure(new Error('4')).kind, 'escalate');
});

test('maxRestarts 0 escalates on the first failure', (t) => {
  const b = new RestartBudget('x', { ...policy, maxRestarts: 0 });
  t.is(b.onFailure(new Error('boom')).kind, 'escalate');
});

test('bad policies are refused', (t) => {
  t.throws(() => new RestartBudget('x', { ...policy, maxRestarts: -1 }), { instanceOf: RestartPolicyError, message: /maxRestarts must be an integer >= 0, got -1/ });
  t.throws(() => new RestartBudget('x', { ...policy, windowMs: 0 }), { message: /windowMs must be a positive number, got 0/ });
  t.throws(() => new RestartBudget('x', { ...policy, backoff: { minMs: 5, maxMs: 1 } }), { message: /maxMs/ });
});
