/**
 * Our record batches of every codec, read by Kafka's Java console consumer (kafka-tools
 * ConsoleConsumer with its DefaultMessageFormatter): the Java client's decompressors and
 * record reader must see exactly the records we encoded. Per codec one topic gets a small
 * batch of awkward records (null and empty keys and values, binary and non-ASCII bytes,
 * duplicate and null headers, timestamps out of order) and a batch of over 128 KiB, so LZ4
 * writes a frame of several 64 KiB blocks. The formatter writes keys, values and header values
 * as their raw bytes, so the test builds the bytes each record must print as and compares
 * them exactly. One kafka-tools version (scripts/kafka-local tools, fetched on first use)
 * serves every broker version.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeRecordBatchesAsync } from '../../../../protocol/records/record-batch-decode.js';
import { lz4ImplementationLabel } from '../../../../protocol/records/compression/lz4-native.js';
import { encodeRecordBatchAsync } from '../../../../protocol/records/record-batch-encode.js';
import { BatchLayout, CompressionCodec, type CompressionCodecId, type RecordBytesInput, type RecordInput } from '../../../../protocol/records/record-types.js';
import { kafkaToolsLib } from '../../../helpers/kafka.js';
import { repoRoot } from '../../../helpers/repo.js';
import { brokerFromEnv, fetchRecordBytes, produceBatch } from './raw-kafka.js';

const run = promisify(execFile);
const broker = brokerFromEnv();
const codecs = Object.entries(CompressionCodec) as [keyof typeof CompressionCodec, CompressionCodecId][];
const runId = `${process.pid}-${Date.now()}`;

/** Printed after every record and for every null; no record's bytes contain either. */
const END_OF_RECORD = '#EOR#\n';
const NULL_LITERAL = '#NULL#';

// Recent: the broker's time-based retention (7 days) would delete older records before the consumer reads them.
const base = Date.now() - 3_600_000;

function smallRecords(): RecordInput[] {
  const special: RecordInput[] = [
    { key: null, value: 'plain value', headers: [] },
    { key: 'dup', value: '', headers: [['h', 'first'], ['h', 'second'], ['h', 'first']] },
    { key: '', value: null, headers: [['none', null], ['empty', '']] },
    {
      key: Buffer.from([0x00, 0xff, 0x80, 0x0a, 0x7f]),
      value: Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
      headers: [['bin', Buffer.from([0xc3, 0x28, 0x00, 0xfe, 0x0a])]],
    },
    { key: 'ünï-ключ-🔑', value: 'värde 値 🎉', headers: [['ключ', 'значение']] },
  ];
  const plain = Array.from({ length: 7 }, (_, i): RecordInput => ({ key: `k-${i}`, value: `v-${i} ${'payload '.repeat(i)}`, headers: [['seq', String(i)]] }));
  // Deltas against the first timestamp go up and down, negative ones included.
  return [...special, ...plain].map((r, i) => ({ ...r, timestamp: base + ((i * 37) % 100) - 50 }));
}

/** Compressible, varied text from a fixed seed: ~150 KiB over 200 records. */
function largeRecords(): RecordInput[] {
  const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];
  let seed = 42;
  const next = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31);
  return Array.from({ length: 200 }, (_, i) => {
    const parts: string[] = [];
    while (parts.join(' ').length < 750) parts.push(`${words[next() % words.length]}${next() % 1000}`);
    return { key: `big-${i}`, value: parts.join(' '), headers: [['seq', String(i)]], timestamp: base + 1000 + i };
  });
}

