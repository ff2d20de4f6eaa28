/**
 * Record batches against a real broker and librdkafka (kcat), for every codec:
 * - kcat produces compressed batches; we fetch the stored bytes raw and decode them;
 * - we encode batches, produce them raw; kcat consumes them and must see the same records.
 * The broker keeps batches as produced (topic compression.type defaults to `producer`), so
 * both directions exercise the other side's codec implementation on our bytes and vice versa.
 */
import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { decodeRecordBatchesAsync } from '../../../../protocol/records/record-batch-decode.js';
import { encodeRecordBatchAsync } from '../../../../protocol/records/record-batch-encode.js';
import { CompressionCodec, type CompressionCodecId, type RecordInput } from '../../../../protocol/records/record-types.js';
import { brokerFromEnv, fetchRecordBytes, produceBatch } from './raw-kafka.js';

const run = promisify(execFile);
const broker = brokerFromEnv();
const bootstrap = `${broker.host}:${broker.port}`;
const codecs = Object.entries(CompressionCodec) as [keyof typeof CompressionCodec, CompressionCodecId][];
const runId = `${process.pid}-${Date.now()}`;

function kcatProduce(topic: string, codec: string, lines: string[], headers: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const args = ['-P', '-b', bootstrap, '-t', topic, '-p', '0', '-z', codec, '-K', ':', ...headers.flatMap((h) => ['-H', h])];
    const child = spawn('kcat', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kcat -P exited ${code}: ${stderr}`))));
    // A child that dies early reports through its exit code; its stdin's EPIPE must not crash the file.
    child.stdin.on('error', () => undefined);
    child.stdin.end(lines.join('\n') + '\n');
  });
}

interface KcatMessage {
  offset: number;
  ts: number;
  key: string | null;
  payload: string | null;
  headers?: (string | null)[];
}

async function kcatConsume(topic: string, count: number): Promise<KcatMessage[]> {
  const { stdout } = await run('kcat', ['-C', '-b', bootstrap, '-t', topic, '-p', '0', '-o', 'beginning', '-c', String(count), '-e', '-J'], {
    timeout: 60_000,
  });
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as KcatMessage);
}

for (const [name, id] of codecs) {
  test(`kcat -z ${name} batches decode from the broker's bytes`, async (t) => {
    const topic = `records-from-kcat-${name}-${runId}`;
    const count = 50;
    // Repetitive values, so librdkafka's "skip compression when it does not shrink" never applies.
    const lines = Array.from({ length: count }, (_, i) => `key-${i}:value-${i} ${'compressible '.repeat(10)}`);
    const before = Date.now();
    await kcatProduce(topic, name === 'none' ? 'none' : name, lines, ['trace=abc', 'trace=def', 'empty=']);
    const bytes = await fetchRecordBytes(broker, topic, 0n);
    const { batches, truncatedBytes } = await decodeRecordBatchesAsync(bytes);
    t.is(truncatedBytes, 0);
    t.true(batches.length >= 1);
    for (const batch of batches) t.is(batch.compression, id, 'kcat compressed the batch with the requested codec');
    const records = batches.flatMap((b) => b.records);
    t.is(records.length, count);
    records.forEach((record, i) => {
      t.is(record.offset, BigInt(i));
      t.is(record.key?.toString(), `key-${i}`);
      t.is(record.value?.toString(), lines[i]!.slice(lines[i]!.indexOf(':') + 1));
      t.deepEqual(
        record.headers.map(([k, v]) => [k, v?.toString() ?? null]),
        [
          ['trace', 'abc'],
          ['trace', 'def'],
          ['empty', ''],
        ],
      );
      t.true(record.timestamp >= before - 1000 && record.timestamp <= Date.now() + 1000, 'CreateTime set by kcat');
    });
  });

  test(`our ${name} batches are read back by kcat`, async (t) => {
    const topic = `records-to-kcat-${name}-${runId}`;
    // Recent: the broker's time-based retention (7 days) would delete older records before kcat reads them.
    const base = Date.now() - 3_600_000;
    const records: RecordInput[] = Array.from({ length: 40 }, (_, i) => ({
      key: i % 7 === 0 ? null : `k-${i}`,
      value: i % 11 === 0 ? '' : `v-${i} ${'payload '.repeat(i % 5)}ünïcödé`,
      headers: i % 3 === 0 ? [] : [['h', `x${i}`], ['h', null], ['other', Buffer.from(`y${i}`)]],
      timestamp: base + ((i * 37) % 100) - 50,
    }));
    const batch = await encodeRecordBatchAsync({ records, compression: id });
    t.is(await produceBatch(broker, topic, batch), 0n);
    const seen = await kcatConsume(topic, records.length);
    t.is(seen.length, records.length);
    seen.forEach((message, i) => {
      const sent = records[i]!;
      t.is(message.offset, i);
      t.is(message.ts, sent.timestamp ?? Number.NaN);
      t.is(message.key, sent.key === null ? null : String(sent.key));
      t.is(message.payload, String(sent.value));
      const expectedHeaders = (sent.headers ?? []).flatMap(([k, v]) => [k, v === null || v === undefined ? null : v.toString()]);
      t.deepEqual(message.headers ?? [], expectedHeaders);
    });
    // The broker stored our batch as sent: it decodes back with broker-assigned offsets.
    const stored = await decodeRecordBatchesAsync(await fetchRecordBytes(broker, topic, 0n));
    t.is(stored.batches.length, 1);
    t.is(stored.batches[0]!.compression, id);
    t.is(stored.batches[0]!.records.length, records.length);
  });
}
