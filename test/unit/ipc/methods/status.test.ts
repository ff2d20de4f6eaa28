import test from 'ava';
import { statusMethod } from '../../../../ipc/methods/status.js';
import { SessionRegistry } from '../../../../ipc/session.js';
import { captureLogger } from '../log-capture.js';

test('status combines the source, the sessions and the uptime', async (t) => {
  const { logger } = captureLogger();
  const sessions = new SessionRegistry();
  const session = sessions.open('unix', () => true, logger);
  const startedAt = new Date('2026-01-01T00:00:00.000Z');
  const status = statusMethod({
    version: '0.1.0',
    startedAt,
    sessions,
    now: () => startedAt.getTime() + 1500,
    source: {
      actors: () => [{ id: 'cluster', machine: 'cluster', state: { connected: 'idle' } }],
      subscriptions: () => [{ subscription: 's1', session: 'unix:1', group: 'g', topics: ['t'], inFlight: 3 }],
    },
  });
  const result = await status.handler(status.params(undefined, 'params'), { session, logger });
  t.is(result.version, '0.1.0');
  t.is(result.startedAt, '2026-01-01T00:00:00.000Z');
  t.is(result.uptimeMs, 1500);
  t.deepEqual(result.actors, [{ id: 'cluster', machine: 'cluster', state: { connected: 'idle' } }]);
  t.deepEqual(result.sessions.map((s) => s.id), ['unix:1']);
  t.is(result.subscriptions.length, 1);
  t.throws(() => status.params({ verbose: true }, 'params'), { message: /params.verbose/ });
});
