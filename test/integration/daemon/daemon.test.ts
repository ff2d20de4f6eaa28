// The daemon as users run it: a child process connected to the run's real brokers, reached
// over its Unix socket and its HTTP server.
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { rpcCall, startDaemon } from '../../helpers/daemon-process.js';
import { kafkaEnv } from '../../helpers/kafka.js';
import { repoRoot } from '../../helpers/repo.js';

const execFileAsync = promisify(execFile);
const cliPath = join(repoRoot, 'dist', 'daemon', 'cli.js');

interface StatusResult {
  actors: { id: string; machine: string; state: unknown }[];
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('start connects to Kafka, reports its actors, serves health and metrics, and stops cleanly on SIGTERM', async (t) => {
  const env = await kafkaEnv();
  // A short metadata period, so that the first refresh opens a control connection soon.
  const daemon = await startDaemon({
    KAFKA_SIDECAR_KAFKA_BROKERS: env.brokers.join(','),
    KAFKA_SIDECAR_SHUTDOWN_TIMEOUT_MS: '15000',
    KAFKA_SIDECAR_CONNECTION_METADATA_REFRESH_MS: '1000',
  });
  t.teardown(() => void daemon.stop('SIGKILL'));

  t.is((await fetch(`${daemon.httpUrl}/healthz`)).status, 200);
  await eventually('readiness', async () => ((await fetch(`${daemon.httpUrl}/readyz`)).status === 200 ? true : undefined));

  const status = (await rpcCall(daemon.socketPath, 'status')).result as StatusResult;
  const byId = new Map(status.actors.map((a) => [a.id, a]));
  t.is(byId.get('daemon')?.machine, 'daemon');
  const clusterState = byId.get('cluster')?.state;
  t.true(typeof clusterState === 'object' && clusterState !== null && 'ready' in clusterState, JSON.stringify(clusterState));
  t.true(status.actors.some((a) => a.machine === 'broker' && /^broker:\d+$/.test(a.id)), JSON.stringify(status.actors));

  const metrics = await eventually('a ready control connection in /metrics', async () => {
    const text = await (await fetch(`${daemon.httpUrl}/metrics`)).text();
    return /^kafka_sidecar_connection_state\{connection="broker:\d+:control",state="ready[^"]*"\} 1$/m.test(text) ? text : undefined;
  });
  t.regex(metrics, /^kafka_sidecar_actors\{machine="cluster"\} 1$/m);
  t.regex(metrics, /^kafka_sidecar_nodejs_eventloop_lag_seconds /m);
  // Every sample line is "name{labels} value": Prometheus text format.
  for (const line of metrics.split('\n').filter((l) => l.length > 0 && !l.startsWith('#'))) {
    t.regex(line, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? -?[0-9.e+-]+|NaN|[+-]Inf$/);
  }

  // Admin methods reach the current cluster actor; the statechart page and its APIs are mounted.
  const topics = (await rpcCall(daemon.socketPath, 'listTopics')).result as { topics: { name: string }[] };
  t.true(Array.isArray(topics.topics));
  const page = await fetch(`${daemon.httpUrl}/machines`);
  t.is(page.status, 200);
  t.regex(await page.text(), /<html/i);
  const machines = (await (await fetch(`${daemon.httpUrl}/api/machines`)).json()) as unknown[];
  t.true(machines.length >= 4);

  // The producer's totals in /metrics move when records are produced.
  const delivered = async (): Promise<number> => {
    const text = await (await fetch(`${daemon.httpUrl}/metrics`)).text();
    return Number(/^kafka_sidecar_producer_records_total\{outcome="delivered"\} (\d+)$/m.exec(text)?.[1] ?? NaN);
  };
  const before = await delivered();
  t.false(Number.isNaN(before), 'the producer counter is exported');
  const topic = `daemon-metrics-${Date.now()}`;
  t.falsy((await rpcCall(daemon.socketPath, 'createTopics', { topics: [{ name: topic, partitions: 1 }] })).error);
  const produced = await rpcCall(daemon.socketPath, 'produce', { topic, messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
  t.falsy(produced.error, JSON.stringify(produced.error));
  t.is(await delivered(), before + 3);
  const after = await (await fetch(`${daemon.httpUrl}/metrics`)).text();
  t.regex(after, /^kafka_sidecar_request_duration_seconds_count\{api="Produce",outcome="answered"\} [1-9]\d*$/m);
  t.regex(after, /^kafka_sidecar_producer_batch_records_sum [1-9]\d*$/m);

  // The CLI's client commands reach the same daemon through its socket.
  const cli = (...args: string[]) => execFileAsync(process.execPath, [cliPath, ...args, '--socket', daemon.socketPath]);
  const statusTable = (await cli('status')).stdout;
  t.regex(statusTable, /^cluster +cluster +ready/m);
  t.regex(statusTable, /^broker:\d+ +broker +/m);
  // Other tests create topics meanwhile, so the lists are compared by shape, not equality.
  const listed = JSON.parse((await cli('call', 'listTopics')).stdout) as { topics: { name: unknown; partitions: unknown }[] };
  t.true(listed.topics.length > 0);
  t.true(listed.topics.every((topic) => typeof topic.name === 'string' && typeof topic.partitions === 'number'), JSON.stringify(listed.topics));

  t.is(await daemon.stop('SIGTERM'), 0);
  t.false(existsSync(daemon.socketPath), 'the socket file is removed on shutdown');
});

test('a second daemon on a live socket refuses to start and says why', async (t) => {
  const env = await kafkaEnv();
  const first = await startDaemon({ KAFKA_SIDECAR_KAFKA_BROKERS: env.brokers.join(',') });
  t.teardown(() => void first.stop('SIGKILL'));
  const second = await startDaemon({ KAFKA_SIDECAR_KAFKA_BROKERS: env.brokers.join(','), KAFKA_SIDECAR_IPC_SOCKET_PATH: first.socketPath }).then(
    () => undefined,
    (err: Error) => err,
  );
  t.truthy(second);
  t.regex(second!.message, /exited with 1/);
  t.regex(second!.message, /another daemon|in use|already/i);
  t.is((await rpcCall(first.socketPath, 'hello')).error, undefined, 'the first daemon keeps serving');
  t.is(await first.stop(), 0);
});

test('an invalid configuration stops the start with exit code 2 and names the key', async (t) => {
  const env = await kafkaEnv();
  const failed = await startDaemon({ KAFKA_SIDECAR_KAFKA_BROKERS: env.brokers.join(','), KAFKA_SIDECAR_PRODUCER_LINGER_MS: 'soon' }).then(
    () => undefined,
    (err: Error) => err,
  );
  t.regex(failed?.message ?? '', /exited with 2/);
  t.regex(failed?.message ?? '', /producer\.lingerMs/);
  t.regex(failed?.message ?? '', /KAFKA_SIDECAR_PRODUCER_LINGER_MS/);
});
