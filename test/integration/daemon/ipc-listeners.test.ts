/**
 * The IPC listeners as supervised actors, on a real daemon process with a real broker and a
 * nats-server of the test's own: `ipc:unix` and `ipc:nats` listening with a `session:<id>`
 * child per connected app; NATS going away is `reconnecting` (not a crash) while the socket
 * keeps serving, and its return brings `listening` and NATS calls back; a Unix listener whose
 * socket file is removed is restarted, and one that cannot listen again escalates and ends the
 * daemon with exit code 1.
 */
import test from 'ava';
import { connect as natsConnect } from '@nats-io/transport-node';
import { rm, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { rpcCall, startDaemon, type DaemonProcess } from '../../helpers/daemon-process.js';
import { kafkaEnv } from '../../helpers/kafka.js';
import { startLocalNats } from '../../helpers/nats.js';
import { RawSession } from '../ipc/fixture.js';

interface ActorStatus {
  id: string;
  machine: string;
  state: unknown;
}

interface HubRow {
  sessionId: string;
  systemId?: string;
  parent?: string;
  status: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function actors(daemon: DaemonProcess): Promise<Map<string, ActorStatus>> {
  const status = await rpcCall(daemon.socketPath, 'status', {}, 5000);
  return new Map(((status.result as { actors: ActorStatus[] }).actors ?? []).map((a) => [a.id, a]));
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(200);
  }
}

/** Waits until the actor `id` is in `state` (as status reports it) and returns the whole table. */
function actorIn(daemon: DaemonProcess, id: string, state: string): Promise<Map<string, ActorStatus>> {
  return eventually(`${id} in ${state}`, async () => {
    const table = await actors(daemon);
    return table.get(id)?.state === state ? table : undefined;
  });
}

function restartsIn(metrics: string, actor: string): number | undefined {
  const match = new RegExp(`^kafka_sidecar_actor_restarts\\{actor="${actor}"\\} (\\d+)$`, 'm').exec(metrics);
  return match ? Number(match[1]) : undefined;
}

test('ipc:unix and ipc:nats listen with a session child per app; NATS down is reconnecting while the socket serves; NATS back is listening', async (t) => {
  const env = await kafkaEnv();
  let nats = await startLocalNats();
  t.teardown(() => nats.stop());
  const port = Number(new URL(nats.url).port);
  const prefix = `ks-listeners-${Date.now()}`;
  const daemon = await startDaemon({
    KAFKA_SIDECAR_KAFKA_BROKERS: env.brokers.join(','),
    KAFKA_SIDECAR_NATS_ENABLED: 'true',
    KAFKA_SIDECAR_NATS_SERVERS: nats.url,
    KAFKA_SIDECAR_NATS_PREFIX: prefix,
    KAFKA_SIDECAR_SHUTDOWN_TIMEOUT_MS: '15000',
  });
  t.teardown(() => void daemon.stop('SIGKILL'));

  // An app that stays connected is a session:<id> child of ipc:unix.
  const app = await RawSession.open(daemon.socketPath);
  t.teardown(() => app.destroy());
  const hello = (await app.call<{ result: { session: string } }>({ jsonrpc: '2.0', id: 1, method: 'hello', params: { client: 'held-app' } })).result;
  const sessionActor = `session:${hello.session}`;
  const table = await actorIn(daemon, 'ipc:nats', 'listening');
  t.like(table.get('ipc:unix'), { machine: 'listener', state: 'listening' });
  t.like(table.get('ipc:nats'), { machine: 'listener', state: 'listening' });
  t.like(table.get('supervisor:ipc:unix'), { machine: 'supervisor', state: 'running' });
  t.like(table.get('supervisor:ipc:nats'), { machine: 'supervisor', state: 'running' });
  t.like(table.get(sessionActor), { machine: 'session', state: 'open' });
  // The live page's table places it under its listener.
  const rows = (await (await fetch(`${daemon.httpUrl}/api/actors`)).json()) as HubRow[];
  const active = (systemId: string) => rows.find((r) => r.systemId === systemId && r.status === 'active');
  t.is(active(sessionActor)?.parent, active('ipc:unix')?.sessionId);
  t.is(active('ipc:unix')?.parent, active('supervisor:ipc:unix')?.sessionId);
  const metrics = await (await fetch(`${daemon.httpUrl}/metrics`)).text();
  t.regex(metrics, /^kafka_sidecar_actors\{machine="listener"\} 2$/m);
  t.is(restartsIn(metrics, 'ipc:nats'), 0);

  const topic = `ipc-listeners-${Date.now()}`;
  t.falsy((await rpcCall(daemon.socketPath, 'createTopics', { topics: [{ name: topic, partitions: 1 }] })).error);

  // NATS goes away: the client reconnects by itself, which the listener shows as reconnecting.
  await nats.stop();
  await actorIn(daemon, 'ipc:nats', 'reconnecting');
  const produced = await rpcCall(daemon.socketPath, 'produce', { topic, messages: [{ value: 'while NATS is down' }] });
  t.falsy(produced.error, JSON.stringify(produced.error));
  t.deepEqual((produced.result as { results: { offset: string }[] }).results.map((r) => r.offset), ['0']);
  t.is((await fetch(`${daemon.httpUrl}/readyz`)).status, 200, 'the socket still serves: still ready');
  t.like((await actors(daemon)).get('ipc:unix'), { state: 'listening' });

  // NATS comes back on the same address: listening again, and NATS calls are answered.
  nats = await startLocalNats(port);
  await actorIn(daemon, 'ipc:nats', 'listening');
  const nc = await natsConnect({ servers: nats.url });
  t.teardown(() => nc.close());
  const answer = await eventually('a NATS produce answer', async () => {
    const reply = await nc.request(`${prefix}.produce`, JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'produce', params: { topic, messages: [{ value: 'after NATS came back' }] } }), { timeout: 5000 });
    return reply.json<{ result?: { results: { offset: string }[] } }>();
  });
  t.deepEqual(answer.result?.results.map((r) => r.offset), ['1']);
  t.is(restartsIn(await (await fetch(`${daemon.httpUrl}/metrics`)).text(), 'ipc:nats'), 0, 'a lost NATS link is not a crash');

  // The app leaves: its session actor ends.
  app.destroy();
  await eventually(`${sessionActor} gone`, async () => ((await actors(daemon)).has(sessionActor) ? undefined : true));
  t.is(await daemon.stop('SIGTERM'), 0);
});

