/**
 * Benchmark scenario "consumer": consume N records of 100 bytes (4 partitions, produced once
 * by kcat in setup) from the earliest offset, with this project's fetcher, KafkaJS 2.2.4 and
 * @platformatic/kafka 1.35, against the brokers in KAFKA_BROKERS:
 *   eval "$(scripts/kafka-local start --dir .kafka/bench)"; npx tsc -p tsconfig.json
 *   KAFKA_BROKERS=$KAFKA_BROKERS npm run bench -- consumer
 *
 * Fairness notes: the rate is counted from the first record received to the N-th, so the
 * group join KafkaJS and @platformatic/kafka need (our fetcher is handed its partitions, as a
 * group actor will hand them) is not in it; it is in cpu_seconds and wall_seconds, which cover
 * each whole process. Every candidate touches each record once (counts it and its value's
 * length), asks for up to 1 MiB per partition and waits at most 100 ms per fetch, and commits
 * nothing.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createTopics } from '../../machines/admin/create-topics.js';
import { deleteTopics } from '../../machines/admin/delete-topics.js';
import { ClusterClient } from '../../machines/cluster/cluster-client.js';
import { createFetcher } from '../../machines/fetcher/fetcher-machine.js';
import type { NodeCandidate, RunContext, Scenario } from '../lib/scenario.js';
import { kafkaToolsLib, kafkaToolsVersion } from '../../test/helpers/kafka.js';
import { withCluster as withClusterOf } from '../lib/cluster.js';

const require = createRequire(import.meta.url);
const PARTITIONS = 4;
const VALUE_BYTES = 100;
const TIMEOUT_MS = 60_000;

interface Setup {
  readonly brokers: string[];
  readonly topic: string;
  readonly records: number;
  /** kafka-tools and its dependencies, for the Java candidate. */
  readonly javaClasspath: string;
}

/**
 * Kafka's own ConsumerPerformance (Java client), which prints a header and one line of
 * figures. Its fetch.nMsg.sec leaves out the group join, like our records_per_s; MB/s is
 * recomputed from the record rate so every candidate counts value bytes the same way.
 */
export function parseConsumerPerformance(stdout: string, valueBytes: number): Record<string, number> {
  const lines = stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const headerAt = lines.findIndex((l) => l.startsWith('start.time'));
  if (headerAt < 0 || headerAt + 1 >= lines.length) throw new Error(`no ConsumerPerformance figures in: ${stdout.slice(-500)}`);
  const names = lines[headerAt]!.split(',').map((n) => n.trim());
  const values = lines[headerAt + 1]!.split(',').map((v) => v.trim());
  const field = (name: string): number => {
    const value = Number(values[names.indexOf(name)]);
    if (!Number.isFinite(value)) throw new Error(`ConsumerPerformance gave no ${name}: ${lines[headerAt + 1]}`);
    return value;
  };
  const rate = field('fetch.nMsg.sec');
  return { records_per_s: rate, mb_per_s: (rate * valueBytes) / 1e6 };
}

function brokersFromEnv(): string[] {
  const list = (process.env.KAFKA_BROKERS ?? '').split(',').map((b) => b.trim()).filter((b) => b !== '');
  if (list.length === 0) throw new Error('the consumer scenario needs brokers: set KAFKA_BROKERS (eval "$(scripts/kafka-local start)")');
  return list;
}

async function withCluster<T>(brokers: readonly string[], body: (client: ClusterClient) => Promise<T>): Promise<T> {
  return withClusterOf(brokers, 'bench-consumer', TIMEOUT_MS, body);
}

