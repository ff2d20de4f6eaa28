/**
 * Restarts and failures on the statechart page, in headless Chromium: a worker under the
 * project's supervisor machine fails twice; the tree marks the failed instances and the
 * running one with its restart and failure counts.
 * Needs no broker: the failures are the worker's own.
 */
import test from 'ava';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { createActor, setup } from 'xstate';
import { InspectionHub } from '../../../daemon/http/inspector.js';
import { createVizHandler } from '../../../daemon/http/viz/routes.js';
import { createSupervisorMachine } from '../../../machines/supervision/supervisor-machine.js';

const worker = setup({ types: { events: {} as { type: 'boom' } } }).createMachine({
  id: 'worker',
  initial: 'working',
  states: {
    working: {
      on: {
        boom: {
          actions: () => {
            throw new Error('worker blew up');
          },
        },
      },
    },
  },
});

let browser: Browser | undefined;
let server: Server | undefined;
let root: { stop(): void } | undefined;
test.after.always(async () => {
  root?.stop();
  await browser?.close();
  server?.closeAllConnections();
  server?.close();
});

test('failed instances and restart counts are marked in the actor tree', async (t) => {
  const hub = new InspectionHub();
  const handler = createVizHandler({ hub });
  server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const supervisor = createActor(createSupervisorMachine(worker), {
    systemId: 'supervisor:worker',
    inspect: hub.inspect,
    input: { childSystemId: 'worker', childInput: undefined, policy: { maxRestarts: 5, windowMs: 60_000, backoff: { minMs: 50, maxMs: 50 } }, stableAfterMs: 60_000 },
  });
  root = supervisor;
  supervisor.start();

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${url}/machines#actor=supervisor:worker`);
  await page.waitForSelector('#chart-view .state.active[data-state="supervisor.running"]');

  for (let i = 1; i <= 2; i++) {
    await page.waitForSelector('li.actor.active[data-actor="worker"]');
    supervisor.system.get('worker')?.send({ type: 'boom' });
    await page.waitForSelector(`li.actor.active[data-actor="worker"] .badge.restarts:text-is("↻${i}")`);
  }
  await page.waitForSelector('#chart-view .state.active[data-state="supervisor.running"]');
  t.is(await page.textContent('li.actor.active[data-actor="worker"] .badge.restarts'), '↻2');
  t.is(await page.textContent('li.actor.active[data-actor="worker"] .badge.failures'), '✗2');
  t.is(await page.locator('li.actor.error[data-actor="worker"]').count(), 2);
  t.regex((await page.getAttribute('li.actor.error[data-actor="worker"]', 'title')) ?? '', /worker blew up/);
  t.is(await page.textContent('li.actor[data-actor="supervisor:worker"] > .state'), 'running');

  // Selecting a machine that is not registered says why there is no chart.
  await page.click('li.actor.active[data-actor="worker"] > .name');
  await page.waitForSelector('#chart-view .note');
  t.regex((await page.textContent('#chart-view .note')) ?? '', /"worker" is not in daemon\/machine-registry\.ts/);
  t.deepEqual(pageErrors, []);
});
