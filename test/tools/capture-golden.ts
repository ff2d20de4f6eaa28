/**
 * Captures golden protocol bytes from independent clients talking to real brokers, for
 * test/unit/protocol/golden.test.ts. Run by hand (it needs Java, kcat and a few minutes):
 *
 *   npx tsc -p tsconfig.json && node dist/test/tools/capture-golden.js [--versions 4.1.1,3.9.1,2.8.2]
 *
 * For each Kafka version it starts one broker with scripts/kafka-local, then restarts it
 * advertising the port of a RecordingProxy in front of it, so every connection a client opens
 * (bootstrap and the ones it learns from Metadata) passes the proxy unmodified. It then drives
 * kcat (librdkafka) and the Java client of the same Kafka version (test/tools/GoldenJavaClient.java)
 * through fixed scenarios and writes, per scenario, test/fixtures/golden/<version>/<capture>.bin
 * (the size-prefixed frames, back to back, as on the wire) and <capture>.json (the index).
 *
 * The proxy lowers the versions in the broker's ApiVersions answers to those our definitions
 * know (test/tools/cap-api-versions.ts) before the client sees them; the index lists what was
 * lowered (`versionCaps`), and the recorded ApiVersions response is the broker's original.
 *
 * Repetitive traffic (metadata refreshes, heartbeats, empty fetch polls) is thinned: a frame
 * whose bytes, ignoring the correlation id, equal an earlier one of the same API and version is
 * dropped, and at most MAX_FRAMES_PER_KIND frames per direction, API and version are kept,
 * except Produce requests and Fetch responses that carry records, which are all kept.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeResponseFrame } from '../../protocol/frame.js';
import { apiByKey } from '../../protocol/messages/registry.js';
import type { FetchResponse } from '../../protocol/messages/fetch.js';
import { freePort } from '../helpers/free-port.js';
import { repoRoot } from '../helpers/repo.js';
import { capApiVersions } from './cap-api-versions.js';
import { RecordingProxy, type RecordedFrame } from './recording-proxy.js';
import {
  GOLDEN_CODECS,
  GOLDEN_RECORDS_PER_TOPIC,
  expectedGoldenRecords,
  goldenTopic,
  type GoldenCapture,
  type GoldenClient,
  type GoldenFrameEntry,
} from './golden-format.js';

const MAX_FRAMES_PER_KIND = 4;
const FETCH_KEY = 1;
const PRODUCE_KEY = 0;

interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: string[], options: { input?: string; timeoutMs?: number; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd ?? repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

async function runOk(command: string, args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${String(result.code)}:\n${result.stderr.trim().split('\n').slice(-20).join('\n')}`);
  }
  return result.stdout;
}

/** A broker of one version whose advertised PLAINTEXT address is a recording proxy's. */
interface ProxiedBroker {
  readonly dir: string;
  readonly proxy: RecordingProxy;
  readonly bootstrap: string;
  /** What the proxy lowered in ApiVersions answers since the last `clear()`. */
  readonly versionCaps: Set<string>;
}

async function findFile(dir: string, name: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await findFile(path, name)));
    else if (entry.name === name) found.push(path);
  }
  return found;
}

async function startProxiedBroker(version: string): Promise<ProxiedBroker> {
  const dir = await mkdtemp(join(tmpdir(), `golden-${version}-`));
  const started = await runOk('scripts/kafka-local', ['start', '--version', version, '--dir', dir], { timeoutMs: 300_000 });
  const brokers = /^KAFKA_BROKERS=(.*)$/m.exec(started)?.[1];
  if (!brokers) throw new Error(`kafka-local printed no KAFKA_BROKERS:\n${started}`);
  const [host, port] = brokers.split(',')[0]!.split(':');
  const proxyPort = await freePort();
  // The broker must advertise the proxy, or clients would reach it directly after bootstrap.
  await runOk('scripts/kafka-local', ['kill-node', '1', '--dir', dir]);
  const configs = await findFile(dir, 'server.properties');
  if (configs.length !== 1) throw new Error(`expected one server.properties under ${dir}, found ${configs.length}`);
  const config = await readFile(configs[0]!, 'utf8');
  const advertised = `advertised.listeners=PLAINTEXT://${host}:${port}`;
  if (!config.includes(advertised)) throw new Error(`${configs[0]} has no line ${advertised}`);
  await writeFile(configs[0]!, config.replace(advertised, `advertised.listeners=PLAINTEXT://${host}:${proxyPort}`));
  const versionCaps = new Set<string>();
  const proxy = await RecordingProxy.start({
    targetHost: host!,
    targetPort: Number(port),
    port: proxyPort,
    rewriteResponse: (frame) => {
      const capped = capApiVersions(frame);
      for (const cap of capped?.caps ?? []) versionCaps.add(cap.note);
      return capped?.frame;
    },
  });
  await runOk('scripts/kafka-local', ['start-node', '1', '--dir', dir], { timeoutMs: 300_000 });
  return { dir, proxy, bootstrap: `127.0.0.1:${proxyPort}`, versionCaps };
}

