// scripts/kafka-local against real JVMs: every cluster here lives in a temporary directory
// of its own, so these tests neither see nor disturb the brokers of the rest of the suite.
// They run once per suite (standalone); the security listeners are proven per Kafka version
// against the matrix's brokers in test/integration/scripts/kafka-local-security.test.ts.
// Clusters are started one at a time (test.serial): the machines have two cores.
import test from 'ava';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnvLines } from '../../../daemon/env-lines.js';
import { kcatOk } from '../../helpers/kcat.js';
import { repoRoot } from '../../helpers/repo.js';

const script = join(repoRoot, 'scripts', 'kafka-local');

interface ScriptResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly vars: Record<string, string>;
}

/** Runs the script with node directly, so a PATH without java still finds node. */
function kafkaLocal(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr, vars: parseEnvLines(stdout) }));
  });
}

async function kafkaLocalOk(args: string[], env?: NodeJS.ProcessEnv): Promise<ScriptResult> {
  const result = await kafkaLocal(args, env);
  if (result.code !== 0) throw new Error(`kafka-local ${args.join(' ')} exited ${result.code}:\n${result.stderr}`);
  return result;
}

/** Processes whose command line mentions `dir`: the JVMs a cluster in `dir` would run. */
async function processesOf(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.split('\0').some((arg) => arg.includes(dir))) pids.push(Number(entry));
  }
  return pids;
}

async function pidFilesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return entries.filter((e) => e.endsWith('.pid'));
}

