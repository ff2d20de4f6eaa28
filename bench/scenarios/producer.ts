/**
 * Benchmark scenario "producer": produce 1M records of 100 B and 100k records of 1 KiB, with
 * acks=1 and acks=all, uncompressed and LZ4 (8 cases, one topic of PARTITIONS partitions each), with
 * this project's producer actor, KafkaJS 2.2.4, @platformatic/kafka 1.35 and the Java client's
 * ProducerPerformance, alternating on the same brokers, beside a reference line of what the
 * broker accepts over one connection from a client that costs nothing (bench/producer/ceiling.ts):
 *   eval "$(scripts/kafka-local start --dir /dev/shm/kafka-bench --config log.retention.check.interval.ms=2000)"
 *   npx tsc -p tsconfig.json
 *   KAFKA_BROKERS=$KAFKA_BROKERS npm run bench -- producer            # full scale
 *   KAFKA_BROKERS=$KAFKA_BROKERS npm run bench -- producer --quick    # a tenth of the records
 * BENCH_PRODUCER_SCALE=0.05 scales the record counts by any factor in (0, 1] instead.
 *
 * Candidates and fairness: bench/producer/*.ts. Every run ends with a check that the topic grew
 * by exactly the records sent.
 *
 * The bench broker (the start command above) keeps its log on tmpfs and drops old data every
 * 2 s, and BENCH_TOPIC_CONFIGS keeps each partition small; setup warns when KAFKA_DIR's broker
 * is not set up so. A full run writes about 12 GB. On the project's VMs a page the guest has
 * not used for a while costs a fault in the host on first touch (1 GB: ~400 MB/s first, 2.5
 * GB/s again), so a broker that keeps taking new pages (a disk's page cache or a growing
 * tmpfs) is bounded at ~250 MB/s: the broker-ceiling line at 1 KiB uncompressed fell from
 * ~500k to ~240k records/s after a few GB, and so did everyone fast. Small segments deleted
 * within seconds free pages that the next writes reuse while they are still warm.
 */
import { mkdtempSync, readFileSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTopics } from '../../machines/admin/create-topics.js';
import { deleteTopics } from '../../machines/admin/delete-topics.js';
import { ClusterClient } from '../../machines/cluster/cluster-client.js';
import { awaitLeaders, BATCH_BYTES, CASES, IN_FLIGHT, LINGER_MS, PARTITIONS, WARMUP_SHARE, writePayloads, type CaseRun, type ProducerSetup } from '../producer/cases.js';
import { runCeiling } from '../producer/ceiling.js';
import { javaCommand } from '../producer/java.js';
import { kafkaToolsLib, kafkaToolsVersion } from '../../test/helpers/kafka.js';
import { runKafkaJs, runPlatformatic } from '../producer/js-clients.js';
import { runOurs } from '../producer/ours.js';
import type { MetricSpec, Scenario, SetupContext } from '../lib/scenario.js';
import { withCluster as withClusterOf } from '../lib/cluster.js';

const TIMEOUT_MS = 60_000;

/**
 * 4 MiB segments, 16 MiB kept per partition, deleted files gone at once: with the broker's
 * retention check every 2 s the whole bench stays within about a GB of broker memory. The end
 * offsets the growth checks read do not move when old segments go.
 */
export const BENCH_TOPIC_CONFIGS = {
  'segment.bytes': String(4 * 1024 * 1024),
  'retention.bytes': String(16 * 1024 * 1024),
  'file.delete.delay.ms': '0',
} as const;

/** Most the bench broker's log.retention.check.interval.ms may be (its default is 300000). */
export const RETENTION_CHECK_MAX_MS = 5000;

/** statfs f_type of tmpfs (linux/magic.h). */
const TMPFS_MAGIC = 0x01021994;

export interface BrokerFacts {
  readonly statfs: (path: string) => { type: number };
  readonly readFile: (path: string) => string;
}

const realFacts: BrokerFacts = { statfs: statfsSync, readFile: (path) => readFileSync(path, 'utf8') };

/**
 * What is wrong with the bench broker that KAFKA_DIR names (a kafka-local directory), each a
 * sentence; none when its log is on tmpfs and node 1 checks retention often enough.
 */
