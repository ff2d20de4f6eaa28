/**
 * The producer benchmark's own candidate: the producer actor (machines/producer) over a cluster
 * actor and ClusterClient, in the benchmark's process, as the daemon runs it. Records go in
 * through Producer.send() in calls of one batch's worth (as IPC produce calls would bring
 * them), each call's records to one partition (chunkPartition); the accumulator batches across
 * calls with linger and batchBytes like the Java client.
 */
import { createActor, waitFor } from 'xstate';
import { producerMachine } from '../../machines/producer/producer-machine.js';
import type { OutgoingRecord } from '../../machines/producer/producer.js';
import { CompressionCodec } from '../../protocol/records/record-types.js';
import { withCluster } from '../lib/cluster.js';
import type { RunContext } from '../lib/scenario.js';
import { BATCH_BYTES, chunkPartition, IN_FLIGHT, LINGER_MS, measureCases, sendInChunks, type ProducerSetup } from './cases.js';

const TIMEOUT_MS = 60_000;
/** Calls outstanding at once: enough to keep the accumulator full, bounded memory (a few MiB). */
const CALL_WINDOW = 64;

export async function runOurs(ctx: RunContext): Promise<Record<string, number>> {
  const setup = ctx.setup as unknown as ProducerSetup;
  const backoff = { minMs: 100, maxMs: 2000 };
  return withCluster(setup.brokers.split(','), 'bench-producer', TIMEOUT_MS, (client) =>
    measureCases('kafka-sidecar', setup, async (run, payloads) => {
      // One producer per case: compression is a producer setting. It is started (InitProducerId
      // done) before the clock starts, as the Java tool's KafkaProducer is built before its clock.
      const actor = createActor(producerMachine, {
        input: {
          settings: {
            acks: run.acks,
            compression: run.compression === 'lz4' ? CompressionCodec.lz4 : CompressionCodec.none,
            idempotent: true,
            lingerMs: LINGER_MS,
            batchBytes: BATCH_BYTES,
            bufferBytes: 32 * 1024 * 1024,
            maxBlockMs: TIMEOUT_MS,
            deliveryTimeoutMs: 120_000,
            maxInFlightPerBroker: IN_FLIGHT,
            retries: 2 ** 31 - 1,
            requestTimeoutMs: 30_000,
            retryBackoffMs: 100,
          },
          cluster: () => client,
          backoff,
          initTimeoutMs: TIMEOUT_MS,
        },
      });
      actor.subscribe({ error: () => undefined });
      actor.start();
      try {
        await waitFor(actor, (s) => s.matches('ready'), { timeout: TIMEOUT_MS });
        const producer = actor.getSnapshot().context.producer;
        const perCall = Math.max(1, Math.floor(BATCH_BYTES / run.valueBytes));
        await sendInChunks(
          run.records,
          perCall,
          CALL_WINDOW,
          (first, count, index) => {
            const records: OutgoingRecord[] = new Array<OutgoingRecord>(count);
            const now = Date.now();
            const partition = chunkPartition(index, run.partitions);
            for (let i = 0; i < count; i++) records[i] = { key: null, value: payloads[(first + i) % payloads.length]!, headers: [], timestamp: now, partition };
            return records;
          },
          async (records) => {
            const outcomes = await producer.send(run.topic, records, run.acks);
            for (const o of outcomes) if (!o.ok) throw o.error;
          },
        );
      } finally {
        actor.send({ type: 'producer.close' });
        actor.stop();
      }
    }),
  );
}
