/**
 * From the decoded batches of one partition to the records a consumer may see: records before
 * the fetch position (a compressed batch always comes back whole) are dropped, control batches
 * (transaction markers) are never delivered, and under read_committed the data batches of
 * aborted transactions are skipped. The position moves past everything looked at, delivered
 * or not, so a skipped batch is never fetched again.
 *
 * Aborted transactions (from the Fetch response) are ordered by first offset; a transactional
 * batch is aborted when its producer has an aborted transaction that started at or before the
 * batch and whose abort marker has not been passed yet.
 */
import type { FetchResponseAbortedTransaction } from '../../protocol/messages/fetch.js';
import { isAbortMarker, type KafkaRecord, type RecordBatch } from '../../protocol/records/index.js';
import { IsolationLevel } from './types.js';

export interface FilteredRecords {
  readonly records: KafkaRecord[];
  /** The next offset to fetch: one past the last batch looked at, or `fetchOffset` if none. */
  readonly nextOffset: bigint;
}

export function filterBatches(
  batches: readonly RecordBatch[],
  fetchOffset: bigint,
  isolationLevel: IsolationLevel,
  abortedTransactions: readonly FetchResponseAbortedTransaction[] | null | undefined,
): FilteredRecords {
  const readCommitted = isolationLevel === IsolationLevel.readCommitted;
  const pending = readCommitted && abortedTransactions ? [...abortedTransactions].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0)) : [];
  let nextPending = 0;
  const abortedProducers = new Set<bigint>();
  let records: KafkaRecord[] = [];
  let nextOffset = fetchOffset;
  for (const batch of batches) {
    if (batch.lastOffset < fetchOffset) continue;
    if (batch.lastOffset + 1n > nextOffset) nextOffset = batch.lastOffset + 1n;
    if (readCommitted) {
      // Transactions that began at or before this batch's end become current.
      while (nextPending < pending.length && pending[nextPending].firstOffset <= batch.lastOffset) {
        abortedProducers.add(pending[nextPending].producerId);
        nextPending++;
      }
    }
    if (batch.isControl) {
      if (readCommitted && batch.control && isAbortMarker(batch.control)) abortedProducers.delete(batch.producerId);
      continue;
    }
    if (readCommitted && batch.isTransactional && abortedProducers.has(batch.producerId)) continue;
    const list = batch.records;
    if (records.length === 0 && list.length > 0 && list[0].offset >= fetchOffset) {
      // The common case: a whole batch past the position; share its array instead of copying.
      records = batches.length === 1 ? list : records.concat(list);
      continue;
    }
    for (const record of list) if (record.offset >= fetchOffset) records.push(record);
  }
  return { records, nextOffset };
}
