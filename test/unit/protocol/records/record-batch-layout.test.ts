/**
 * Pins the v2 layout with bytes written by hand from the protocol documentation: the encoder
 * must produce exactly these bytes and the decoder must read them back.
 */
import test from 'ava';
import { encodeRecordBatch } from '../../../../protocol/records/record-batch-encode.js';
import { decodeRecordBatches } from '../../../../protocol/records/record-batch-decode.js';
import { crc32c } from '../../../../protocol/records/crc32c.js';
import { hex } from './batch-bytes.js';

const BASE_TS = 1_600_000_000_000; // 0x00000174 876e 8000

// Record 0: key "k", value "v1", one header h=0x0102, timestamp delta 0, offset delta 0.
//   body: attributes 00 | tsDelta 00 | offsetDelta 00 | keyLen 1->02 | 6b | valueLen 2->04 | 76 31
//         | headers 1->02 | keyLen 1->02 | 68 | valueLen 2->04 | 01 02   = 14 bytes, length 14->1c
const record0 = '1c 00 00 00 02 6b 04 7631 02 02 68 04 0102';
// Record 1: null key, null value, no headers, timestamp delta +5 (->0a), offset delta 1 (->02).
//   body: 00 0a 02 01 01 00 = 6 bytes, length 6 -> 0c
const record1 = '0c 00 0a 02 01 01 00';

function expectedBatch(): Buffer {
  const header = hex(
    [
      '0000000000000000', // baseOffset 0
      '00000047', // batchLength: 61 - 12 + 22 bytes of records = 71
      'ffffffff', // partitionLeaderEpoch -1
      '02', // magic
      '00000000', // crc, filled below
      '0010', // attributes: transactional, no compression, CreateTime
      '00000001', // lastOffsetDelta
      '00000174876e8000', // baseTimestamp
      '00000174876e8005', // maxTimestamp
      '0000000000000007', // producerId 7
      '0003', // producerEpoch 3
      '0000002a', // baseSequence 42
      '00000002', // records count
    ].join(''),
  );
  const batch = Buffer.concat([header, hex(record0), hex(record1)]);
  batch.writeUInt32BE(crc32c(batch, 21, batch.length), 17);
  return batch;
}

test('the encoder writes the documented v2 layout byte for byte', (t) => {
  const encoded = encodeRecordBatch({
    records: [
      { key: 'k', value: Buffer.from('v1'), headers: [['h', Buffer.from([1, 2])]], timestamp: BASE_TS },
      { key: null, value: null, timestamp: BASE_TS + 5 },
    ],
    producerId: 7n,
    producerEpoch: 3,
    baseSequence: 42,
    transactional: true,
  });
  t.is(encoded.toString('hex'), expectedBatch().toString('hex'));
});

test('the decoder reads the hand-built batch', (t) => {
  const bytes = expectedBatch();
  bytes.writeBigInt64BE(1000n, 0); // as the broker would assign
  bytes.writeInt32BE(9, 12);
  const { batches, truncatedBytes } = decodeRecordBatches(bytes);
  t.is(truncatedBytes, 0);
  t.is(batches.length, 1);
  const b = batches[0]!;
  t.like(b, {
    magic: 2,
    baseOffset: 1000n,
    lastOffset: 1001n,
    partitionLeaderEpoch: 9,
    attributes: 0x10,
    compression: 0,
    timestampType: 'CreateTime',
    isTransactional: true,
    isControl: false,
    hasDeleteHorizon: false,
    baseTimestamp: BASE_TS,
    maxTimestamp: BASE_TS + 5,
    producerId: 7n,
    producerEpoch: 3,
    baseSequence: 42,
    sizeInBytes: 83,
  });
  t.is(b.records.length, 2);
  const [r0, r1] = b.records;
  t.is(r0!.offset, 1000n);
  t.is(r0!.timestamp, BASE_TS);
  t.is(r0!.key!.toString(), 'k');
  t.is(r0!.value!.toString(), 'v1');
  t.is(r0!.headers.length, 1);
  t.is(r0!.headers[0]![0], 'h');
  t.true(r0!.headers[0]![1]!.equals(Buffer.from([1, 2])));
  t.is(r1!.offset, 1001n);
  t.is(r1!.timestamp, BASE_TS + 5);
  t.is(r1!.key, null);
  t.is(r1!.value, null);
  t.deepEqual(r1!.headers, []);
});

test('decoded bytes are Buffers in every way that matters', (t) => {
  const value = decodeRecordBatches(expectedBatch()).batches[0]!.records[0]!.value!;
  t.true(Buffer.isBuffer(value));
  t.true(value instanceof Buffer);
  t.is(value.toString('hex'), '7631');
  t.is(value.readUInt16BE(0), 0x7631);
  t.true(Buffer.isBuffer(value.subarray(1)));
  t.is(Buffer.compare(value, Buffer.from('v1')), 0);
  t.deepEqual(JSON.parse(JSON.stringify(value)), { type: 'Buffer', data: [0x76, 0x31] });
  t.is(Buffer.concat([value, value]).toString(), 'v1v1');
});

test('keys and values of uncompressed batches view the input without copying', (t) => {
  const bytes = expectedBatch();
  const record = decodeRecordBatches(bytes).batches[0]!.records[0]!;
  t.is(record.key!.buffer, bytes.buffer);
  bytes[61 + 5] = 0x4b; // 'k' -> 'K' in the input shows through the view
  t.is(record.key!.toString(), 'K');
});
