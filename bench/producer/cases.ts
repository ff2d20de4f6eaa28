/**
 * The producer benchmark's cases, payloads and the shared measuring loop. Every candidate sends
 * the same values (read from one payload file, which the Java tool reads too), with null keys
 * and no headers, to a topic of PARTITIONS partitions per case, and every run is checked
 * afterwards: the sum of the partitions' end offsets must have grown by exactly the records sent,
 * so a candidate that drops or duplicates records fails instead of looking fast.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

export interface ProducerCase {
  /** Metric name part, e.g. '100b_acks1_none'. */
  readonly id: string;
  readonly valueBytes: number;
  readonly acks: 'leader' | 'all';
  readonly compression: 'none' | 'lz4';
  /** Records at full scale. */
  readonly fullRecords: number;
}

export const CASES: readonly ProducerCase[] = [100, 1024].flatMap((valueBytes) =>
  (['leader', 'all'] as const).flatMap((acks) =>
    (['none', 'lz4'] as const).map((compression) => ({
      id: `${valueBytes === 100 ? '100b' : '1kb'}_acks${acks === 'all' ? 'all' : '1'}_${compression}`,
      valueBytes,
      acks,
      compression,
      fullRecords: valueBytes === 100 ? 1_000_000 : 100_000,
    })),
  ),
);

/** Batch budget every candidate gets per partition: batch.size / batchBytes / records per send() call. */
export const BATCH_BYTES = 65_536;
/** Produce requests (or send() calls) in flight per broker, the Java default. */
export const IN_FLIGHT = 5;
export const LINGER_MS = 5;
/**
 * Partitions of every case's topic, as in the consumer scenario. With one partition a Produce
 * request carries one batch, and a broker handles one request per connection at a time, so the
 * benchmark measured the broker's per-request turnaround more than the client (the 1-partition
 * broker-ceiling line was barely above the Node clients at 1 KiB). Several partitions let each
 * request carry several batches, as it does for a sidecar that serves many apps and topics.
 */
export const PARTITIONS = 4;
/**
 * The partition of the Node candidates' chunk `index` (one batch's worth of records): round robin
 * over the partitions, one whole chunk each, so every Node library gets the same one-partition
 * batches whatever its own keyless partitioner does (KafkaJS and @platformatic/kafka spread
 * keyless records one by one). The Java tool's sticky partitioner does the same by itself.
 */
export const chunkPartition = (index: number, partitions: number): number => index % partitions;
/** Distinct payloads per size; each record takes the next one. */
export const PAYLOADS = 1000;
/**
 * Each Node candidate first sends this share of a case's records to a topic of its own, not
 * measured: the sidecar is a long-running process, so its steady state (code optimised by the
 * JIT, buffers grown) is what apps see, and every Node library gets the same treatment.
 */
export const WARMUP_SHARE = 0.2;

export interface CaseRun {
  readonly id: string;
  readonly topic: string;
  /** Partitions of the topic and of the warm-up topic. */
  readonly partitions: number;
  readonly records: number;
  /** Where the unmeasured warm-up of the same case goes, and how many records it sends. */
  readonly warmupTopic: string;
  readonly warmupRecords: number;
  readonly valueBytes: number;
  readonly acks: 'leader' | 'all';
  readonly compression: 'none' | 'lz4';
  /** One payload per line (no newlines inside), `valueBytes` ASCII bytes each. */
  readonly payloadFile: string;
}

export interface ProducerSetup {
  readonly brokers: string;
  readonly cases: readonly CaseRun[];
  readonly javaClasspath: string | null;
}

/**
 * Values that look like JSON events: a varying prefix, then random lowercase letters, so LZ4
 * has some but not unlimited redundancy. Written once and read by every candidate.
 */
