import test from 'ava';
import { filterBatches } from '../../../../machines/fetcher/batch-filter.js';
import { IsolationLevel } from '../../../../machines/fetcher/types.js';
import type { KafkaRecord, RecordBatch } from '../../../../protocol/records/index.js';

/** A batch of `count` records from `base`; transactional for producer `pid`, or a control marker (abort/commit). */
function batch(base: number, count: number, opts: { pid?: bigint; marker?: 'abort' | 'commit' } = {}): RecordBatch {
  const records: KafkaRecord[] = Array.from({ length: count }, (_, i) => ({ offset: BigInt(base + i), timestamp: 0, key: null, value: Buffer.from(`v${base + i}`), headers: [] }));
  return {
    magic: 2,
    baseOffset: BigInt(base),
    lastOffset: BigInt(base + count - 1),
    partitionLeaderEpoch: 0,
    crc: 0,
    attributes: 0,
    compression: 0,
    timestampType: 'CreateTime',
    isTransactional: opts.pid !== undefined,
    isControl: opts.marker !== undefined,
    hasDeleteHorizon: false,
    baseTimestamp: 0,
    maxTimestamp: 0,
    producerId: opts.pid ?? -1n,
    producerEpoch: 0,
    baseSequence: 0,
    sizeInBytes: 100,
    records,
    ...(opts.marker ? { control: { version: 0, type: opts.marker === 'abort' ? 0 : 1 } } : {}),
  };
}

const offsets = (r: readonly KafkaRecord[]): number[] => r.map((x) => Number(x.offset));

test('records before the fetch offset (inside a compressed batch) are dropped; the position moves past the last batch', (t) => {
  const result = filterBatches([batch(0, 5), batch(5, 5)], 3n, IsolationLevel.readUncommitted, null);
  t.deepEqual(offsets(result.records), [3, 4, 5, 6, 7, 8, 9]);
  t.is(result.nextOffset, 10n);
  t.deepEqual(filterBatches([], 7n, IsolationLevel.readUncommitted, null), { records: [], nextOffset: 7n });
});

test('read_committed skips aborted transactions of their producer only, and control batches always', (t) => {
  const batches = [
    batch(0, 2), // plain
    batch(2, 2, { pid: 1n }), // aborted
    batch(4, 2, { pid: 2n }), // committed, interleaved
    batch(6, 1, { pid: 1n, marker: 'abort' }),
    batch(7, 1, { pid: 2n, marker: 'commit' }),
    batch(8, 2, { pid: 1n }), // a later, committed transaction of the same producer
    batch(10, 1, { pid: 1n, marker: 'commit' }),
  ];
  const aborted = [{ producerId: 1n, firstOffset: 2n }];
  const committed = filterBatches(batches, 0n, IsolationLevel.readCommitted, aborted);
  t.deepEqual(offsets(committed.records), [0, 1, 4, 5, 8, 9]);
  t.is(committed.nextOffset, 11n);
  const all = filterBatches(batches, 0n, IsolationLevel.readUncommitted, aborted);
  t.deepEqual(offsets(all.records), [0, 1, 2, 3, 4, 5, 8, 9], 'read_uncommitted: aborted data too, markers never');
});

test('an answer holding only skipped batches still moves the position', (t) => {
  const result = filterBatches([batch(2, 2, { pid: 1n }), batch(4, 1, { pid: 1n, marker: 'abort' })], 2n, IsolationLevel.readCommitted, [{ producerId: 1n, firstOffset: 2n }]);
  t.deepEqual(result.records, []);
  t.is(result.nextOffset, 5n);
});