export function brokerSetupProblems(env: NodeJS.ProcessEnv = process.env, facts: BrokerFacts = realFacts): string[] {
  const dir = env.KAFKA_DIR;
  if (dir === undefined || dir === '') return ['KAFKA_DIR is not set, so how the broker keeps its log is unknown'];
  const problems: string[] = [];
  try {
    if (facts.statfs(dir).type !== TMPFS_MAGIC) problems.push(`the broker's log (${dir}) is not on tmpfs`);
  } catch (err) {
    problems.push(`cannot stat the broker's directory ${dir}: ${(err as Error).message}`);
  }
  const file = join(dir, 'node-1', 'server.properties');
  try {
    // Java's Properties keeps the last value of a key.
    const values = [...facts.readFile(file).matchAll(/^log\.retention\.check\.interval\.ms=(\d+)\s*$/gm)];
    const ms = values.length > 0 ? Number(values.at(-1)![1]) : 300_000;
    if (ms > RETENTION_CHECK_MAX_MS) problems.push(`the broker checks retention every ${ms} ms, more than ${RETENTION_CHECK_MAX_MS}`);
  } catch (err) {
    problems.push(`cannot read ${file}: ${(err as Error).message}`);
  }
  return problems;
}

function brokersFromEnv(): string {
  const list = (process.env.KAFKA_BROKERS ?? '').split(',').map((b) => b.trim()).filter((b) => b !== '');
  if (list.length === 0) throw new Error('the producer scenario needs brokers: set KAFKA_BROKERS (eval "$(scripts/kafka-local start)")');
  return list.join(',');
}

/** --quick is a tenth; BENCH_PRODUCER_SCALE (0 < s <= 1) wins over both. */
export function scaleFactor(ctx: SetupContext, env: NodeJS.ProcessEnv = process.env): number {
  const text = env.BENCH_PRODUCER_SCALE;
  if (text === undefined || text === '') return ctx.quick ? 0.1 : 1;
  const scale = Number(text);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 1) throw new Error(`BENCH_PRODUCER_SCALE must be a number in (0, 1], got "${text}"`);
  return scale;
}

async function withCluster<T>(brokers: string, body: (client: ClusterClient) => Promise<T>): Promise<T> {
  return withClusterOf(brokers.split(','), 'bench-producer-setup', TIMEOUT_MS, body);
}

const caseLabel = (c: (typeof CASES)[number]): string =>
  `${c.valueBytes === 100 ? '100 B' : '1 KiB'}, acks=${c.acks === 'all' ? 'all' : '1'}, ${c.compression === 'lz4' ? 'LZ4' : 'uncompressed'}`;

const metrics: MetricSpec[] = CASES.flatMap((c) => [
  { name: `rps_${c.id}`, unit: 'records/s', better: 'higher' as const, description: `${caseLabel(c)}: records from the first send to the last acknowledgement` },
  { name: `mbps_${c.id}`, unit: 'MB/s', better: 'higher' as const, description: `${caseLabel(c)}: value bytes (10^6) per second` },
  { name: `cpu_per_m_${c.id}`, unit: 's', better: 'lower' as const, description: `${caseLabel(c)}: client CPU seconds per million records (Java: whole JVM, start-up included)` },
]);

