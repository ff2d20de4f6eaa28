/**
 * The one fixture that gives integration tests their Kafka brokers:
 *  1. `KAFKA_BROKERS` (and the security variables) when the test command already started them;
 *  2. else testcontainers, where a Docker engine answers;
 *  3. else local JVM brokers through scripts/kafka-local, shared between test files via a lock.
 * Tests that need a cluster of their own (3 nodes, killing brokers) call `startLocalKafka`.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dockerAvailable } from './docker.js';
import { parseEnvLines } from '../../daemon/env-lines.js';
import { freePort } from './free-port.js';
import { repoRoot } from './repo.js';

const run = promisify(execFile);

export const kafkaVersions = ['4.1.1', '3.9.1', '2.8.2'] as const;
export type KafkaVersion = (typeof kafkaVersions)[number];

export interface KafkaEnv {
  /** PLAINTEXT bootstrap servers, `host:port`. */
  readonly brokers: string[];
  readonly version: string;
  /** Present when the brokers run with `--security`. */
  readonly security?: KafkaSecurityEnv;
}

export interface KafkaSecurityEnv {
  readonly saslPlaintextBrokers: string[];
  readonly sslBrokers: string[];
  readonly saslSslBrokers: string[];
  readonly caFile: string;
  readonly user: string;
  readonly password: string;
  /** What the SASL listeners accept (KAFKA_SASL_MECHANISMS); empty when the script did not say. */
  readonly mechanisms: string[];
}

export interface LocalKafka {
  readonly env: KafkaEnv;
  readonly dir: string;
  /** The raw `KEY=value` lines the script printed. */
  readonly vars: Readonly<Record<string, string>>;
  killNode(node: number): Promise<void>;
  startNode(node: number): Promise<void>;
  stop(): Promise<void>;
}

export interface LocalKafkaOptions {
  version?: KafkaVersion;
  nodes?: 1 | 3;
  security?: boolean;
  /** Defaults to a fresh temporary directory, removed by `stop()`. */
  dir?: string;
}

const script = join(repoRoot, 'scripts', 'kafka-local');

