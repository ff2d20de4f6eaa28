/**
 * Control records: the single record of a control batch (attribute bit 5), written by the
 * broker/coordinator, never by producers. Key: int16 version, int16 type (0 abort, 1 commit;
 * KRaft uses higher types for its own log). Value of abort/commit markers: int16 version,
 * int32 coordinator epoch.
 */
import { RecordBatchCorruptError } from './errors.js';
import { ControlRecordType, type ControlRecord, type KafkaRecord } from './record-types.js';

export function decodeControlRecord(record: KafkaRecord, batchPosition: number): ControlRecord {
  const key = record.key;
  if (key === null || key.length < 4) {
    throw new RecordBatchCorruptError('control record key must hold an int16 version and an int16 type', batchPosition);
  }
  const version = key.readInt16BE(0);
  const type = key.readInt16BE(2);
  const value = record.value;
  const isMarker = type === ControlRecordType.abort || type === ControlRecordType.commit;
  if (isMarker && value !== null && value.length >= 6) {
    return { version, type, coordinatorEpoch: value.readInt32BE(2) };
  }
  return { version, type };
}

/** Whether a control record marks the end of an aborted transaction. */
export function isAbortMarker(control: ControlRecord): boolean {
  return control.type === ControlRecordType.abort;
}