async function stopProxiedBroker(broker: ProxiedBroker): Promise<void> {
  await broker.proxy.close();
  await run('scripts/kafka-local', ['stop', '--dir', broker.dir], { timeoutMs: 120_000 });
  await rm(broker.dir, { recursive: true, force: true });
}

/** Fetch responses that carry at least one byte of records: always kept. */
function fetchResponseHasRecords(frame: RecordedFrame): boolean {
  try {
    const { body } = decodeResponseFrame(FETCH_KEY, frame.apiVersion, frame.frame) as { body: FetchResponse };
    return body.responses.some((t) => t.partitions.some((p) => (p.records?.length ?? 0) > 0));
  } catch {
    // Undecodable here means the golden test will fail on it: keep it so the failure shows.
    return true;
  }
}

function correlationIdOffset(frame: RecordedFrame): number {
  return frame.direction === 'request' ? 4 : 0;
}

function selectFrames(frames: readonly RecordedFrame[]): RecordedFrame[] {
  const seen = new Set<string>();
  const perKind = new Map<string, number>();
  return frames.filter((f) => {
    const alwaysKeep =
      (f.direction === 'request' && f.apiKey === PRODUCE_KEY) ||
      (f.direction === 'response' && f.apiKey === FETCH_KEY && fetchResponseHasRecords(f));
    if (alwaysKeep) return true;
    const kind = `${f.direction}/${f.apiKey}/${f.apiVersion}`;
    const normalized = Buffer.from(f.frame);
    normalized.writeInt32BE(0, correlationIdOffset(f));
    const identity = `${kind}/${normalized.toString('base64')}`;
    if (seen.has(identity)) return false;
    seen.add(identity);
    const count = perKind.get(kind) ?? 0;
    if (count >= MAX_FRAMES_PER_KIND) return false;
    perKind.set(kind, count + 1);
    return true;
  });
}

async function writeCapture(
  outDir: string,
  capture: Omit<GoldenCapture, 'frames' | 'file'>,
  frames: readonly RecordedFrame[],
  problems: readonly Error[],
): Promise<void> {
  if (problems.length > 0) throw new Error(`${capture.name}: ${problems.map((p) => p.message).join('; ')}`);
  const kept = selectFrames(frames);
  if (kept.length === 0) throw new Error(`${capture.name}: no frames were recorded`);
  const parts: Buffer[] = [];
  const entries: GoldenFrameEntry[] = [];
  let offset = 0;
  for (const f of kept) {
    const size = Buffer.alloc(4);
    size.writeInt32BE(f.frame.length);
    parts.push(size, f.frame);
    entries.push({
      direction: f.direction,
      connection: f.connection,
      apiKey: f.apiKey,
      api: apiByKey.get(f.apiKey)?.name ?? `unknown-${f.apiKey}`,
      apiVersion: f.apiVersion,
      correlationId: f.correlationId,
      offset: offset + 4,
      length: f.frame.length,
    });
    offset += 4 + f.frame.length;
  }
  const file = `${capture.name}.bin`;
  await writeFile(join(outDir, file), Buffer.concat(parts));
  const index: GoldenCapture = { ...capture, file, frames: entries };
  await writeFile(join(outDir, `${capture.name}.json`), `${JSON.stringify(index, null, 1)}\n`);
  console.log(`  ${capture.name}: ${kept.length} of ${frames.length} frames, ${offset} bytes`);
}

/** Waits for in-flight responses after a client exits (the proxy sees them a moment later). */
async function settle(): Promise<void> {
  await sleep(300);
}

interface Scenario {
  readonly name: string;
  readonly client: GoldenClient;
  readonly description: string;
  readonly topics: readonly string[];
  run(bootstrap: string): Promise<void>;
}

function kcatInput(client: GoldenClient, codec: string): string {
  return expectedGoldenRecords(client, codec)
    .map((r) => `${r.key}:${r.value}\n`)
    .join('');
}

