/**
 * Turning drained batches into one Produce request for one broker, and its response back into
 * one answer per batch. Plain functions: encoding is the records layer's (CRC, compression),
 * the request body does not depend on the negotiated version (v3+ carry v2 record batches and
 * a transactional id, null outside transactions).
 */
import { encodeRecordBatch, encodeRecordBatchAsync } from '../../protocol/records/record-batch-encode.js';
import { compressionCodec } from '../../protocol/records/compression/registry.js';
import { CompressionCodec, type CompressionCodecId } from '../../protocol/records/record-types.js';
import type { ProduceRequest, ProduceResponse, ProduceResponsePartitionProduceResponse } from '../../protocol/messages/produce.js';
import type { ProducerBatch } from './batch.js';
import type { ProducerIdentity } from './idempotence.js';

/** Acks as the wire has them: -1 all in-sync replicas, 1 the leader, 0 no answer at all. */
export const AcksValue = { all: -1, leader: 1, none: 0 } as const;
export type AcksValue = (typeof AcksValue)[keyof typeof AcksValue];

/** Produce versions that carry v2 record batches (magic 2); Kafka 4 refuses older ones. */
export const PRODUCE_MIN_VERSION = 3;

/** Highest Produce version of a transactional producer that registers partitions itself (v12 is KIP-890's implicit add). */
export const PRODUCE_MAX_TRANSACTIONAL_VERSION = 11;

export interface BatchEncoding {
  readonly compression: CompressionCodecId;
  readonly identity: ProducerIdentity;
  /** The batch's base sequence, or -1 without idempotence. */
  readonly baseSequence: number;
  /** Part of a transaction: read_committed readers see it only once the transaction commits. */
  readonly transactional?: boolean;
}

/** Encodes one batch; awaits only codecs without a synchronous implementation. */
export function encodeBatch(batch: ProducerBatch, encoding: BatchEncoding): Buffer | Promise<Buffer> {
  const input = {
    records: batch.records,
    compression: encoding.compression,
    producerId: encoding.identity.producerId,
    producerEpoch: encoding.identity.producerEpoch,
    baseSequence: encoding.baseSequence,
    transactional: encoding.transactional === true,
  };
  const sync = encoding.compression === CompressionCodec.none || compressionCodec(encoding.compression).compressSync !== undefined;
  return sync ? encodeRecordBatch(input) : encodeRecordBatchAsync(input);
}

/** The request body for batches (at most one per partition) and their encoded bytes, in the same order. */
export function produceRequest(batches: readonly ProducerBatch[], encoded: readonly Buffer[], acks: AcksValue, timeoutMs: number, transactionalId: string | null = null): ProduceRequest {
  const byTopic = new Map<string, { index: number; records: Buffer }[]>();
  for (let i = 0; i < batches.length; i++) {
    const batch = batches[i]!;
    let partitions = byTopic.get(batch.topic);
    if (partitions === undefined) byTopic.set(batch.topic, (partitions = []));
    partitions.push({ index: batch.partition, records: encoded[i]! });
  }
  return {
    transactionalId,
    acks,
    timeoutMs,
    topicData: [...byTopic].map(([name, partitionData]) => ({ name, partitionData })),
  };
}

/** The response's answer for each batch, in the batches' order; undefined where the broker left one out. */
export function answersFor(batches: readonly ProducerBatch[], response: ProduceResponse): (ProduceResponsePartitionProduceResponse | undefined)[] {
  const answers = new Map<string, ProduceResponsePartitionProduceResponse>();
  for (const topic of response.responses) {
    for (const p of topic.partitionResponses) answers.set(`${topic.name}\u0000${p.index}`, p);
  }
  return batches.map((b) => answers.get(`${b.topic}\u0000${b.partition}`));
}

/** The broker's message for an error answer: its own text, then the first per-record error. */
export function answerMessage(answer: ProduceResponsePartitionProduceResponse): string | null {
  const recordError = answer.recordErrors?.find((e) => e.batchIndexErrorMessage !== null);
  const parts = [answer.errorMessage ?? null, recordError ? `record ${recordError.batchIndex}: ${recordError.batchIndexErrorMessage}` : null];
  const text = parts.filter((p): p is string => p !== null && p !== '').join('; ');
  return text === '' ? null : text;
}