test('a removed socket file restarts ipc:unix; when it cannot listen again the supervisor gives up and the daemon exits 1', async (t) => {
  const env = await kafkaEnv();
  const maxRestarts = 2;
  const windowMs = 300_000;
  const daemon = await startDaemon({
    KAFKA_SIDECAR_KAFKA_BROKERS: env.brokers.join(','),
    KAFKA_SIDECAR_SUPERVISOR_MAX_RESTARTS: String(maxRestarts),
    KAFKA_SIDECAR_SUPERVISOR_WINDOW_MS: String(windowMs),
    KAFKA_SIDECAR_SUPERVISOR_BACKOFF_MIN_MS: '300',
    KAFKA_SIDECAR_SUPERVISOR_BACKOFF_MAX_MS: '1000',
    KAFKA_SIDECAR_SHUTDOWN_TIMEOUT_MS: '10000',
  });
  t.teardown(() => void daemon.stop('SIGKILL'));
  const socketDir = dirname(daemon.socketPath);
  t.teardown(() => rm(socketDir, { recursive: true, force: true }));
  await actorIn(daemon, 'ipc:unix', 'listening');

  // Someone deletes the socket file: apps could no longer connect, so the listener fails and
  // its supervisor listens again, creating the file anew.
  await unlink(daemon.socketPath);
  const restarted = await eventually('a restart of ipc:unix in /metrics', async () => {
    const metrics = await (await fetch(`${daemon.httpUrl}/metrics`)).text();
    return (restartsIn(metrics, 'ipc:unix') ?? 0) >= 1 ? metrics : undefined;
  });
  t.is(restartsIn(restarted, 'ipc:unix'), 1);
  t.like((await actorIn(daemon, 'ipc:unix', 'listening')).get('ipc:unix'), { machine: 'listener' });
  t.is((await rpcCall(daemon.socketPath, 'hello')).error, undefined, 'the new socket file serves');

  // Now the socket's directory is replaced by a plain file: the socket cannot be made again.
  let exitCode: number | null | undefined;
  void daemon.exited.then((code) => (exitCode = code));
  await rm(socketDir, { recursive: true, force: true });
  await writeFile(socketDir, 'not a directory');
  t.is(await daemon.exited, 1, 'the daemon exits non-zero once the supervisor gives up');
  t.is(exitCode, 1);

  const lines = daemon
    .stdout()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: number; msg: string; err?: { type?: string; message?: string } });
  const fatal = lines.find((l) => l.level === 60);
  t.is(fatal?.msg, 'a supervisor gave up: exiting so that the daemon is restarted');
  t.is(fatal?.err?.type, 'SupervisionEscalatedError');
  t.regex(fatal?.err?.message ?? '', new RegExp(`^ipc:unix failed ${maxRestarts + 1} times within ${windowMs} ms, giving up: cannot create the directory of ipc\\.socket\\.path`));
});

test('NATS unreachable at start-up stops the start with exit 1 and says why, instead of retrying', async (t) => {
  const env = await kafkaEnv();
  // A port nothing listens on: a NATS server that was stopped.
  const gone = await startLocalNats();
  await gone.stop();
  const failed = await startDaemon({
    KAFKA_SIDECAR_KAFKA_BROKERS: env.brokers.join(','),
    KAFKA_SIDECAR_NATS_ENABLED: 'true',
    KAFKA_SIDECAR_NATS_SERVERS: gone.url,
  }).then(
    () => undefined,
    (err: Error) => err,
  );
  t.regex(failed?.message ?? '', /exited with 1/);
  t.regex(failed?.message ?? '', new RegExp(`kafka-sidecar: cannot connect to NATS at ${gone.url.replace(/[.]/g, '\\.')}`));
});
