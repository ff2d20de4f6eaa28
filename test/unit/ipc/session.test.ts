import test from 'ava';
import { SessionRegistry } from '../../../ipc/session.js';
import { captureLogger } from './log-capture.js';

test('cleanups run once, newest first, even when one fails (which is logged)', async (t) => {
  const { logger, lines } = captureLogger();
  const registry = new SessionRegistry();
  const session = registry.open('unix', () => true, logger);
  const order: string[] = [];
  session.onClose(() => void order.push('first'));
  session.onClose(() => {
    throw new Error('cleanup broke');
  });
  session.onClose(async () => {
    await new Promise((r) => setTimeout(r, 5));
    order.push('third');
  });
  const unregistered = session.onClose(() => void order.push('never'));
  unregistered();
  t.is(registry.size, 1);
  await Promise.all([session.close('test'), session.close('again')]);
  await session.close('once more');
  t.deepEqual(order, ['third', 'first']);
  t.true(lines.some((l) => l.msg === 'session cleanup failed'));
  t.is(registry.size, 0);
  t.true(session.closed);
});

test('notify goes to the sink until the session closes; a cleanup added after close runs at once', async (t) => {
  const { logger } = captureLogger();
  const sent: Array<[string, unknown]> = [];
  const session = new SessionRegistry().open('nats', (m, p) => {
    sent.push([m, p]);
    return true;
  }, logger);
  t.true(session.notify('message', { offset: '1' }));
  await session.close('done');
  t.false(session.notify('message', { offset: '2' }));
  t.deepEqual(sent, [['message', { offset: '1' }]]);
  let ran = false;
  session.onClose(() => {
    ran = true;
  });
  await new Promise((r) => setImmediate(r));
  t.true(ran);
});

test('registry: ids per transport, info for status, closeAll by transport', async (t) => {
  const { logger } = captureLogger();
  const registry = new SessionRegistry();
  const a = registry.open('unix', () => true, logger);
  const b = registry.open('nats', () => true, logger);
  t.is(a.id, 'unix:1');
  t.is(b.id, 'nats:2');
  a.client = 'php-worker';
  t.like(registry.list()[0], { id: 'unix:1', transport: 'unix', client: 'php-worker', callsInFlight: 0 });
  t.is(registry.get('nats:2'), b);
  await registry.closeAll('stop', 'unix');
  t.deepEqual(registry.list().map((s) => s.id), ['nats:2']);
  await registry.closeAll('stop');
  t.is(registry.size, 0);
});