export const scenario: Scenario = {
  name: 'producer',
  description:
    'Produce 1M records of 100 B and 100k records of 1 KiB (null keys, JSON-like values from one payload file), acks=1 and acks=all, ' +
    `uncompressed and LZ4, one topic of ${PARTITIONS} partitions per case (the broker's log on tmpfs in small segments that go within ` +
    `seconds, so that neither disk write-back nor fresh memory bounds the broker), with machines/producer against KafkaJS 2.2.4, @platformatic/kafka 1.35 ` +
    `and the Java client's ProducerPerformance (kafka-tools ${kafkaToolsVersion}). Every candidate gets batches of ${BATCH_BYTES} B, ` +
    'each Node candidate sends one batch of records per call to one partition, round robin over the partitions (the Java tool\'s ' +
    'sticky partitioner does the same), ' +
    `${IN_FLIGHT} requests in flight and, where it has one, linger ${LINGER_MS} ms; ours and Java are idempotent with acks=all, the two ` +
    'JS libraries run without idempotence (cheaper for them). KafkaJS gets lz4-napi for LZ4 (it has none built in); @platformatic/kafka ' +
    "uses its built-in WebAssembly LZ4. Each Node candidate first sends a fifth of each case's records to a warm-up topic, unmeasured " +
    "(the sidecar is a long-running process, so steady state is what apps see); the Java tool has no warm-up, one JVM per case. " +
    'broker-ceiling is not a client: it writes Produce requests encoded before the clock (same batches, one for every partition ' +
    'in each request, no idempotence) to one plain socket with the same requests in flight, so it shows the most this broker on ' +
    'this machine takes over one connection (a broker handles one request per connection at a time); its ratio is the share of ' +
    'that ceiling this project reaches. ' +
    "Rates run from the first send to the last acknowledgement (Java: the tool's own figure); " +
    'CPU per million is the process CPU during that window for Node candidates, the whole JVM (start-up and JIT included) for Java. ' +
    'cpu_seconds and peak_rss cover each whole candidate process (Java: the largest of its JVMs). Each run checks that the topic grew ' +
    'by exactly the records sent. --quick (or BENCH_PRODUCER_SCALE) scales the counts down; at those sizes each JVM spends much of ' +
    "its case warming up (JIT), so Java's quick figures are well below its steady state.",
  metrics,
  reps: 3,
  warmup: 1,
  timeoutSeconds: 1800,
  setup: async (ctx) => {
    const brokers = brokersFromEnv();
    for (const problem of brokerSetupProblems()) {
      console.error(`bench producer: warning: ${problem}; the broker's memory may bound the 1 KiB cases (see the start command in bench/scenarios/producer.ts)`);
    }
    const scale = scaleFactor(ctx);
    const dir = mkdtempSync(join(tmpdir(), 'bench-producer-'));
    const payloadFiles = new Map<number, string>();
    for (const size of new Set(CASES.map((c) => c.valueBytes))) {
      const file = join(dir, `payloads-${size}.txt`);
      writePayloads(file, size);
      payloadFiles.set(size, file);
    }
    const stamp = `${process.pid}-${Date.now()}`;
    const cases: CaseRun[] = CASES.map((c) => ({
      id: c.id,
      topic: `bench-producer-${c.id.replace(/_/g, '-')}-${stamp}`,
      partitions: PARTITIONS,
      records: Math.max(1, Math.round(c.fullRecords * scale)),
      warmupTopic: `bench-producer-${c.id.replace(/_/g, '-')}-warmup-${stamp}`,
      warmupRecords: Math.round(c.fullRecords * scale * WARMUP_SHARE),
      valueBytes: c.valueBytes,
      acks: c.acks,
      compression: c.compression,
      payloadFile: payloadFiles.get(c.valueBytes)!,
    }));
    await withCluster(brokers, async (cluster) => {
      const created = await createTopics(cluster, cases.flatMap((c) => [c.topic, c.warmupTopic]).map((name) => ({ name, partitions: PARTITIONS, configs: BENCH_TOPIC_CONFIGS })), { timeoutMs: TIMEOUT_MS });
      const failed = created.find((r) => r.error);
      if (failed?.error) throw failed.error;
    });
    await awaitLeaders(brokers, cases.flatMap((c) => [c.topic, c.warmupTopic]), PARTITIONS);
    const javaClasspath = await kafkaToolsLib();
    const setup: ProducerSetup & { dir: string } = { brokers, cases, javaClasspath, dir };
    return setup as unknown as Record<string, never>;
  },
  teardown: async (value) => {
    const setup = value as unknown as ProducerSetup & { dir: string };
    try {
      await withCluster(setup.brokers, (cluster) => deleteTopics(cluster, setup.cases.flatMap((c) => [c.topic, c.warmupTopic]), { timeoutMs: TIMEOUT_MS }));
    } finally {
      rmSync(setup.dir, { recursive: true, force: true });
    }
  },
  candidates: [
    { name: 'kafka-sidecar', description: `machines/producer actor over a ClusterClient, in-process, linger ${LINGER_MS} ms, batchBytes ${BATCH_BYTES}, idempotent on the acks=all lane`, run: runOurs },
    { name: '@platformatic/kafka', description: `@platformatic/kafka 1.35 Producer.send() of ${BATCH_BYTES} B of values per call, ${IN_FLIGHT} calls in flight, built-in LZ4`, run: runPlatformatic },
    { name: 'kafkajs', description: `KafkaJS 2.2.4 producer.send() of ${BATCH_BYTES} B of values per call, ${IN_FLIGHT} calls in flight, lz4-napi for LZ4`, run: runKafkaJs },
    { name: 'broker-ceiling', description: `reference, not a client: pre-encoded Produce requests of ${BATCH_BYTES} B batches on one socket, ${IN_FLIGHT} in flight`, run: runCeiling },
    { name: 'java-producer-perf', description: `Kafka ${kafkaToolsVersion} ProducerPerformance, batch.size ${BATCH_BYTES}, linger.ms ${LINGER_MS}, one JVM per case`, command: javaCommand },
  ],
};