export function writePayloads(file: string, valueBytes: number): void {
  let seed = 424242;
  const random = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  const lines: string[] = [];
  for (let i = 0; i < PAYLOADS; i++) {
    let text = `{"id":${i},"user":"user-${random() % 1000}","event":"page_view","path":"/p/${random().toString(36)}","pad":"`;
    while (text.length < valueBytes) text += String.fromCharCode(0x61 + (random() % 26));
    lines.push(text.slice(0, valueBytes));
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

export function readPayloads(file: string): Buffer[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => Buffer.from(l, 'latin1'));
}

/** The records a topic holds: the sum of its partitions' end offsets, from kcat -Q's lines. */
export function sumEndOffsets(kcatOutput: string, topic: string, partitions: number): number {
  let sum = 0;
  for (let p = 0; p < partitions; p++) {
    const m = new RegExp(`^${topic.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\[${p}\\] offset (\\d+)$`, 'm').exec(kcatOutput);
    if (!m) throw new Error(`no end offset for ${topic}[${p}] in: ${kcatOutput.trim() || '(nothing)'}`);
    sum += Number(m[1]);
  }
  return sum;
}

/**
 * The sum of the end offsets of partitions 0..partitions-1 (kcat -Q), in a separate process so
 * no candidate pays for it.
 */
export function endOffset(brokers: string, topic: string, partitions = 1): number {
  const args = ['-Q', '-b', brokers];
  for (let p = 0; p < partitions; p++) args.push('-t', `${topic}:${p}:-1`);
  const r = spawnSync('kcat', args, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`kcat -Q ${topic} failed: ${r.stderr || r.stdout}`);
  return sumEndOffsets(r.stdout ?? '', topic, partitions);
}

/** Waits until every partition of every topic has a leader that answers (a new topic takes a moment). */
export async function awaitLeaders(brokers: string, topics: readonly string[], partitions: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const topic of topics) {
    for (;;) {
      try {
        endOffset(brokers, topic, partitions);
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }
}

/** The check every run ends with: the topic grew by exactly the records sent. */
export function checkGrowth(candidate: string, run: Pick<CaseRun, 'id' | 'records'>, before: number, after: number): void {
  if (after - before !== run.records) {
    throw new Error(`${candidate} ${run.id}: the topic grew by ${after - before} records, ${run.records} were sent`);
  }
}

export interface CaseMetrics {
  readonly seconds: number;
  readonly cpuSeconds: number;
}

/** records/s, MB/s of values, CPU seconds per million records, under the case's metric names. */
export function caseMetrics(run: CaseRun, m: CaseMetrics): Record<string, number> {
  return {
    [`rps_${run.id}`]: run.records / m.seconds,
    [`mbps_${run.id}`]: (run.records * run.valueBytes) / 1e6 / m.seconds,
    [`cpu_per_m_${run.id}`]: (m.cpuSeconds / run.records) * 1e6,
  };
}

/**
 * Runs every case with `produce` (which must resolve once every record is acknowledged): first
 * its warm-up to the warm-up topic, then the measured run, timing wall and process CPU around
 * that only, then checks the topic's growth. `prepare`, when given, runs before each of the two
 * (outside the clock) for work a candidate does ahead of sending.
 */
export async function measureCases(
  candidate: string,
  setup: ProducerSetup,
  produce: (run: CaseRun, payloads: readonly Buffer[]) => Promise<void>,
  prepare?: (run: CaseRun, payloads: readonly Buffer[]) => void,
): Promise<Record<string, number>> {
  const values: Record<string, number> = {};
  for (const run of setup.cases) {
    const payloads = readPayloads(run.payloadFile);
    if (run.warmupRecords > 0) {
      const warmup = { ...run, topic: run.warmupTopic, records: run.warmupRecords };
      prepare?.(warmup, payloads);
      await produce(warmup, payloads);
    }
    prepare?.(run, payloads);
    const before = endOffset(setup.brokers, run.topic, run.partitions);
    const cpu = process.cpuUsage();
    const started = performance.now();
    await produce(run, payloads);
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    checkGrowth(candidate, run, before, endOffset(setup.brokers, run.topic, run.partitions));
    Object.assign(values, caseMetrics(run, { seconds, cpuSeconds: (used.user + used.system) / 1e6 }));
  }
  return values;
}

/**
 * Runs `send(chunk)` over the records in chunks of `chunkRecords`, at most `window` at a time;
 * `makeChunk` gets the chunk's first record, its size and its index.
 */
export async function sendInChunks<T>(
  records: number,
  chunkRecords: number,
  window: number,
  makeChunk: (first: number, count: number, index: number) => T,
  send: (chunk: T) => Promise<unknown>,
): Promise<void> {
  const inFlight = new Set<Promise<unknown>>();
  let failure: unknown = null;
  for (let first = 0, index = 0; first < records && failure === null; first += chunkRecords, index++) {
    const p: Promise<unknown> = send(makeChunk(first, Math.min(chunkRecords, records - first), index)).then(
      (): boolean => inFlight.delete(p),
      (err: unknown): void => {
        failure ??= err;
        inFlight.delete(p);
      },
    );
    inFlight.add(p);
    if (inFlight.size >= window) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (failure !== null) throw failure instanceof Error ? failure : new Error(String(failure));
}
