/**
 * The producer benchmark's other Node candidates, each tuned the same way: one send() call per
 * batch budget (BATCH_BYTES of values; neither library accumulates records across calls, so
 * the caller's array is the batch) to one partition (chunkPartition), IN_FLIGHT calls outstanding, the case's acks, LZ4 where
 * asked, idempotence off (for KafkaJS it would force one request in flight; both pay less for
 * it, which only makes our ratios conservative).
 *
 * LZ4: KafkaJS 2.2.4 has no built-in LZ4 codec; it gets lz4-napi's frame functions (the usual
 * kafkajs-lz4 set-up, the same native library our producer uses). @platformatic/kafka 1.35 has
 * LZ4 built in (@platformatic/wasm-utils, WebAssembly).
 */
import { createRequire } from 'node:module';
import type { RunContext } from '../lib/scenario.js';
import { BATCH_BYTES, chunkPartition, IN_FLIGHT, measureCases, sendInChunks, type ProducerSetup } from './cases.js';

const require = createRequire(import.meta.url);

interface KafkaJsCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}
interface KafkaJsModule {
  Kafka: new (config: object) => {
    producer(config: object): {
      connect(): Promise<void>;
      send(r: { topic: string; acks: number; compression: number; messages: { value: Buffer; partition: number }[] }): Promise<unknown>;
      disconnect(): Promise<void>;
    };
  };
  CompressionTypes: { None: number; LZ4: number };
  CompressionCodecs: Record<number, () => KafkaJsCodec>;
  logLevel: { NOTHING: number };
}

export async function runKafkaJs(ctx: RunContext): Promise<Record<string, number>> {
  const setup = ctx.setup as unknown as ProducerSetup;
  const { Kafka, CompressionTypes, CompressionCodecs, logLevel } = require('kafkajs') as KafkaJsModule;
  const lz4 = require('lz4-napi') as { compressFrameSync(b: Buffer): Buffer; decompressFrameSync(b: Buffer): Buffer };
  CompressionCodecs[CompressionTypes.LZ4] = () => ({
    compress: async (encoder) => lz4.compressFrameSync(encoder.buffer),
    decompress: async (buffer) => lz4.decompressFrameSync(buffer),
  });
  const kafka = new Kafka({ clientId: 'bench-kafkajs', brokers: setup.brokers.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: false, maxInFlightRequests: IN_FLIGHT });
  await producer.connect();
  try {
    return await measureCases('kafkajs', setup, (run, payloads) =>
      sendInChunks(
        run.records,
        Math.max(1, Math.floor(BATCH_BYTES / run.valueBytes)),
        IN_FLIGHT,
        (first, count, index) => {
          const partition = chunkPartition(index, run.partitions);
          return Array.from({ length: count }, (_, i) => ({ value: payloads[(first + i) % payloads.length]!, partition }));
        },
        (messages) =>
          producer.send({ topic: run.topic, acks: run.acks === 'all' ? -1 : 1, compression: run.compression === 'lz4' ? CompressionTypes.LZ4 : CompressionTypes.None, messages }),
      ),
    );
  } finally {
    await producer.disconnect();
  }
}

interface PlatformaticModule {
  Producer: new (config: object) => {
    send(options: { messages: { topic: string; value: Buffer; partition: number }[]; acks: number; compression: string }): Promise<unknown>;
    close(force?: boolean): Promise<void>;
  };
}

export async function runPlatformatic(ctx: RunContext): Promise<Record<string, number>> {
  const setup = ctx.setup as unknown as ProducerSetup;
  const { Producer } = (await import('@platformatic/kafka')) as unknown as PlatformaticModule;
  const producer = new Producer({ clientId: 'bench-platformatic', bootstrapBrokers: setup.brokers.split(','), autocreateTopics: false, idempotent: false });
  try {
    return await measureCases('@platformatic/kafka', setup, (run, payloads) =>
      sendInChunks(
        run.records,
        Math.max(1, Math.floor(BATCH_BYTES / run.valueBytes)),
        IN_FLIGHT,
        (first, count, index) => {
          const partition = chunkPartition(index, run.partitions);
          return Array.from({ length: count }, (_, i) => ({ topic: run.topic, value: payloads[(first + i) % payloads.length]!, partition }));
        },
        (messages) => producer.send({ messages, acks: run.acks === 'all' ? -1 : 1, compression: run.compression }),
      ),
    );
  } finally {
    await producer.close(true);
  }
}
