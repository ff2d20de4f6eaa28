import test from 'ava';
import { setTimeout as tick } from 'node:timers/promises';
import { sessionSystemId, startSessionActor } from '../../../ipc/session-machine.js';
import { Session, TransportName } from '../../../ipc/session.js';
import { captureLogger } from './log-capture.js';

function session(): Session {
  return new Session('unix:7', TransportName.unix, () => true, captureLogger().logger);
}

test('open → draining → closed, following the session', async (t) => {
  const s = session();
  const actor = startSessionActor(s);
  t.is(actor.getSnapshot().value, 'open');
  t.like(actor.getSnapshot().context, { id: 'unix:7', transport: 'unix' });
  s.drain();
  await tick(0);
  t.is(actor.getSnapshot().value, 'draining');
  await s.close('app left');
  await tick(0);
  t.is(actor.getSnapshot().value, 'closed');
  t.is(actor.getSnapshot().status, 'done');
});

test('a session closed without draining first still passes through draining, then closes', async (t) => {
  const s = session();
  const actor = startSessionActor(s);
  const seen: unknown[] = [];
  actor.subscribe((snapshot) => seen.push(snapshot.value));
  await s.close('connection reset');
  await tick(0);
  t.deepEqual(seen, ['draining', 'closed']);
});

test('an actor for a session that had already closed ends at once', async (t) => {
  const s = session();
  await s.close('gone');
  const actor = startSessionActor(s);
  await tick(0);
  t.is(actor.getSnapshot().status, 'done');
});

test('calls do not reach the actor: only the lifecycle moves it', async (t) => {
  const s = session();
  const actor = startSessionActor(s);
  const inspected: string[] = [];
  actor.system.inspect((e) => void (e.type === '@xstate.event' && inspected.push(e.event.type)));
  s.callsInFlight++;
  s.notify('message', { offset: '1' });
  s.callsInFlight--;
  await tick(0);
  t.is(actor.getSnapshot().value, 'open');
  t.deepEqual(inspected.filter((type) => type.startsWith('session.')), []);
});

test('sessionSystemId prefixes the session id', (t) => {
  t.is(sessionSystemId('nats:12'), 'session:nats:12');
});