const bytes = (v: RecordBytesInput): Buffer | null => (v === null || v === undefined ? null : Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8'));
const printed = (v: RecordBytesInput): Buffer => bytes(v) ?? Buffer.from(NULL_LITERAL);

/**
 * What DefaultMessageFormatter prints for one record with the properties below: timestamp,
 * partition, offset, headers (`key:value` joined by `,`, NO_HEADERS when there are none),
 * key and value, tab-separated. Compared as latin1 strings: one character per byte.
 */
function expectedLine(record: RecordInput, offset: number): string {
  const headers = record.headers ?? [];
  const headerBytes =
    headers.length === 0 ? Buffer.from('NO_HEADERS') : Buffer.concat(headers.flatMap(([k, v], i) => [Buffer.from(`${i > 0 ? ',' : ''}${k}:`), printed(v)]));
  const prefix = Buffer.from(`CreateTime:${record.timestamp}\tPartition:0\tOffset:${offset}\t`);
  return Buffer.concat([prefix, headerBytes, Buffer.from('\t'), printed(record.key), Buffer.from('\t'), printed(record.value)]).toString('latin1');
}

/** The 64 KiB blocks of an LZ4 frame as Kafka writes it (no content size, no checksums). */
function lz4Blocks(frame: Buffer): { count: number; compressed: number } {
  let pos = 7; // magic, FLG, BD, header checksum
  let count = 0;
  let compressed = 0;
  for (let size = frame.readUInt32LE(pos); size !== 0; size = frame.readUInt32LE(pos)) {
    count++;
    if ((size & 0x80000000) === 0) compressed++;
    pos += 4 + (size & 0x7fffffff);
  }
  return { count, compressed };
}

async function consoleConsumer(topic: string, count: number): Promise<{ stdout: Buffer; stderr: string }> {
  const lib = await kafkaToolsLib();
  const properties = {
    'print.timestamp': 'true',
    'print.partition': 'true',
    'print.offset': 'true',
    'print.headers': 'true',
    'print.key': 'true',
    'line.separator': END_OF_RECORD,
    'null.literal': NULL_LITERAL,
  };
  const logConfig = join(repoRoot, 'test', 'integration', 'protocol', 'records', 'console-consumer-log4j2.properties');
  const args = [
    ...['-Xms64m', '-Xmx256m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', `-Dlog4j2.configurationFile=${logConfig}`],
    ...['-cp', `${lib}/*`, 'org.apache.kafka.tools.consumer.ConsoleConsumer'],
    ...['--bootstrap-server', `${broker.host}:${broker.port}`, '--topic', topic, '--partition', '0', '--offset', 'earliest'],
    // --timeout-ms ends a run that gets fewer records than asked for; the count check then fails.
    ...['--max-messages', String(count), '--timeout-ms', '30000'],
    ...Object.entries(properties).flatMap(([k, v]) => ['--property', `${k}=${v}`]),
  ];
  try {
    const { stdout, stderr } = await run('java', args, { encoding: 'buffer', timeout: 150_000, maxBuffer: 64 << 20 });
    return { stdout, stderr: stderr.toString('utf8') };
  } catch (err) {
    const e = err as Error & { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`ConsoleConsumer failed: ${e.message}\n${e.stderr?.toString('utf8').slice(-3000) ?? ''}`);
  }
}

for (const [name, id] of codecs) {
  test(`our ${name} batches are read back by the Java console consumer`, async (t) => {
    const topic = `records-to-java-console-${name}-${runId}`;
    const small = smallRecords();
    const large = largeRecords();
    t.is(await produceBatch(broker, topic, await encodeRecordBatchAsync({ records: small, compression: id })), 0n);
    t.is(await produceBatch(broker, topic, await encodeRecordBatchAsync({ records: large, compression: id })), BigInt(small.length));

    // The broker stores the large batch as sent; for LZ4, check that its frame has several blocks.
    const stored = await fetchRecordBytes(broker, topic, BigInt(small.length));
    const { batches } = await decodeRecordBatchesAsync(stored);
    t.is(batches[0]!.compression, id);
    t.is(batches[0]!.records.length, large.length);
    if (name === 'lz4') {
      const frame = stored.subarray(BatchLayout.records, BatchLayout.logOverhead + stored.readInt32BE(BatchLayout.batchLength));
      const blocks = lz4Blocks(frame);
      t.true(blocks.count >= 2 && blocks.compressed >= 2, `LZ4 frame of ${blocks.count} blocks, ${blocks.compressed} compressed`);
      t.log(`large batch written by ${lz4ImplementationLabel}: LZ4 frame of ${blocks.count} blocks (${blocks.compressed} compressed)`);
    }

    const records = [...small, ...large];
    const { stdout, stderr } = await consoleConsumer(topic, records.length);
    const lines = stdout.toString('latin1').split(END_OF_RECORD);
    const trailing = lines.pop();
    t.is(lines.length, records.length, `the console consumer printed ${lines.length} records of ${records.length}:\n${stderr.slice(-2000)}`);
    t.is(trailing, '', 'nothing follows the last record');
    records.forEach((record, i) => t.is(lines[i], expectedLine(record, i), `record at offset ${i}`));
    t.regex(stderr, new RegExp(`Processed a total of ${records.length} messages`));
  });
}