async function tempDir(t: { teardown: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kafka-local-test-'));
  t.teardown(async () => {
    // Whatever a failed assertion left behind is stopped before the directory goes.
    await kafkaLocal(['stop', '--dir', dir]);
    await rm(dir, { recursive: true, force: true });
  });
  return dir;
}

interface KcatMetadata {
  brokers: { id: number; name: string }[];
  topics: { topic: string; partitions: { partition: number; replicas: { id: number }[] }[] }[];
}

async function kcatMetadata(brokers: string, topic?: string): Promise<KcatMetadata> {
  const out = await kcatOk(['-b', brokers, '-L', '-J', ...(topic ? ['-t', topic] : [])]);
  return JSON.parse(out.toString('utf8')) as KcatMetadata;
}

async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function roundTrip(brokers: string, extra: string[] = []): Promise<string> {
  const topic = `kafka-local-${randomUUID()}`;
  const value = `value-${randomUUID()}`;
  await kcatOk(['-b', brokers, ...extra, '-P', '-t', topic], `${value}\n`);
  const out = await kcatOk(['-b', brokers, ...extra, '-C', '-t', topic, '-o', 'beginning', '-c', '1', '-e']);
  return out.toString('utf8') === `${value}\n` ? 'ok' : `read back ${JSON.stringify(out.toString('utf8'))}`;
}

test.serial('start, status, a second start and stop of one 4.1.1 broker', async (t) => {
  const dir = await tempDir(t);
  const started = await kafkaLocalOk(['start', '--version', '4.1.1', '--dir', dir]);
  // stdout is nothing but KEY=value lines, so `eval "$(scripts/kafka-local start)"` works.
  for (const line of started.stdout.trimEnd().split('\n')) t.regex(line, /^[A-Z][A-Z0-9_]*=\S*$/);
  const vars = started.vars;
  t.regex(vars.KAFKA_BROKERS ?? '', /^127\.0\.0\.1:\d+$/);
  t.is(vars.KAFKA_VERSION, '4.1.1');
  t.is(vars.KAFKA_DIR, dir);
  t.is(vars.KAFKA_NODES, '1');
  t.is(vars.KAFKA_NODE_1, vars.KAFKA_BROKERS);
  t.false('KAFKA_SASL_PLAINTEXT_BROKERS' in vars, 'no security variables without --security');

  const metadata = await kcatMetadata(vars.KAFKA_BROKERS!);
  t.deepEqual(metadata.brokers.map((b) => b.name), [vars.KAFKA_BROKERS]);
  t.is(await roundTrip(vars.KAFKA_BROKERS!), 'ok');

  const status = await kafkaLocal(['status', '--dir', dir]);
  t.is(status.code, 0);
  t.deepEqual(status.vars, vars);
  t.regex(status.stderr, /node-1: running, pid \d+/);

  const again = await kafkaLocal(['start', '--version', '4.1.1', '--dir', dir, '--config', 'num.io.threads=4']);
  t.is(again.code, 0);
  t.deepEqual(again.vars, vars);
  t.regex(again.stderr, /already runs/);
  t.regex(again.stderr, /--config num\.io\.threads=4 not applied: stop the cluster first/);
  t.is((await processesOf(dir)).length, 1, 'a second start starts no second broker');

  const stopped = await kafkaLocalOk(['stop', '--dir', dir]);
  t.regex(stopped.stderr, /stopped node-1/);
  t.deepEqual(await processesOf(dir), []);
  t.deepEqual(await pidFilesIn(dir), []);
  const after = await kafkaLocal(['status', '--dir', dir]);
  t.is(after.code, 3);
  t.is(after.stdout, '');

  // A start on a stopped directory wipes it: a fresh cluster, without the old topics. This one
  // gets two --config settings; the broker's own startup log shows the values it runs with.
  const fresh = await kafkaLocalOk(['start', '--dir', dir, '--config', 'log.retention.check.interval.ms=2000', '--config=num.io.threads=3']);
  t.regex(fresh.stderr, /wiping the stopped cluster/);
  const freshMetadata = await kcatMetadata(fresh.vars.KAFKA_BROKERS!);
  t.deepEqual(freshMetadata.topics.filter((tp) => tp.topic.startsWith('kafka-local-')), []);
  const serverLog = await readFile(join(dir, 'node-1', 'server.log'), 'utf8');
  t.regex(serverLog, /\blog\.retention\.check\.interval\.ms = 2000\b/);
  t.regex(serverLog, /\bnum\.io\.threads = 3\b/);
  await kafkaLocalOk(['stop', '--dir', dir]);
});

test('a --config that is not one KEY=VALUE line fails with a message naming it, before anything starts', async (t) => {
  const dir = await tempDir(t);
  for (const bad of ['log.retention.check.interval.ms', '=5', 'Log.Dirs=/x', 'a=b\nc=d']) {
    const result = await kafkaLocal(['start', '--dir', dir, '--config', bad]);
    t.is(result.code, 2, bad);
    t.true(result.stderr.includes(`--config needs KEY=VALUE`) && result.stderr.includes(JSON.stringify(bad)), result.stderr);
  }
  t.deepEqual(await readdir(dir), []);
});

test('an unknown version fails with a message naming it', async (t) => {
  const dir = await tempDir(t);
  const result = await kafkaLocal(['start', '--version', '9.9.9', '--dir', dir]);
  t.not(result.code, 0);
  t.is(result.stdout, '');
  t.regex(result.stderr, /UNKNOWN_VERSION: unknown Kafka version "9\.9\.9": supported are 4\.1\.1, 3\.9\.1, 2\.8\.2/);
  t.deepEqual(await readdir(dir), []);
});

test('without java on PATH or JAVA_HOME the start fails clearly and starts nothing', async (t) => {
  const dir = await tempDir(t);
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: join(dir, 'no-bin') };
  delete env.JAVA_HOME;
  const result = await kafkaLocal(['start', '--dir', dir], env);
  t.not(result.code, 0);
  t.is(result.stdout, '');
  t.regex(result.stderr, /JAVA_NOT_FOUND: java is not on PATH and JAVA_HOME is not set/);
  t.deepEqual(await processesOf(dir), []);

  const wrongHome = await kafkaLocal(['start', '--dir', dir], { ...process.env, JAVA_HOME: join(dir, 'no-jdk') });
  t.not(wrongHome.code, 0);
  t.regex(wrongHome.stderr, /JAVA_NOT_FOUND: JAVA_HOME=.*no-jdk has no executable bin\/java/);
  t.deepEqual(await processesOf(dir), []);
});

test('a non-empty directory that kafka-local did not make is never wiped', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'precious.txt'), 'not a Kafka file\n');
  const result = await kafkaLocal(['start', '--dir', dir]);
  t.not(result.code, 0);
  t.regex(result.stderr, /NOT_A_KAFKA_LOCAL_DIR: .* refusing to wipe it/);
  t.true(existsSync(join(dir, 'precious.txt')));
});

