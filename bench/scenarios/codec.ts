/**
 * Benchmark scenario "codec": encoding and decoding one RecordBatch of 1000 records (short
 * key, one header, 100-byte or 1 KiB values), uncompressed and LZ4, for our records layer and
 * the record-batch internals of KafkaJS 2.2.4 and @platformatic/kafka 1.35.
 *   npx tsc -p tsconfig.json && npm run bench -- codec
 * The runner (bench/README.md) runs each library in its own child process per repetition, so
 * one library's JIT state and garbage never slow another; rates are records per CPU second.
 *
 * Fairness notes: every candidate gets the same keys, values and header (as Buffers where the
 * library requires them; we take the header key as a string, the others as a Buffer or
 * string as their API does), and each decode includes decompression. Only ours verifies the
 * CRC on decode; KafkaJS and @platformatic/kafka skip it. KafkaJS has no built-in LZ4, so it
 * is given lz4-napi's frame functions, the usual kafkajs-lz4 setup.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { measureOps } from '../lib/micro.js';
import type { NodeCandidate, Scenario } from '../lib/scenario.js';
import { lz4ImplementationLabel } from '../../protocol/records/compression/lz4-native.js';
import { crc32cImplementation } from '../../protocol/records/crc32c.js';
import { decodeRecordBatches } from '../../protocol/records/record-batch-decode.js';
import { encodeRecordBatch } from '../../protocol/records/record-batch-encode.js';
import { CompressionCodec, type RecordInput } from '../../protocol/records/record-types.js';

export interface CodecBenchCase {
  readonly name: string;
  readonly records: number;
  readonly valueBytes: number;
  readonly compression: 'none' | 'lz4';
}

export interface CodecCandidate {
  readonly name: string;
  /** Encodes one batch of the case's records. */
  encode(): unknown;
  /** Decodes one (pre-encoded) batch of the case's records. */
  decode(): unknown;
}

export const codecCases: readonly CodecBenchCase[] = [
  { name: '1000 x 100 B, none', records: 1000, valueBytes: 100, compression: 'none' },
  { name: '1000 x 100 B, lz4', records: 1000, valueBytes: 100, compression: 'lz4' },
  { name: '1000 x 1 KiB, none', records: 1000, valueBytes: 1024, compression: 'none' },
  { name: '1000 x 1 KiB, lz4', records: 1000, valueBytes: 1024, compression: 'lz4' },
];

const require = createRequire(import.meta.url);
const TS = 1_700_000_000_000;

interface Sample {
  key: Buffer;
  value: Buffer;
  headerKey: string;
  headerValue: Buffer;
  timestamp: number;
}

/** Values that look like JSON events: partly repetitive, partly random, so LZ4 has real work. */
function samples(c: CodecBenchCase): Sample[] {
  let seed = 12345;
  const random = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  return Array.from({ length: c.records }, (_, i) => {
    const text = `{"id":${i},"user":"user-${random() % 1000}","event":"page_view","path":"/p/${random().toString(36)}"`;
    const value = Buffer.alloc(c.valueBytes, 0x20);
    value.write(text.slice(0, c.valueBytes));
    for (let j = text.length; j < c.valueBytes; j += 8) value[j] = 0x61 + (random() % 26);
    return { key: Buffer.from(`key-${i % 100}`), value, headerKey: 'trace-id', headerValue: Buffer.from(`t-${random() % 100000}`), timestamp: TS + i };
  });
}

function oursCandidate(c: CodecBenchCase, data: Sample[]): CodecCandidate {
  const records: RecordInput[] = data.map((s) => ({ key: s.key, value: s.value, headers: [[s.headerKey, s.headerValue]], timestamp: s.timestamp }));
  const compression = c.compression === 'lz4' ? CompressionCodec.lz4 : CompressionCodec.none;
  const input = { records, compression, producerId: 1000n, producerEpoch: 0, baseSequence: 0 };
  const encoded = encodeRecordBatch(input);
  return {
    name: 'kafka-sidecar',
    encode: () => encodeRecordBatch(input),
    decode: () => decodeRecordBatches(encoded),
  };
}

interface PlatformaticRecords {
  createRecordsBatch(messages: object[], options: object): { buffer: Buffer };
  readRecordsBatches(reader: unknown): unknown[];
}
interface PlatformaticReader {
  Reader: { from(buffer: Buffer): unknown };
}

async function platformaticCandidate(c: CodecBenchCase, data: Sample[]): Promise<CodecCandidate> {
  const base = pathToFileURL(require.resolve('@platformatic/kafka')).href;
  const records = (await import(new URL('./protocol/records.js', base).href)) as PlatformaticRecords;
  const { Reader } = (await import(new URL('./protocol/reader.js', base).href)) as PlatformaticReader;
  const messages = data.map((s) => ({
    topic: 'bench',
    partition: 0,
    key: s.key,
    value: s.value,
    headers: new Map([[Buffer.from(s.headerKey), s.headerValue]]),
    timestamp: BigInt(s.timestamp),
  }));
  const options = { compression: c.compression, producerId: 1000n, producerEpoch: 0, partitionLeaderEpoch: 0 };
  // createRecordsBatch writes bigint timestamps back into the messages; copies keep runs equal.
  const fresh = (): object[] => messages.map((m) => ({ ...m }));
  const encoded = records.createRecordsBatch(fresh(), options).buffer;
  return {
    name: '@platformatic/kafka',
    encode: () => records.createRecordsBatch(fresh(), options).buffer,
    decode: () => records.readRecordsBatches(Reader.from(encoded)),
  };
}

