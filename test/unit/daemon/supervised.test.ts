import test from 'ava';
import { supervisorActive, untilSupervisorStopped } from '../../../daemon/supervised.js';

function system(status: Map<string, string>) {
  return { get: (id: string) => (status.has(id) ? { getSnapshot: () => ({ status: status.get(id)! }) } : undefined) };
}

test('a supervisor counts as running only while its actor is active', (t) => {
  const status = new Map([
    ['supervisor:a', 'active'],
    ['supervisor:b', 'done'],
  ]);
  t.true(supervisorActive(system(status), 'supervisor:a'));
  t.false(supervisorActive(system(status), 'supervisor:b'));
  t.false(supervisorActive(system(status), 'supervisor:none'));
});

test('waiting for a supervisor to stop: true once it stopped, false when it still runs at the timeout', async (t) => {
  const status = new Map([['supervisor:a', 'active']]);
  setTimeout(() => status.set('supervisor:a', 'done'), 30);
  t.true(await untilSupervisorStopped(system(status), 'supervisor:a', 5000, 5));
  status.set('supervisor:a', 'active');
  t.false(await untilSupervisorStopped(system(status), 'supervisor:a', 30, 5));
});