test.serial('a taken port fails the start with PORT_IN_USE and leaves no process', async (t) => {
  const dir = await tempDir(t);
  const blocker: Server = await new Promise((resolve) => {
    // The broker's own clients connect to the advertised port, i.e. here: drop them at once,
    // or close() below would wait for them forever.
    const server = createServer((socket) => socket.destroy());
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
  t.teardown(() => new Promise<void>((r) => blocker.close(() => r())));
  const address = blocker.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const result = await kafkaLocal(['start', '--port', String(port), '--dir', dir]);
  t.is(result.code, 1);
  t.is(result.stdout, '');
  t.regex(result.stderr, new RegExp(`PORT_IN_USE: node-1 cannot listen: 127\\.0\\.0\\.1:${port} is already in use; see .*server\\.log`));
  t.deepEqual(await processesOf(dir), []);
  t.deepEqual(await pidFilesIn(dir), []);
});

test.serial('a picked port taken before the broker binds it: the start picks new ports once', async (t) => {
  const dir = await tempDir(t);
  const starting = kafkaLocal(['start', '--dir', dir]);
  // kafka-local.json names the ports before storage is formatted, a second or more before
  // the broker binds them: time enough to take node 1's port away.
  const stateFile = join(dir, 'kafka-local.json');
  await eventually('kafka-local.json is written', async () => existsSync(stateFile), 60_000);
  await new Promise((r) => setTimeout(r, 50));
  const state = JSON.parse(await readFile(stateFile, 'utf8')) as { ports: { plaintext: number }[] };
  const taken = state.ports[0]!.plaintext;
  const blocker = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => blocker.listen(taken, '127.0.0.1', () => resolve()));
  t.teardown(() => new Promise<void>((r) => blocker.close(() => r())));

  const result = await starting;
  t.is(result.code, 0, result.stderr);
  t.regex(result.stderr, new RegExp(`127\\.0\\.0\\.1:${taken} is already in use; starting again on other ports`));
  t.not(result.vars.KAFKA_BROKERS, `127.0.0.1:${taken}`);
  t.is((await kcatMetadata(result.vars.KAFKA_BROKERS!)).brokers.length, 1);
  await kafkaLocalOk(['stop', '--dir', dir]);
});

test.serial('a readiness timeout kills what was started', async (t) => {
  const dir = await tempDir(t);
  const result = await kafkaLocal(['start', '--dir', dir], { ...process.env, KAFKA_LOCAL_TIMEOUT: '0.5' });
  t.is(result.code, 1);
  t.is(result.stdout, '');
  t.regex(result.stderr, /READINESS_TIMEOUT: Kafka was not ready after \d+ s .*; see .*node-1\/server\.log/);
  t.deepEqual(await processesOf(dir), []);
  t.deepEqual(await pidFilesIn(dir), []);
});

test.serial('three nodes: metadata lists all, kill-node and start-node', async (t) => {
  const dir = await tempDir(t);
  const { vars } = await kafkaLocalOk(['start', '--nodes', '3', '--dir', dir]);
  t.is(vars.KAFKA_NODES, '3');
  const nodes = [vars.KAFKA_NODE_1!, vars.KAFKA_NODE_2!, vars.KAFKA_NODE_3!];
  t.deepEqual(vars.KAFKA_BROKERS!.split(','), nodes);
  const metadata = await kcatMetadata(vars.KAFKA_BROKERS!);
  t.deepEqual(metadata.brokers.map((b) => b.name).sort(), [...nodes].sort());

  // Auto-created topics get three replicas (default.replication.factor=3).
  const topic = `kafka-local-${randomUUID()}`;
  await kcatOk(['-b', vars.KAFKA_BROKERS!, '-P', '-t', topic, '-X', 'acks=all'], 'before\n');
  const topicMetadata = await kcatMetadata(vars.KAFKA_BROKERS!, topic);
  t.is(topicMetadata.topics[0]?.partitions[0]?.replicas.length, 3);

  await kafkaLocalOk(['kill-node', '2', '--dir', dir]);
  const degraded = await kafkaLocal(['status', '--dir', dir]);
  t.is(degraded.code, 2);
  t.regex(degraded.stderr, /node-2: stopped/);
  await eventually('node 2 leaves the metadata', async () => {
    const m = await kcatMetadata(vars.KAFKA_NODE_1!);
    return m.brokers.length === 2 && !m.brokers.some((b) => b.name === vars.KAFKA_NODE_2);
  });
  // min.insync.replicas=2: acks=all writes still succeed with one node down.
  await kcatOk(['-b', `${vars.KAFKA_NODE_1},${vars.KAFKA_NODE_3}`, '-P', '-t', topic, '-X', 'acks=all'], 'during\n');

  const restarted = await kafkaLocalOk(['start-node', '2', '--dir', dir]);
  t.regex(restarted.stderr, /node 2 is back/);
  const healed = await kcatMetadata(vars.KAFKA_NODE_1!);
  t.is(healed.brokers.length, 3);
  t.is((await kafkaLocal(['status', '--dir', dir])).code, 0);
  const out = await kcatOk(['-b', vars.KAFKA_NODE_2!, '-C', '-t', topic, '-o', 'beginning', '-c', '2', '-e']);
  t.is(out.toString('utf8'), 'before\nduring\n');

  await kafkaLocalOk(['stop', '--dir', dir]);
  t.deepEqual(await processesOf(dir), []);
});