function splitList(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Builds a KafkaEnv from `KAFKA_*` variables, as printed by scripts/kafka-local or set by CI. */
export function kafkaEnvFrom(vars: Readonly<Record<string, string | undefined>>): KafkaEnv | undefined {
  const brokers = splitList(vars.KAFKA_BROKERS);
  if (brokers.length === 0) return undefined;
  const security: KafkaSecurityEnv | undefined =
    vars.KAFKA_SASL_PLAINTEXT_BROKERS && vars.KAFKA_CA_FILE
      ? {
          saslPlaintextBrokers: splitList(vars.KAFKA_SASL_PLAINTEXT_BROKERS),
          sslBrokers: splitList(vars.KAFKA_SSL_BROKERS),
          saslSslBrokers: splitList(vars.KAFKA_SASL_SSL_BROKERS),
          caFile: vars.KAFKA_CA_FILE,
          user: vars.KAFKA_SASL_USER ?? '',
          password: vars.KAFKA_SASL_PASSWORD ?? '',
          mechanisms: splitList(vars.KAFKA_SASL_MECHANISMS),
        }
      : undefined;
  return { brokers, version: vars.KAFKA_VERSION ?? 'unknown', ...(security ? { security } : {}) };
}

async function kafkaLocal(args: string[], timeoutMs = 0): Promise<Record<string, string>> {
  try {
    const { stdout } = await run(script, args, { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024, timeout: timeoutMs });
    return parseEnvLines(stdout);
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`scripts/kafka-local ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/** The kafka-tools version whose console consumer and ProducerPerformance tests and benchmarks run, against every broker version. */
export const kafkaToolsVersion = '4.1.1';

let toolsLib: Promise<string> | undefined;

/**
 * The directory of the kafka-tools jars (`java -cp '<dir>/*' CLASS`), fetched from Maven
 * Central by `scripts/kafka-local tools` on first use. A cold fetch of its ~80 jars takes
 * under a minute on a usual link; 4 minutes is the bound before giving up.
 */
export function kafkaToolsLib(): Promise<string> {
  toolsLib ??= kafkaLocal(['tools', '--version', kafkaToolsVersion], 240_000).then((vars) => {
    if (!vars.KAFKA_TOOLS_LIB) throw new Error('scripts/kafka-local tools printed no KAFKA_TOOLS_LIB');
    return vars.KAFKA_TOOLS_LIB;
  });
  return toolsLib;
}

/** Starts brokers of this test's own in a directory of its own (see scripts/kafka-local). */
export async function startLocalKafka(options: LocalKafkaOptions = {}): Promise<LocalKafka> {
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'ks-kafka-')));
  const args = ['start', '--version', options.version ?? '4.1.1', '--nodes', String(options.nodes ?? 1), '--dir', dir];
  if (options.security) args.push('--security');
  const vars = await kafkaLocal(args);
  const env = kafkaEnvFrom(vars);
  if (!env) throw new Error(`scripts/kafka-local printed no KAFKA_BROKERS for ${dir}`);
  return {
    env,
    dir,
    vars,
    killNode: async (node) => void (await kafkaLocal(['kill-node', String(node), '--dir', dir])),
    startNode: async (node) => void (await kafkaLocal(['start-node', String(node), '--dir', dir])),
    stop: async () => {
      await kafkaLocal(['stop', '--dir', dir]);
      if (ownsDir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A mkdir-based lock: atomic on every file system, and needs no extra package. */
async function withLock<T>(path: string, body: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      await mkdir(path);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A lock older than the deadline belongs to a dead process.
      const age = Date.now() - (await stat(path).then((s) => s.mtimeMs, () => Date.now()));
      if (age > 10 * 60_000) await rm(path, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for the lock ${path}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await body();
  } finally {
    await rm(path, { recursive: true, force: true });
  }
}

async function containerKafka(version: string): Promise<KafkaEnv | undefined> {
  // The apache/kafka image exists for 3.7 and later; older versions run locally.
  if (!/^(3\.[7-9]|[4-9])\./.test(version)) return undefined;
  const { GenericContainer, Wait } = await import('testcontainers');
  // Same port inside and outside, so the advertised listener is right from both sides.
  const port = await freePort();
  const container = await new GenericContainer(`apache/kafka:${version}`)
    .withExposedPorts({ container: port, host: port })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${port},CONTROLLER://0.0.0.0:9093`,
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${port}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  process.once('exit', () => void container.stop());
  return { brokers: [`127.0.0.1:${port}`], version };
}

let shared: Promise<KafkaEnv> | undefined;

/**
 * The brokers every integration test of this run shares. Security listeners are only present
 * when the run's brokers were started with `--security` (the test command does that) or when
 * this fixture starts local brokers itself.
 */
export function kafkaEnv(): Promise<KafkaEnv> {
  shared ??= (async () => {
    const fromEnv = kafkaEnvFrom(process.env);
    if (fromEnv) return fromEnv;
    const version = (process.env.KAFKA_VERSION ?? '4.1.1') as KafkaVersion;
    if (await dockerAvailable()) {
      const env = await containerKafka(version);
      if (env) return env;
    }
    // Shared by every test file of this checkout; left running for the next run (stop it with
    // `scripts/kafka-local stop --dir .kafka/fixture-<version>`).
    const dir = join(repoRoot, '.kafka', `fixture-${version}`);
    await mkdir(join(repoRoot, '.kafka'), { recursive: true });
    const vars = await withLock(`${dir}.lock`, () =>
      kafkaLocal(['start', '--version', version, '--security', '--dir', dir]),
    );
    const env = kafkaEnvFrom(vars);
    if (!env) throw new Error(`scripts/kafka-local printed no KAFKA_BROKERS for ${dir}`);
    return env;
  })();
  return shared;
}

/** Security settings, or a clear failure when this run's brokers have no security listeners. */
export async function kafkaSecurityEnv(): Promise<KafkaSecurityEnv & { version: string }> {
  const env = await kafkaEnv();
  if (!env.security) {
    throw new Error('these brokers have no security listeners: start them with scripts/kafka-local start --security');
  }
  return { ...env.security, version: env.version };
}

/** Security settings of brokers whose SASL listeners accept OAUTHBEARER (unsecured JWTs). */
export async function kafkaOAuthEnv(): Promise<KafkaSecurityEnv & { version: string }> {
  const env = await kafkaSecurityEnv();
  if (!env.mechanisms.includes('OAUTHBEARER')) {
    throw new Error(
      `these brokers do not say they accept OAUTHBEARER (KAFKA_SASL_MECHANISMS=${env.mechanisms.join(',') || 'unset'}): ` +
        'they were started by an older scripts/kafka-local; stop and start them again',
    );
  }
  return env;
}
