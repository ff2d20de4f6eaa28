/**
 * Golden record batches: the batches kcat (librdkafka) and the Java client put in their
 * captured Produce requests, and the ones real brokers returned in captured Fetch responses,
 * decoded with protocol/records. Each topic of a capture was written with one codec by one
 * client from fixed inputs (test/tools/golden-format.ts), so every batch must carry that codec
 * and every record the key and value given for its offset.
 */
import test from 'ava';
import { decodeRequestFrame, decodeResponseFrame } from '../../../protocol/frame.js';
import type { CreateTopicsResponse } from '../../../protocol/messages/create-topics.js';
import type { FetchResponse } from '../../../protocol/messages/fetch.js';
import type { MetadataResponse } from '../../../protocol/messages/metadata.js';
import type { ProduceRequest } from '../../../protocol/messages/produce.js';
import { CompressionCodec, decodeRecordBatchesAsync, type CompressionCodecId, type RecordBatch } from '../../../protocol/records/index.js';
import { GOLDEN_KAFKA_VERSIONS, loadAllCaptures, type LoadedCapture } from './golden-fixtures.js';

const captures = loadAllCaptures();

/** Fetch v13+ names topics by id: the ids come from the Metadata and CreateTopics responses of the same broker. */
function topicNamesById(version: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const capture of captures.filter((c) => c.kafkaVersion === version)) {
    for (const f of capture.loadedFrames) {
      if (f.direction !== 'response') continue;
      if (f.api === 'Metadata') {
        const { body } = decodeResponseFrame(f.apiKey, f.apiVersion, f.bytes) as { body: MetadataResponse };
        for (const topic of body.topics) if (topic.topicId && topic.name) names.set(topic.topicId, topic.name);
      } else if (f.api === 'CreateTopics') {
        const { body } = decodeResponseFrame(f.apiKey, f.apiVersion, f.bytes) as { body: CreateTopicsResponse };
        for (const topic of body.topics) if (topic.topicId) names.set(topic.topicId, topic.name);
      }
    }
  }
  return names;
}

interface DecodedRecord {
  readonly offset: bigint;
  readonly key: string | undefined;
  readonly value: string | undefined;
}

function recordsOf(batches: readonly RecordBatch[]): DecodedRecord[] {
  return batches.flatMap((b) => b.records.map((r) => ({ offset: r.offset, key: r.key?.toString(), value: r.value?.toString() })));
}

function codecId(name: string): CompressionCodecId {
  const id = (CompressionCodec as Record<string, CompressionCodecId>)[name];
  if (id === undefined) throw new Error(`unknown codec ${name}`);
  return id;
}

const producing = captures.filter((c) => c.name.endsWith('-produce'));
const fetching = captures.filter((c) => c.name.endsWith('-consume') || c.name === 'kcat-group');

test('captures with record batches exist for every version', (t) => {
  for (const version of GOLDEN_KAFKA_VERSIONS) {
    t.is(producing.filter((c) => c.kafkaVersion === version).length, 2, `${version}: kcat and java produce captures`);
    t.is(fetching.filter((c) => c.kafkaVersion === version).length, 3, `${version}: consume and group captures`);
  }
});

async function checkProduce(capture: LoadedCapture, t: import('ava').ExecutionContext): Promise<void> {
  const produced = new Map<string, DecodedRecord[]>();
  for (const f of capture.loadedFrames) {
    if (f.direction !== 'request' || f.api !== 'Produce') continue;
    const body = decodeRequestFrame(f.bytes).body as ProduceRequest;
    for (const topic of body.topicData) {
      const expected = capture.topics[topic.name];
      if (!expected) {
        t.fail(`Produce v${f.apiVersion} to unexpected topic ${topic.name}`);
        continue;
      }
      for (const partition of topic.partitionData) {
        t.truthy(partition.records, `${topic.name}: Produce without records`);
        const decoded = await decodeRecordBatchesAsync(partition.records!);
        t.is(decoded.truncatedBytes, 0, `${topic.name}: a producer never sends a partial batch`);
        for (const batch of decoded.batches) {
          t.is(batch.magic, 2);
          t.is(batch.compression, codecId(expected.codec), `${topic.name}: batch codec`);
        }
        produced.set(topic.name, [...(produced.get(topic.name) ?? []), ...recordsOf(decoded.batches)]);
      }
    }
  }
  for (const [topic, expected] of Object.entries(capture.topics)) {
    const got = (produced.get(topic) ?? []).map((r) => ({ key: r.key, value: r.value }));
    t.deepEqual(got, expected.records.map((r) => ({ key: r.key, value: r.value })), `${topic}: produced records`);
  }
}

async function checkFetch(capture: LoadedCapture, t: import('ava').ExecutionContext): Promise<void> {
  const names = topicNamesById(capture.kafkaVersion);
  const seenOffsets = new Map<string, Set<bigint>>();
  for (const f of capture.loadedFrames) {
    if (f.direction !== 'response' || f.api !== 'Fetch') continue;
    const { body } = decodeResponseFrame(f.apiKey, f.apiVersion, f.bytes) as { body: FetchResponse };
    for (const topicResponse of body.responses) {
      // Fetch v13 replaced the topic name by its id.
      const topic = f.apiVersion >= 13 ? names.get(topicResponse.topicId ?? '') : topicResponse.topic;
      if (topic === undefined) {
        t.fail(`Fetch v${f.apiVersion}: topic id ${String(topicResponse.topicId)} is in no captured Metadata/CreateTopics response`);
        continue;
      }
      const expected = capture.topics[topic];
      if (!expected) {
        t.fail(`Fetch v${f.apiVersion} from unexpected topic ${topic}`);
        continue;
      }
      for (const partition of topicResponse.partitions) {
        if (!partition.records || partition.records.length === 0) continue;
        const decoded = await decodeRecordBatchesAsync(partition.records);
        for (const batch of decoded.batches) t.is(batch.compression, codecId(expected.codec), `${topic}: fetched batch codec`);
        for (const record of recordsOf(decoded.batches)) {
          const want = expected.records[Number(record.offset)];
          t.deepEqual({ key: record.key, value: record.value }, want && { key: want.key, value: want.value }, `${topic} offset ${record.offset}`);
          seenOffsets.set(topic, (seenOffsets.get(topic) ?? new Set()).add(record.offset));
        }
      }
    }
  }
  for (const [topic, expected] of Object.entries(capture.topics)) {
    t.is(seenOffsets.get(topic)?.size ?? 0, expected.records.length, `${topic}: every produced record was fetched`);
  }
}

for (const capture of producing) {
  test(`${capture.kafkaVersion} ${capture.name}: Produce batches hold the given records with the topic's codec`, async (t) => {
    await checkProduce(capture, t);
  });
}

for (const capture of fetching) {
  test(`${capture.kafkaVersion} ${capture.name}: fetched batches hold the produced records with their codec`, async (t) => {
    await checkFetch(capture, t);
  });
}
