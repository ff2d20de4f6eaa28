/**
 * The statechart page of a real daemon process while its broker goes away and comes back: the
 * daemon runs on a broker of the test's own (so stopping it disturbs no other test); stopping
 * the broker moves the highlighted state of the control connection off `ready`, and starting
 * it again brings the connection back to `ready.serving` on the page.
 */
import test from 'ava';
import { chromium, type Browser } from 'playwright-core';
import { rpcCall, startDaemon, type DaemonProcess } from '../../helpers/daemon-process.js';
import { kafkaVersions, startLocalKafka, type KafkaVersion, type LocalKafka } from '../../helpers/kafka.js';

const version: KafkaVersion = (kafkaVersions as readonly string[]).includes(process.env.KAFKA_VERSION ?? '')
  ? (process.env.KAFKA_VERSION as KafkaVersion)
  : '4.1.1';
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let kafka: LocalKafka | undefined;
let browser: Browser | undefined;
let daemon: DaemonProcess | undefined;
test.after.always(async () => {
  await browser?.close();
  await daemon?.stop('SIGKILL');
  await kafka?.stop();
});

test(`Kafka ${version}: a daemon's page follows its control connection through a broker stop and start`, async (t) => {
  t.timeout(300_000);
  kafka = await startLocalKafka({ version, nodes: 1 });
  daemon = await startDaemon({
    KAFKA_SIDECAR_KAFKA_BROKERS: kafka.env.brokers.join(','),
    KAFKA_SIDECAR_CONNECTION_METADATA_REFRESH_MS: '1000',
    KAFKA_SIDECAR_CONNECTION_BACKOFF_MIN_MS: '200',
    KAFKA_SIDECAR_CONNECTION_BACKOFF_MAX_MS: '2000',
  });
  // The daemon listens before the cluster has bootstrapped; wait for its broker actor.
  let broker: string | undefined;
  for (const until = Date.now() + 60_000; broker === undefined && Date.now() < until; await new Promise((r) => setTimeout(r, 250))) {
    const status = (await rpcCall(daemon.socketPath, 'status')).result as { actors: { id: string; machine: string }[] };
    broker = status.actors.find((a) => a.machine === 'broker')?.id;
  }
  t.truthy(broker, 'a broker actor appeared');
  const lane = `${broker!}:control`;
  t.falsy((await rpcCall(daemon.socketPath, 'listTopics')).error);

  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${daemon.httpUrl}/machines#actor=${encodeURIComponent(lane)}`);
  const laneRow = `li.actor.active[data-actor="${lane}"]`;
  await page.waitForSelector(laneRow, { timeout: 20_000 });
  await page.waitForSelector('#chart-view .state.active[data-state="connection.ready.serving"]', { timeout: 20_000 });

  await kafka.killNode(1);
  await page.waitForSelector('#chart-view .state.active[data-state="connection.ready"]', { state: 'detached', timeout: 30_000 });
  t.is(daemon.child.exitCode, null, 'the daemon keeps running while its broker is down');

  await kafka.startNode(1);
  // Admin calls go through the control lane: retried until the broker answers again (a
  // ZooKeeper-mode broker may first be dropped from the metadata and re-added).
  const deadline = Date.now() + 120_000;
  while ((await rpcCall(daemon.socketPath, 'listTopics').catch((err: Error) => ({ error: err }))).error !== undefined) {
    if (Date.now() > deadline) throw new Error('the daemon did not reach the restarted broker');
    await new Promise((r) => setTimeout(r, 500));
  }
  await page.waitForSelector(`${laneRow} > .state:text-is("ready.serving")`, { timeout: 60_000 });
  await page.click(`${laneRow} > .name`);
  await page.waitForSelector('#chart-view .state.active[data-state="connection.ready.serving"]', { timeout: 30_000 });
  t.deepEqual(pageErrors, []);
});
