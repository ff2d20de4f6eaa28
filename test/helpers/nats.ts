/**
 * The NATS fixture: `NATS_URL` when set; else a container where a Docker engine answers; else a
 * `nats-server` process with JetStream on a free port, stopped when the test process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerAvailable } from './docker.js';
import { freePort } from './free-port.js';

export interface NatsEnv {
  readonly url: string;
}

export interface LocalNats extends NatsEnv {
  stop(): Promise<void>;
}

/** Resolves once the server answers with its INFO line, which is real readiness for NATS. */
function waitForInfo(port: number, deadlineMs: number): Promise<void> {
  return new Promise((resolveReady, reject) => {
    const attempt = (): void => {
      const socket = netConnect(port, '127.0.0.1');
      socket.once('data', (chunk) => {
        socket.destroy();
        if (chunk.toString('utf8').startsWith('INFO ')) resolveReady();
        else retry(new Error(`unexpected greeting from nats-server on port ${port}`));
      });
      socket.once('error', (err) => retry(err));
    };
    const retry = (err: Error): void => {
      if (Date.now() > deadlineMs) reject(new Error(`nats-server on port ${port} not ready: ${err.message}`));
      else setTimeout(attempt, 100);
    };
    attempt();
  });
}

/**
 * Starts a nats-server process of this test's own (JetStream on, state in a temp dir); on
 * `port` when given, e.g. to bring a stopped server back where its clients reconnect to.
 */
export async function startLocalNats(fixedPort?: number): Promise<LocalNats> {
  const port = fixedPort ?? (await freePort());
  const storeDir = await mkdtemp(join(tmpdir(), 'ks-nats-'));
  const binary = process.env.NATS_SERVER_BIN ?? 'nats-server';
  const logFile = join(storeDir, 'nats-server.log');
  // Logs go to a file, not a pipe: an open pipe would keep the test process alive, and the
  // server must outlive nothing but this process (it is killed on exit).
  const child: ChildProcess = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir, '-l', logFile], {
    stdio: 'ignore',
  });
  child.unref();
  const logTail = async (): Promise<string> => (await readFile(logFile, 'utf8').catch(() => '')).slice(-4000).trim();
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (err) => reject(new Error(`cannot run ${binary}: ${err.message} (apt-get install nats-server)`)));
    child.once('exit', (code) => void logTail().then((tail) => reject(new Error(`nats-server exited with code ${code}: ${tail}`))));
  });
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  try {
    await Promise.race([waitForInfo(port, Date.now() + 15_000), exited]);
  } catch (err) {
    child.kill('SIGKILL');
    await rm(storeDir, { recursive: true, force: true });
    throw err;
  }
  exited.catch(() => undefined);
  return {
    url: `nats://127.0.0.1:${port}`,
    stop: async () => {
      process.off('exit', killOnExit);
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        // Unreferenced so that it never holds the test process open; while we wait for its exit it must.
        child.ref();
        child.kill('SIGTERM');
        await gone;
      }
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}

async function containerNats(): Promise<NatsEnv> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer('nats:2-alpine')
    .withCommand(['-js'])
    .withExposedPorts(4222)
    .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
    .start();
  process.once('exit', () => void container.stop());
  return { url: `nats://${container.getHost()}:${container.getMappedPort(4222)}` };
}

let shared: Promise<NatsEnv> | undefined;

/** The NATS server this test process shares between its tests. */
export function natsEnv(): Promise<NatsEnv> {
  shared ??= (async () => {
    if (process.env.NATS_URL) return { url: process.env.NATS_URL };
    if (await dockerAvailable()) return containerNats();
    return startLocalNats();
  })();
  return shared;
}