function scenarios(version: string): Scenario[] {
  const lib = join(repoRoot, '.cache', 'kafka', version, 'lib', '*');
  const javaSource = join(repoRoot, 'test', 'tools', 'GoldenJavaClient.java');
  const java = (args: string[]): Promise<string> =>
    runOk('java', ['-Xmx256m', '-XX:TieredStopAtLevel=1', '-cp', lib, javaSource, ...args], { timeoutMs: 120_000 });
  const kcatTopics = GOLDEN_CODECS.map((c) => goldenTopic('kcat', c));
  const javaTopics = GOLDEN_CODECS.map((c) => goldenTopic('java', c));
  const total = GOLDEN_CODECS.length * GOLDEN_RECORDS_PER_TOPIC;
  const checkConsumed = (output: string, client: GoldenClient): void => {
    const lines = output.trim().split('\n').sort();
    const expected = GOLDEN_CODECS.flatMap((c) => expectedGoldenRecords(client, c).map((r) => `${r.key}\t${r.value}`)).sort();
    if (lines.join('\n') !== expected.join('\n')) throw new Error(`${client} consumed:\n${output}\nexpected:\n${expected.join('\n')}`);
  };
  return [
    {
      name: 'java-create-topics',
      client: 'java',
      description: 'Java AdminClient creates the topics of the other captures',
      topics: [],
      run: async (bootstrap) => {
        await java(['create-topics', bootstrap, ...kcatTopics, ...javaTopics]);
      },
    },
    {
      name: 'kcat-metadata',
      client: 'kcat',
      description: 'kcat -L: ApiVersions and Metadata for all topics',
      topics: [],
      run: async (bootstrap) => {
        await runOk('kcat', ['-b', bootstrap, '-L']);
      },
    },
    {
      name: 'kcat-produce',
      client: 'kcat',
      description: `kcat -P -K: with each codec (-z), ${GOLDEN_RECORDS_PER_TOPIC} keyed records per topic`,
      topics: kcatTopics,
      run: async (bootstrap) => {
        for (const codec of GOLDEN_CODECS) {
          await runOk('kcat', ['-b', bootstrap, '-P', '-t', goldenTopic('kcat', codec), '-z', codec, '-K', ':', '-X', 'linger.ms=200'], {
            input: kcatInput('kcat', codec),
          });
        }
      },
    },
    {
      name: 'kcat-consume',
      client: 'kcat',
      description: 'kcat -C -o beginning -e on each topic: ListOffsets and Fetch',
      topics: kcatTopics,
      run: async (bootstrap) => {
        for (const topic of kcatTopics) {
          const out = await runOk('kcat', ['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-f', '%k\t%s\n']);
          if (out.trim().split('\n').length !== GOLDEN_RECORDS_PER_TOPIC) throw new Error(`kcat -C ${topic} printed:\n${out}`);
        }
      },
    },
    {
      name: 'kcat-group',
      client: 'kcat',
      description: 'kcat -G: a balanced consumer group over all kcat topics (FindCoordinator, JoinGroup, SyncGroup, OffsetFetch, Fetch, OffsetCommit, LeaveGroup)',
      topics: kcatTopics,
      run: async (bootstrap) => {
        const out = await runOk('kcat', ['-b', bootstrap, '-G', 'golden-kcat-group', '-o', 'beginning', '-e', '-f', '%k\t%s\n', ...kcatTopics], {
          timeoutMs: 90_000,
        });
        checkConsumed(out, 'kcat');
      },
    },
    {
      name: 'java-produce',
      client: 'java',
      description: `Java KafkaProducer with each compression.type, ${GOLDEN_RECORDS_PER_TOPIC} keyed records per topic`,
      topics: javaTopics,
      run: async (bootstrap) => {
        for (const codec of GOLDEN_CODECS) {
          await java(['produce', bootstrap, goldenTopic('java', codec), codec, String(GOLDEN_RECORDS_PER_TOPIC)]);
        }
      },
    },
    {
      name: 'java-consume',
      client: 'java',
      description: 'Java KafkaConsumer in a group over all java topics, committing at the end',
      topics: javaTopics,
      run: async (bootstrap) => {
        checkConsumed(await java(['consume', bootstrap, 'golden-java-group', String(total), ...javaTopics]), 'java');
      },
    },
  ];
}

async function clientVersion(client: GoldenClient, version: string): Promise<string> {
  if (client === 'java') return `kafka-clients ${version}`;
  const out = await runOk('kcat', ['-V']);
  const match = /Version (\S+) .*librdkafka (\S+)/.exec(out);
  if (!match) throw new Error(`cannot read the versions in kcat -V:\n${out}`);
  return `kcat ${match[1]}, librdkafka ${match[2]}`;
}

async function captureVersion(version: string, outRoot: string): Promise<void> {
  console.log(`Kafka ${version}: starting a broker behind a recording proxy`);
  const broker = await startProxiedBroker(version);
  try {
    const outDir = join(outRoot, version);
    await rm(outDir, { recursive: true, force: true });
    await mkdir(outDir, { recursive: true });
    for (const scenario of scenarios(version)) {
      broker.proxy.clear();
      broker.versionCaps.clear();
      await scenario.run(broker.bootstrap);
      await settle();
      await writeCapture(
        outDir,
        {
          name: scenario.name,
          client: scenario.client,
          clientVersion: await clientVersion(scenario.client, version),
          kafkaVersion: version,
          description: scenario.description,
          versionCaps: [...broker.versionCaps].sort(),
          topics: Object.fromEntries(
            scenario.topics.map((t) => {
              const codec = t.slice(t.lastIndexOf('-') + 1);
              return [t, { codec, records: expectedGoldenRecords(scenario.client, codec) }];
            }),
          ),
        },
        broker.proxy.frames(),
        broker.proxy.problems(),
      );
    }
  } finally {
    await stopProxiedBroker(broker);
  }
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--versions');
  const versions = i >= 0 ? (process.argv[i + 1] ?? '').split(',') : ['4.1.1', '3.9.1', '2.8.2'];
  const outRoot = join(repoRoot, 'test', 'fixtures', 'golden');
  for (const version of versions) await captureVersion(version, outRoot);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
