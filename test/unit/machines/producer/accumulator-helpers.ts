/** Shared set-up of accumulator tests: a topic with given leaders, a fake clock, records with ids. */
import { RecordAccumulator, type AccumulatorOptions } from '../../../../machines/producer/accumulator.js';
import type { ProducerBatch } from '../../../../machines/producer/batch.js';
import type { DeliveryListener } from '../../../../machines/producer/delivery.js';
import { RECORD_BATCH_OVERHEAD, recordSizeInBatch, type ProducerRecord } from '../../../../machines/producer/record-size.js';
import { FakeClock } from './fake-clock.js';

export const VALUE_BYTES = 20;

/** A keyless record whose value starts with `id` (read back with idOf). */
export function rec(id: number, valueBytes = VALUE_BYTES, key: Buffer | null = null): ProducerRecord {
  const value = Buffer.alloc(Math.max(4, valueBytes));
  value.writeUInt32BE(id, 0);
  return { key, value, headers: [], timestamp: 1000 };
}

export function idOf(record: ProducerRecord): number {
  return record.value!.readUInt32BE(0);
}

export function ids(batches: readonly ProducerBatch[] | undefined): number[][] {
  return (batches ?? []).map((b) => b.records.map(idOf));
}

/** Bytes one rec() of the default size takes in a batch (the same for the first 63 records). */
export const REC_BYTES = recordSizeInBatch(rec(0), 0, 0);
/** A batch of `n` default records. */
export const batchOf = (n: number): number => RECORD_BATCH_OVERHEAD + n * REC_BYTES;

export interface Harness {
  acc: RecordAccumulator;
  clock: FakeClock;
  /** How many times onReady ran. */
  readyCalls(): number;
  leaders: number[];
}

/** `leaders[p]` is partition p's leader (-1: none); partitions with a leader are the available ones. */
export function harness(options: Partial<AccumulatorOptions> = {}, leaders: number[] = [1, 1, 1]): Harness {
  const clock = new FakeClock();
  let ready = 0;
  const acc = new RecordAccumulator({
    partitionsFor: (topic) =>
      topic === 'ghost'
        ? undefined
        : { count: leaders.length, available: leaders.flatMap((leader, p) => (leader >= 0 ? [p] : [])) },
    leaderFor: (_topic, partition) => leaders[partition],
    clock,
    onReady: () => ready++,
    lingerMs: 0,
    ...options,
  });
  return { acc, clock, readyCalls: () => ready, leaders };
}

/** A listener that records every report, to check each record hears exactly once. */
export class RecordingListener implements DeliveryListener {
  readonly deliveries: { token: number; partition: number; offset: bigint; logAppendTime: number }[] = [];
  readonly failures: { token: number; partition: number; error: Error }[] = [];

  delivered(firstToken: number, count: number, partition: number, baseOffset: bigint, logAppendTime: number): void {
    for (let i = 0; i < count; i++) {
      this.deliveries.push({ token: firstToken + i, partition, offset: baseOffset + BigInt(i), logAppendTime });
    }
  }

  failed(firstToken: number, count: number, partition: number, error: Error): void {
    for (let i = 0; i < count; i++) this.failures.push({ token: firstToken + i, partition, error });
  }

  reportsFor(token: number): number {
    return this.deliveries.filter((d) => d.token === token).length + this.failures.filter((f) => f.token === token).length;
  }
}
