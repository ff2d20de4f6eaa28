/**
 * The sidecar benchmark's fixture, in the runner's process: a real daemon (the CLI's `start`)
 * on the run's brokers with its Unix socket and its NATS transport, a NATS server when the run
 * gives none, and the topic every candidate writes to.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '../../client/index.js';
import { endOffset } from '../producer/cases.js';

export interface SidecarSetup {
  readonly brokers: string;
  readonly socketPath: string;
  readonly natsUrl: string;
  readonly natsPrefix: string;
  readonly topic: string;
  /** Records of the batched part. */
  readonly records: number;
  /** Single awaited produce calls of the latency part. */
  readonly latencyCalls: number;
}

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const children: ChildProcess[] = [];
let workDir: string | null = null;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`sidecar bench: ${what} not ready in ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function startNats(dir: string): Promise<string> {
  const port = await freePort();
  const child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port)], { cwd: dir, stdio: 'ignore' });
  children.push(child);
  const url = `nats://127.0.0.1:${port}`;
  await waitFor('nats-server', async () => {
    const { connect: natsConnect } = await import('@nats-io/transport-node');
    const nc = await natsConnect({ servers: url, reconnect: false });
    await nc.close();
    return true;
  }, 15_000);
  return url;
}

export async function startSidecarFixture(quick: boolean): Promise<SidecarSetup> {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('sidecar bench: set KAFKA_BROKERS (eval "$(scripts/kafka-local start)")');
  workDir = mkdtempSync(join(tmpdir(), 'ks-bench-sidecar-'));
  const natsUrl = process.env.NATS_URL ?? (await startNats(workDir));
  const natsPrefix = `bench-${process.pid}`;
  const socketPath = join(workDir, 'sidecar.sock');
  const daemon = spawn(process.execPath, [join(repoRoot, 'dist', 'daemon', 'cli.js'), 'start'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      KAFKA_SIDECAR_KAFKA_BROKERS: brokers,
      KAFKA_SIDECAR_IPC_SOCKET_PATH: socketPath,
      KAFKA_SIDECAR_HTTP_ENABLED: 'false',
      KAFKA_SIDECAR_NATS_ENABLED: 'true',
      KAFKA_SIDECAR_NATS_SERVERS: natsUrl,
      KAFKA_SIDECAR_NATS_PREFIX: natsPrefix,
      KAFKA_SIDECAR_LOGGING_LEVEL: 'warn',
    },
    stdio: 'ignore',
  });
  children.push(daemon);
  await waitFor('the daemon', async () => {
    const client = await connect({ socketPath, reconnect: false, timeoutMs: 5000 });
    try {
      const status = await client.status();
      return status.actors.some((a) => a.id === 'producer' && a.state === 'ready');
    } finally {
      await client.close();
    }
  }, 120_000);
  const topic = `bench-sidecar-${Date.now()}`;
  const client = await connect({ socketPath, reconnect: false });
  try {
    await client.call('createTopics', { topics: [{ name: topic, partitions: 1 }] });
  } finally {
    await client.close();
  }
  await waitFor('the topic leader', async () => endOffset(brokers, topic) >= 0, 60_000);
  return { brokers, socketPath, natsUrl, natsPrefix, topic, records: quick ? 50_000 : 500_000, latencyCalls: quick ? 300 : 2000 };
}

export function stopSidecarFixture(): void {
  for (const child of children.splice(0)) child.kill('SIGTERM');
  if (workDir !== null) rmSync(workDir, { recursive: true, force: true });
  workDir = null;
}