/** N lines of 100 bytes through kcat -P (librdkafka batches them well). */
function produce(brokers: readonly string[], topic: string, records: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', ['-P', '-b', brokers.join(','), '-t', topic, '-X', 'linger.ms=20', '-X', 'batch.num.messages=10000'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kcat -P exited ${code}: ${stderr}`))));
    const chunk = 10_000;
    let i = 0;
    const write = (): void => {
      while (i < records) {
        const lines: string[] = [];
        for (let j = 0; j < chunk && i < records; j++, i++) lines.push(`record-${String(i).padStart(10, '0')}-`.padEnd(VALUE_BYTES, 'x'));
        if (!child.stdin.write(lines.join('\n') + '\n')) return void child.stdin.once('drain', write);
      }
      child.stdin.end();
    };
    write();
  });
}

/** Counts records until `total`; the rate runs from the first record to the last. */
class Meter {
  private count = 0;
  private bytes = 0;
  private first = 0;
  private resolve!: (metrics: Record<string, number>) => void;
  readonly done = new Promise<Record<string, number>>((r) => (this.resolve = r));

  constructor(private readonly total: number) {}

  add(records: number, bytes: number): void {
    if (this.count === 0) this.first = performance.now();
    this.count += records;
    this.bytes += bytes;
    if (this.count >= this.total && this.first > 0) {
      const seconds = (performance.now() - this.first) / 1000;
      this.first = 0;
      this.resolve({ records_per_s: this.count / seconds, mb_per_s: this.bytes / 1e6 / seconds });
    }
  }
}

