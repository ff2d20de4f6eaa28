/**
 * Benchmark scenario "checksum": CRC-32C (the checksum of every v2 record batch, computed on
 * produce and checked on fetch) over one 16 KiB and one 1 MiB buffer, in GB per CPU second:
 *   npx tsc -p tsconfig.json && npm run bench -- checksum
 * Candidates: our crc32c() as the records layer calls it (the SSE4.2 addon where it loads),
 * @node-rs/crc32 (our first fallback, and what @platformatic/kafka calls), our slicing-by-8
 * JavaScript table (the last fallback), @platformatic/kafka's own crc32c (which copies its
 * input into a new Uint8Array first) and KafkaJS's byte-at-a-time table.
 * This is where the CRC speed figures in DESIGN.md and native/crc32c/crc32c.c come from.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { measureOps } from '../lib/micro.js';
import type { NodeCandidate, Scenario } from '../lib/scenario.js';
import { crc32c, crc32cImplementation } from '../../protocol/records/crc32c.js';
import { crc32cTable } from '../../protocol/records/crc32c-table.js';

const require = createRequire(import.meta.url);

export interface ChecksumCase {
  /** Metric name part. */
  readonly id: string;
  readonly bytes: number;
}

export const checksumCases: readonly ChecksumCase[] = [
  { id: '16kb', bytes: 16 * 1024 },
  { id: '1mb', bytes: 1024 * 1024 },
];

/** The same pseudo-random bytes for every candidate (a CRC's speed does not depend on them, its result does). */
export function checksumInput(bytes: number): Buffer {
  const data = Buffer.allocUnsafe(bytes);
  let seed = 20261126;
  for (let i = 0; i < bytes; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    data[i] = seed >>> 16;
  }
  return data;
}

type Crc = (data: Buffer) => number;

/** Each library's CRC-32C, loaded in the candidate's own child process. */
export const checksumLibraries: Readonly<Record<string, () => Promise<Crc>>> = {
  'kafka-sidecar': async () => (data) => crc32c(data),
  '@node-rs/crc32': async () => {
    const { crc32c: nodeRs } = require('@node-rs/crc32') as { crc32c(data: Uint8Array, initial?: number): number };
    return (data) => nodeRs(data);
  },
  'kafka-sidecar-table': async () => (data) => crc32cTable(data),
  '@platformatic/kafka': async () => {
    const base = pathToFileURL(require.resolve('@platformatic/kafka')).href;
    const { crc32c: theirs } = (await import(new URL('./protocol/crc32c.js', base).href)) as { crc32c(data: Buffer): number };
    return (data) => theirs(data);
  },
  kafkajs: async () => {
    const root = require.resolve('kafkajs').replace(/index\.js$/, '');
    return require(`${root}src/protocol/recordBatch/crc32C`) as Crc;
  },
};

function library(name: string, description: string): NodeCandidate {
  return {
    name,
    description,
    run: async (ctx) => {
      const crc = await checksumLibraries[name]!();
      const values: Record<string, number> = {};
      for (const c of checksumCases) {
        const data = checksumInput(c.bytes);
        const r = await measureOps(() => crc(data), { seconds: ctx.quick ? 0.2 : 1.5, warmupSeconds: ctx.quick ? 0.05 : 0.3 });
        values[`gbps_${c.id}`] = (r.opsPerSecond * c.bytes) / 1e9;
      }
      return values;
    },
  };
}

export const scenario: Scenario = {
  name: 'checksum',
  description:
    'CRC-32C of one 16 KiB and one 1 MiB buffer, in GB (10^9 bytes) per CPU second: protocol/records crc32c() against ' +
    '@node-rs/crc32 (our first fallback), our slicing-by-8 JavaScript table (the last fallback), @platformatic/kafka 1.35 (which ' +
    'calls @node-rs/crc32 on a copy of its input) and KafkaJS 2.2.4 (a byte-at-a-time table in JavaScript). Every candidate ' +
    'checksums the same bytes.',
  metrics: checksumCases.map((c) => ({ name: `gbps_${c.id}`, unit: 'GB/s', better: 'higher' as const, description: `CRC-32C of ${c.bytes} bytes` })),
  resourceMetrics: ['peak_rss'],
  reps: 5,
  warmup: 1,
  candidates: [
    library('kafka-sidecar', `protocol/records crc32c() (${crc32cImplementation})`),
    library('@node-rs/crc32', '@node-rs/crc32 crc32c(), our fallback where the addon is not built'),
    library('kafka-sidecar-table', 'protocol/records/crc32c-table.ts, slicing-by-8 in JavaScript, our fallback without native code'),
    library('@platformatic/kafka', '@platformatic/kafka 1.35 protocol/crc32c.js'),
    library('kafkajs', 'KafkaJS 2.2.4 src/protocol/recordBatch/crc32C'),
  ],
};
