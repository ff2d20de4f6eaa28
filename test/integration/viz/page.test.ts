/**
 * The statechart page in a real browser (headless Debian Chromium through playwright-core)
 * against real actors: a cluster actor on a broker of the test's own, inspected by the hub and
 * served by the page's handlers. The page lists the actors; killing the broker moves the
 * connection's highlighted state off `ready`; starting it again brings it back. Screenshots of
 * both are taken (see `screenshots` below).
 */
import test from 'ava';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createActor } from 'xstate';
import { InspectionHub } from '../../../daemon/http/inspector.js';
import { createVizHandler } from '../../../daemon/http/viz/routes.js';
import { ClusterClient, Lane } from '../../../machines/cluster/cluster-client.js';
import { clusterMachine, type ClusterActor } from '../../../machines/cluster/cluster-machine.js';
import { MetadataApi } from '../../../protocol/messages/metadata.js';
import { kafkaVersions, startLocalKafka, type KafkaVersion, type LocalKafka } from '../../helpers/kafka.js';
import { repoRoot } from '../../helpers/repo.js';

const version: KafkaVersion = (kafkaVersions as readonly string[]).includes(process.env.KAFKA_VERSION ?? '')
  ? (process.env.KAFKA_VERSION as KafkaVersion)
  : '4.1.1';

const connection = { clientId: 'it-viz', connectTimeoutMs: 3000, requestTimeoutMs: 5000, maxInFlight: 8, backoff: { minMs: 200, maxMs: 2000 } };
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Every run leaves its screenshots under reports/; UPDATE_SCREENSHOTS=1 refreshes the committed
// ones in docs/screenshots/ (shown in the README) instead.
const screenshots =
  process.env.UPDATE_SCREENSHOTS === '1' ? join(repoRoot, 'docs', 'screenshots') : join(repoRoot, 'reports', 'screenshots', `kafka-${version}`);

let kafka: LocalKafka | undefined;
let browser: Browser | undefined;
let server: Server | undefined;
let cluster: ClusterActor | undefined;
test.after.always(async () => {
  cluster?.stop();
  await browser?.close();
  server?.closeAllConnections();
  server?.close();
  await kafka?.stop();
});

async function activeStates(page: Page): Promise<string[]> {
  return page.$$eval('#chart-view .state.active', (els) => els.map((e) => e.getAttribute('data-state') ?? ''));
}

test(`Kafka ${version}: the page lists the actors and follows the connection through a broker restart`, async (t) => {
  kafka = await startLocalKafka({ version, nodes: 1 });
  const hub = new InspectionHub();
  const handler = createVizHandler({ hub });
  server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  cluster = createActor(clusterMachine, {
    systemId: 'cluster',
    inspect: hub.inspect,
    input: {
      bootstrap: kafka.env.brokers,
      connection,
      metadataRefreshMs: 2000,
      brokerRestarts: { maxRestarts: 5, windowMs: 60_000, backoff: { minMs: 100, maxMs: 1000 } },
    },
  });
  cluster.subscribe({ error: () => undefined });
  cluster.start();
  const client = new ClusterClient(cluster);
  const metadata = await client.whenReady(30_000);
  const nodeId = [...metadata.brokers.keys()][0] as number;
  await client.request(nodeId, Lane.control, MetadataApi, { topics: null });
  const lane = `broker:${nodeId}:control`;

  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${url}/machines#actor=${encodeURIComponent(lane)}`);

  // The tree: the cluster, its broker supervisor, the broker and the connection of the lane.
  for (const name of ['cluster', `supervisor:broker:${nodeId}`, `broker:${nodeId}`, lane]) {
    await page.waitForSelector(`li.actor[data-actor="${name}"]`, { timeout: 15_000 });
  }
  const laneRow = `li.actor.active[data-actor="${lane}"]`;
  t.is(await page.textContent(`li.actor[data-actor="cluster"] > .kind`), 'cluster');
  t.is(await page.textContent(`${laneRow} > .kind`), 'connection');
  await page.waitForSelector(`${laneRow} > .state:text-is("ready.serving")`, { timeout: 15_000 });
  t.regex((await page.textContent('#chart-title')) ?? '', new RegExp(`^${lane} · connection$`));

  // The chart: the connection machine, ready.serving highlighted.
  await page.waitForSelector('#chart-view .state.active[data-state="connection.ready.serving"]', { timeout: 15_000 });
  t.deepEqual((await activeStates(page)).sort(), ['connection.ready', 'connection.ready.serving']);
  t.true((await page.$$('#chart-view .transition')).length > 10, 'transitions are drawn');
  await page.screenshot({ path: join(screenshots, 'statechart-ready.png') });

  await kafka.killNode(1);
  await page.waitForSelector('#chart-view .state.active[data-state="connection.ready"]', { state: 'detached', timeout: 30_000 });
  const down = await activeStates(page);
  t.true(down.some((s) => s === 'connection.backoff' || s.startsWith('connection.connecting')), down.join(', '));
  await page.waitForSelector('#log-rows tr td.event:text-is("link.closed")', { timeout: 15_000 });
  await page.screenshot({ path: join(screenshots, 'statechart-broker-down.png') });

  // Filtering the event log narrows it to matching events.
  await page.fill('#log-filter', 'link.closed');
  const filtered = await page.$$eval('#log-rows td.event', (els) => els.map((e) => e.textContent));
  t.true(filtered.length >= 1 && filtered.every((e) => e === 'link.closed'), filtered.join(', '));
  await page.fill('#log-filter', '');

  await kafka.startNode(1);
  // The lane reconnects by itself. A ZooKeeper-mode broker may first answer Metadata without
  // itself, making the cluster drop and re-add the broker: then a new broker actor opens its
  // lane on the next request. So requests are retried until one succeeds, and the page is
  // followed through the active instance of the lane, whichever it is.
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      await client.request(nodeId, Lane.control, MetadataApi, { topics: null });
      break;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  await page.waitForSelector(`${laneRow} > .state:text-is("ready.serving")`, { timeout: 30_000 });
  await page.click(`${laneRow} > .name`);
  await page.waitForSelector('#chart-view .state.active[data-state="connection.ready.serving"]', { timeout: 30_000 });
  t.deepEqual(pageErrors, []);
});