function timeout<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not finish in ${TIMEOUT_MS * 5} ms`)), TIMEOUT_MS * 5).unref())]);
}

async function runOurs(ctx: RunContext): Promise<Record<string, number>> {
  const { brokers, topic, records } = ctx.setup as unknown as Setup;
  return withCluster(brokers, async (cluster) => {
    const meter = new Meter(records);
    let failure: Error | null = null;
    const fetcher = createFetcher({
      cluster,
      options: { resetPolicy: 'earliest', maxWaitMs: 100, partitionMaxBytes: 1024 * 1024 },
      consumer: {
        onBatch: (batch) => {
          let bytes = 0;
          for (const r of batch.records) bytes += r.value?.length ?? 0;
          meter.add(batch.records.length, bytes);
          batch.release();
        },
        onError: (error) => (failure ??= error),
      },
    });
    try {
      fetcher.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition, position: 'earliest' as const })));
      const metrics = await timeout(meter.done, 'kafka-sidecar');
      if (failure) throw failure;
      return metrics;
    } finally {
      await fetcher.stop();
    }
  });
}

interface KafkaJsMessage {
  value: Buffer | null;
}
interface KafkaJsModule {
  Kafka: new (config: object) => {
    consumer(config: object): {
      connect(): Promise<void>;
      subscribe(s: object): Promise<void>;
      run(r: { eachBatchAutoResolve: boolean; autoCommit: boolean; eachBatch(p: { batch: { messages: KafkaJsMessage[] } }): Promise<void> }): Promise<void>;
      disconnect(): Promise<void>;
    };
  };
  logLevel: { NOTHING: number };
}

async function runKafkaJs(ctx: RunContext): Promise<Record<string, number>> {
  const { brokers, topic, records } = ctx.setup as unknown as Setup;
  const { Kafka, logLevel } = require('kafkajs') as KafkaJsModule;
  const kafka = new Kafka({ clientId: 'bench-kafkajs', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `bench-kafkajs-${process.pid}-${Date.now()}`, maxWaitTimeInMs: 100, maxBytesPerPartition: 1024 * 1024 });
  const meter = new Meter(records);
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: true,
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        let bytes = 0;
        for (const m of batch.messages) bytes += m.value?.length ?? 0;
        meter.add(batch.messages.length, bytes);
      },
    });
    return await timeout(meter.done, 'kafkajs');
  } finally {
    await consumer.disconnect();
  }
}

interface PlatformaticModule {
  Consumer: new (config: object) => {
    consume(options: object): Promise<{ on(event: 'data', listener: (m: { value: Buffer | null }) => void): void; on(event: 'error', listener: (e: Error) => void): void }>;
    close(force?: boolean): Promise<void>;
  };
}

async function runPlatformatic(ctx: RunContext): Promise<Record<string, number>> {
  const { brokers, topic, records } = ctx.setup as unknown as Setup;
  const { Consumer } = (await import('@platformatic/kafka')) as unknown as PlatformaticModule;
  const consumer = new Consumer({ groupId: `bench-platformatic-${process.pid}-${Date.now()}`, clientId: 'bench-platformatic', bootstrapBrokers: brokers, maxWaitTime: 100, maxBytes: 1024 * 1024 });
  const meter = new Meter(records);
  try {
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
    let failure: Error | null = null;
    stream.on('error', (e) => (failure ??= e));
    stream.on('data', (m) => meter.add(1, m.value?.length ?? 0));
    const metrics = await timeout(meter.done, '@platformatic/kafka');
    if (failure) throw failure;
    return metrics;
  } finally {
    await consumer.close(true);
  }
}

function candidate(name: string, description: string, run: (ctx: RunContext) => Promise<Record<string, number>>): NodeCandidate {
  return { name, description, run };
}

export const scenario: Scenario = {
  name: 'consumer',
  description:
    `Consume N records of ${VALUE_BYTES} B (${PARTITIONS} partitions, produced once by kcat) from the earliest offset: machines/fetcher against ` +
    'KafkaJS 2.2.4 and @platformatic/kafka 1.35 consumers and the Java client\'s ConsumerPerformance. records_per_s and mb_per_s run from the first record to the N-th ' +
    '(the others\' group join is left out of them, but not out of cpu_seconds and wall_seconds). 1M records, 100k with --quick.',
  metrics: [
    { name: 'records_per_s', unit: 'records/s', better: 'higher', description: 'records from the first to the N-th' },
    { name: 'mb_per_s', unit: 'MB/s', better: 'higher', description: 'value bytes from the first record to the N-th' },
  ],
  reps: 3,
  warmup: 1,
  timeoutSeconds: 600,
  setup: async (ctx) => {
    const brokers = brokersFromEnv();
    const records = ctx.quick ? 100_000 : 1_000_000;
    const topic = `bench-consumer-${process.pid}-${Date.now()}`;
    await withCluster(brokers, async (cluster) => {
      const [created] = await createTopics(cluster, [{ name: topic, partitions: PARTITIONS }], { timeoutMs: TIMEOUT_MS });
      if (created.error) throw created.error;
    });
    await produce(brokers, topic, records);
    const javaClasspath = await kafkaToolsLib();
    return { brokers, topic, records, javaClasspath };
  },
  teardown: async (setup) => {
    const { brokers, topic } = setup as unknown as Setup;
    await withCluster(brokers, (cluster) => deleteTopics(cluster, [topic], { timeoutMs: TIMEOUT_MS }));
  },
  candidates: [
    candidate('kafka-sidecar', 'machines/fetcher: incremental fetch sessions, one loop per leader, records decoded by protocol/records', runOurs),
    candidate('@platformatic/kafka', '@platformatic/kafka 1.35 Consumer stream, mode earliest, no autocommit', runPlatformatic),
    candidate('kafkajs', 'KafkaJS 2.2.4 consumer, eachBatch, no autocommit', runKafkaJs),
    {
      name: 'java-consumer-perf',
      description: `Kafka's ConsumerPerformance (Java client ${kafkaToolsVersion}), its fetch.nMsg.sec (group join excluded)`,
      command: (ctx) => {
        const setup = ctx.setup as unknown as Setup;
        return {
          file: 'java',
          args: ['-Xmx512m', '-cp', `${setup.javaClasspath}/*`, 'org.apache.kafka.tools.ConsumerPerformance', '--bootstrap-server', setup.brokers.join(','),
            '--topic', setup.topic, '--messages', String(setup.records), '--timeout', String(TIMEOUT_MS), '--group', `bench-java-${Date.now()}`],
          parse: ({ stdout }) => parseConsumerPerformance(stdout, VALUE_BYTES),
        };
      },
    },
  ],
};
