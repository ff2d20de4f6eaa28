/** Control records: the key's version and type, the marker value's coordinator epoch, and bad keys. */
import test from 'ava';
import { decodeControlRecord, isAbortMarker } from '../../../../protocol/records/control-record.js';
import { RecordBatchCorruptError } from '../../../../protocol/records/errors.js';
import type { KafkaRecord } from '../../../../protocol/records/record-types.js';

const record = (key: Buffer | null, value: Buffer | null): KafkaRecord => ({ offset: 0n, timestamp: 0, key, value, headers: [] });
const key = (version: number, type: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt16BE(version, 0);
  b.writeInt16BE(type, 2);
  return b;
};
const markerValue = (epoch: number, extra = 0): Buffer => {
  const b = Buffer.alloc(6 + extra);
  b.writeInt16BE(0, 0);
  b.writeInt32BE(epoch, 2);
  return b;
};

test('abort and commit markers carry the coordinator epoch', (t) => {
  t.deepEqual(decodeControlRecord(record(key(0, 0), markerValue(7)), 0), { version: 0, type: 0, coordinatorEpoch: 7 });
  t.deepEqual(decodeControlRecord(record(key(1, 1), markerValue(-2, 3)), 0), { version: 1, type: 1, coordinatorEpoch: -2 });
});

test('other control types, and markers without a full value, have version and type only', (t) => {
  t.deepEqual(decodeControlRecord(record(key(0, 2), markerValue(7)), 0), { version: 0, type: 2 });
  t.deepEqual(decodeControlRecord(record(key(0, -1), markerValue(7)), 0), { version: 0, type: -1 });
  t.deepEqual(decodeControlRecord(record(key(0, 1), null), 0), { version: 0, type: 1 });
  t.deepEqual(decodeControlRecord(record(key(0, 0), Buffer.alloc(5)), 0), { version: 0, type: 0 });
  t.deepEqual(decodeControlRecord(record(Buffer.concat([key(3, 5), Buffer.from([9])]), null), 0), { version: 3, type: 5 });
});

test('a key shorter than version and type is corrupt, at the batch position', (t) => {
  const message = 'control record key must hold an int16 version and an int16 type (at byte 40)';
  t.throws(() => decodeControlRecord(record(null, markerValue(1)), 40), { instanceOf: RecordBatchCorruptError, message });
  t.throws(() => decodeControlRecord(record(Buffer.alloc(3), markerValue(1)), 40), { instanceOf: RecordBatchCorruptError, message });
  t.throws(() => decodeControlRecord(record(Buffer.alloc(0), null), 40), { instanceOf: RecordBatchCorruptError, message });
});

test('only type 0 is an abort marker', (t) => {
  t.true(isAbortMarker({ version: 0, type: 0 }));
  t.false(isAbortMarker({ version: 0, type: 1 }));
  t.false(isAbortMarker({ version: 0, type: 2 }));
});
