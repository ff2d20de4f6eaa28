/**
 * The statechart page as users open it: served by a real daemon process connected to the run's
 * broker, in headless Chromium. After an app produced through the socket, the actor tree lists
 * the daemon's actors — cluster, broker, its lanes, the producer — and, once an app subscribed,
 * the group's consumer, group and fetcher actors; selecting the producer or the group draws its
 * machine with the live state highlighted.
 */
import test from 'ava';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { connect, type SidecarClient } from '../../../client/index.js';
import { consumerSystemId, fetcherSystemId } from '../../../machines/consumer/consumer-machine.js';
import { groupSystemId } from '../../../machines/group/group-machine.js';
import { PRODUCER_SYSTEM_ID } from '../../../machines/producer/producer-machine.js';
import { rpcCall, startDaemon, type DaemonProcess } from '../../helpers/daemon-process.js';
import { kafkaEnv } from '../../helpers/kafka.js';
import { repoRoot } from '../../helpers/repo.js';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// As in page.test.ts: under reports/ on every run, into docs/screenshots/ with UPDATE_SCREENSHOTS=1.
const screenshots = process.env.UPDATE_SCREENSHOTS === '1' ? join(repoRoot, 'docs', 'screenshots') : join(repoRoot, 'reports', 'screenshots', 'daemon');

let browser: Browser | undefined;
let daemon: DaemonProcess | undefined;
let app: SidecarClient | undefined;
test.after.always(async () => {
  await app?.close();
  await browser?.close();
  await daemon?.stop('SIGKILL');
});

test('a daemon connected to a real broker shows its cluster, broker, lanes, producer and group on the page', async (t) => {
  const env = await kafkaEnv();
  daemon = await startDaemon({ KAFKA_SIDECAR_KAFKA_BROKERS: env.brokers.join(',') });
  const topic = `viz-daemon-${Date.now()}`;
  const created = await rpcCall(daemon.socketPath, 'createTopics', { topics: [{ name: topic, partitions: 1 }] });
  t.falsy(created.error, JSON.stringify(created.error));
  const produced = await rpcCall(daemon.socketPath, 'produce', { topic, messages: [{ key: 'k', value: 'v' }] });
  t.falsy(produced.error, JSON.stringify(produced.error));
  // An app that stays subscribed keeps the group's actors alive while the page is checked.
  const group = `viz-group-${Date.now()}`;
  app = await connect({ socketPath: daemon.socketPath, client: 'viz-test' });
  await app.subscribe({ group, topics: [topic], from: 'earliest' });

  const status = (await rpcCall(daemon.socketPath, 'status')).result as { actors: { id: string; machine: string }[] };
  const broker = status.actors.find((a) => a.machine === 'broker')?.id;
  t.truthy(broker, JSON.stringify(status.actors));

  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${daemon.httpUrl}/machines#actor=${encodeURIComponent(PRODUCER_SYSTEM_ID)}`);

  for (const id of ['daemon', 'cluster', broker!, `${broker!}:control`, `${broker!}:produce`, PRODUCER_SYSTEM_ID]) {
    await page.waitForSelector(`li.actor[data-actor="${id}"]`, { timeout: 20_000 });
  }
  t.is((await page.textContent(`li.actor[data-actor="${PRODUCER_SYSTEM_ID}"] > .kind`))?.trim(), 'producer');
  // The producer's chart is drawn with its current state (ready after the produce) highlighted.
  await page.waitForSelector('#chart-view .state.active[data-state="producer.ready"]', { timeout: 20_000 });
  t.true((await page.$$('#chart-view .transition')).length > 5, 'the producer machine is drawn with its transitions');

  for (const id of [consumerSystemId(group), groupSystemId(group), fetcherSystemId(group)]) {
    await page.waitForSelector(`li.actor[data-actor="${id}"]`, { timeout: 30_000 });
  }
  // The group's membership reaches stable once it has joined and synced; the page shows it live.
  await page.click(`li.actor[data-actor="${groupSystemId(group)}"]`);
  await page.waitForSelector('#chart-view .state.active[data-state="group.stable"]', { timeout: 30_000 });
  await page.screenshot({ path: join(screenshots, 'daemon-group-stable.png') });
  t.deepEqual(pageErrors, []);
});