interface KafkaJsCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

async function kafkajsCandidate(c: CodecBenchCase, data: Sample[]): Promise<CodecCandidate> {
  const root = require.resolve('kafkajs').replace(/index\.js$/, '');
  const Record = require(`${root}src/protocol/recordBatch/record/v0`) as (r: object) => unknown;
  const { RecordBatch } = require(`${root}src/protocol/recordBatch/v0`) as { RecordBatch: (b: object) => Promise<{ buffer: Buffer }> };
  const batchDecoder = require(`${root}src/protocol/recordBatch/v0/decoder`) as (d: unknown) => Promise<unknown>;
  const Decoder = require(`${root}src/protocol/decoder`) as new (b: Buffer) => unknown;
  const compression = require(`${root}src/protocol/message/compression`) as { Codecs: Record<number, () => KafkaJsCodec> };
  const lz4 = require('lz4-napi') as { compressFrameSync(b: Buffer): Buffer; decompressFrameSync(b: Buffer): Buffer };
  compression.Codecs[3] = () => ({
    compress: async (encoder) => lz4.compressFrameSync(encoder.buffer),
    decompress: async (buffer) => lz4.decompressFrameSync(buffer),
  });
  const Long = require(`${root}src/utils/long`) as { fromValue(v: number): unknown };
  const codec = c.compression === 'lz4' ? 3 : 0;
  const encode = async (): Promise<Buffer> => {
    const records = data.map((s, i) =>
      Record({ key: s.key, value: s.value, headers: { [s.headerKey]: s.headerValue }, offsetDelta: i, timestampDelta: s.timestamp - TS }),
    );
    const batch = await RecordBatch({
      compression: codec,
      records,
      firstTimestamp: TS,
      maxTimestamp: TS + data.length - 1,
      producerId: Long.fromValue(1000),
      lastOffsetDelta: records.length - 1,
    });
    return batch.buffer;
  };
  const encoded = await encode();
  return {
    name: 'kafkajs',
    encode,
    decode: () => batchDecoder(new Decoder(encoded)),
  };
}

const libraries = {
  'kafka-sidecar': async (c: CodecBenchCase, data: Sample[]) => oursCandidate(c, data),
  '@platformatic/kafka': platformaticCandidate,
  kafkajs: kafkajsCandidate,
} as const;
type LibraryName = keyof typeof libraries;

/** One library's candidate for the case, with a batch already encoded for decode(). */
export function prepareCodecCandidate(c: CodecBenchCase, library: LibraryName): Promise<CodecCandidate> {
  return libraries[library](c, samples(c));
}

/** One candidate per library for the case. */
export async function prepareCodecCandidates(c: CodecBenchCase): Promise<CodecCandidate[]> {
  const names = Object.keys(libraries) as LibraryName[];
  return Promise.all(names.map((name) => prepareCodecCandidate(c, name)));
}

const metricName = (c: CodecBenchCase, operation: string): string => `${operation}_${c.valueBytes}b_${c.compression}`;

function library(name: LibraryName, description: string): NodeCandidate {
  return {
    name,
    description,
    run: async (ctx) => {
      const values: Record<string, number> = {};
      for (const c of codecCases) {
        const candidate = await prepareCodecCandidate(c, name);
        for (const operation of ['encode', 'decode'] as const) {
          const r = await measureOps(() => candidate[operation](), {
            seconds: ctx.quick ? 0.2 : 1.5,
            warmupSeconds: ctx.quick ? 0.05 : 0.3,
          });
          values[metricName(c, operation)] = r.opsPerSecond * c.records;
        }
      }
      return values;
    },
  };
}

export const scenario: Scenario = {
  name: 'codec',
  description:
    'RecordBatch encode and decode of 1000 records (short key, one header, 100 B or 1 KiB values), uncompressed and LZ4: ' +
    'protocol/records against the record-batch internals of KafkaJS 2.2.4 and @platformatic/kafka 1.35. Only ours verifies ' +
    'the CRC on decode; KafkaJS gets lz4-napi frame functions for LZ4. Rates are records per CPU second.',
  metrics: codecCases.flatMap((c) =>
    (['encode', 'decode'] as const).map((operation) => ({
      name: metricName(c, operation),
      unit: 'records/s',
      better: 'higher' as const,
      description: `${operation} ${c.name}`,
    })),
  ),
  resourceMetrics: ['peak_rss'],
  candidates: [
    library('kafka-sidecar', `protocol/records (CRC-32C ${crc32cImplementation}, LZ4 ${lz4ImplementationLabel})`),
    library('@platformatic/kafka', '@platformatic/kafka 1.35 createRecordsBatch / readRecordsBatches'),
    library('kafkajs', 'KafkaJS 2.2.4 RecordBatch v0 encoder and decoder, lz4-napi frames for LZ4'),
  ],
};

