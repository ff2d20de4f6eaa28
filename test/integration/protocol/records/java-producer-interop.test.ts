/**
 * Batches written by the Java client (KafkaProducer, idempotent, one topic per codec) decode
 * from the broker's bytes. The Java client writes snappy in the xerial framing and LZ4 frames
 * with its own block writer, so this covers formats kcat does not produce.
 * Needs the Kafka jars that scripts/kafka-local caches (.cache/kafka/<version>/lib, or
 * $KAFKA_LOCAL_CACHE/<version>/lib).
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeRecordBatchesAsync } from '../../../../protocol/records/record-batch-decode.js';
import { CompressionCodec } from '../../../../protocol/records/record-types.js';
import { repoRoot } from '../../../helpers/repo.js';
import { brokerFromEnv, fetchRecordBytes } from './raw-kafka.js';

const run = promisify(execFile);
const broker = brokerFromEnv();

/** A cached Kafka lib directory holding kafka-clients, newest version first. */
function kafkaLibDir(): string {
  const roots = [process.env.KAFKA_LOCAL_CACHE, join(repoRoot, '.cache', 'kafka')].filter((r): r is string => !!r);
  for (const root of roots) {
    if (!existsSync(root)) continue;
    for (const version of readdirSync(root).sort().reverse()) {
      const lib = join(root, version, 'lib');
      if (existsSync(lib) && readdirSync(lib).some((f) => f.startsWith('kafka-clients-'))) return lib;
    }
  }
  throw new Error(`no Kafka jars found under ${roots.join(' or ')}: run scripts/kafka-local start once to fetch them`);
}

const codecs = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;

test('Java producer batches of every codec decode, with idempotence fields and headers', async (t) => {
  const prefix = `records-from-java-${process.pid}-${Date.now()}`;
  const count = 30;
  const source = join(repoRoot, 'test', 'integration', 'protocol', 'records', 'JavaRecordsProducer.java');
  // Recent timestamps: the broker's 7-day retention would delete older records before they are fetched.
  const base = Date.now() - 3_600_000;
  await run('java', [`-Dbase.timestamp=${base}`, '-cp', `${kafkaLibDir()}/*`, source, `${broker.host}:${broker.port}`, prefix, String(count), ...codecs], {
    timeout: 180_000,
  });
  for (const codec of codecs) {
    const bytes = await fetchRecordBytes(broker, `${prefix}-${codec}`, 0n);
    if (codec === 'snappy') t.is(bytes.toString('latin1', 61, 69), '\x82SNAPPY\x00', 'the Java client writes xerial-framed snappy');
    if (codec === 'lz4') t.is(bytes.toString('hex', 61, 68), '04224d18604082', 'the Java client frame header matches ours');
    const { batches, truncatedBytes } = await decodeRecordBatchesAsync(bytes);
    t.is(truncatedBytes, 0);
    t.true(batches.length >= 1, codec);
    for (const batch of batches) {
      t.is(batch.compression, CompressionCodec[codec], `${codec}: batch codec`);
      t.true(batch.producerId >= 0n, `${codec}: idempotent producer id`);
    }
    t.is(batches[0]!.baseSequence, 0);
    const records = batches.flatMap((b) => b.records);
    t.is(records.length, count, codec);
    records.forEach((record, i) => {
      t.is(record.offset, BigInt(i));
      t.is(record.timestamp, base + i);
      t.is(record.key?.toString() ?? null, i % 5 === 0 ? null : `key-${i}`);
      t.is(record.value?.toString(), `value-${i} ${'java '.repeat(10)}`);
      t.deepEqual(
        record.headers.map(([k, v]) => [k, v?.toString() ?? null]),
        [
          ['h', `x${i}`],
          ['h', null],
        ],
      );
    });
  }
});
