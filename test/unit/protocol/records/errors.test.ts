/**
 * The record-format errors: each class carries its stable code, its name, its fields and a
 * message that says what went wrong and where; none is retriable.
 */
import test from 'ava';
import {
  CompressionNeedsAsyncError,
  CrcMismatchError,
  DecompressedTooLargeError,
  DecompressionFailedError,
  InvalidRecordError,
  RecordBatchCorruptError,
  RecordErrorCode,
  RecordFormatError,
  UnsupportedCompressionError,
  UnsupportedMagicError,
} from '../../../../protocol/records/errors.js';

function common(t: { is: (a: unknown, b: unknown, m?: string) => void; true: (v: unknown, m?: string) => void }, err: RecordFormatError, code: string, name: string): void {
  t.true(err instanceof Error, name);
  t.true(err instanceof RecordFormatError, name);
  t.is(err.code, code, name);
  t.is(err.name, name);
  t.is(err.retriable, false, name);
}

test('the stable codes are the documented strings', (t) => {
  t.deepEqual({ ...RecordErrorCode }, {
    corrupt: 'RECORD_BATCH_CORRUPT',
    crcMismatch: 'CRC_MISMATCH',
    unsupportedCompression: 'UNSUPPORTED_COMPRESSION_TYPE',
    compressionNeedsAsync: 'COMPRESSION_NEEDS_ASYNC',
    decompressedTooLarge: 'DECOMPRESSED_SIZE_LIMIT',
    decompressionFailed: 'DECOMPRESSION_FAILED',
    unsupportedMagic: 'UNSUPPORTED_RECORD_VERSION',
    invalidRecord: 'INVALID_RECORD',
  });
});

test('RecordBatchCorruptError names the problem and the byte position', (t) => {
  const err = new RecordBatchCorruptError('record count -1 is negative', 61);
  common(t, err, 'RECORD_BATCH_CORRUPT', 'RecordBatchCorruptError');
  t.is(err.position, 61);
  t.is(err.message, 'record count -1 is negative (at byte 61)');
});

test('CrcMismatchError shows both CRCs as 8 hex digits', (t) => {
  const err = new CrcMismatchError(0xab, 0xbeef, 12);
  common(t, err, 'CRC_MISMATCH', 'CrcMismatchError');
  t.is(err.expected, 0xab);
  t.is(err.actual, 0xbeef);
  t.is(err.position, 12);
  t.is(err.message, 'record batch at byte 12: stored CRC 0x000000ab but the bytes hash to 0x0000beef');
  t.is(new CrcMismatchError(0xdeadbeef, 0xfedcba98, 0).message, 'record batch at byte 0: stored CRC 0xdeadbeef but the bytes hash to 0xfedcba98');
});

test('UnsupportedCompressionError names the codec id and an optional detail', (t) => {
  const plain = new UnsupportedCompressionError(6);
  common(t, plain, 'UNSUPPORTED_COMPRESSION_TYPE', 'UnsupportedCompressionError');
  t.is(plain.codecId, 6);
  t.is(plain.message, 'unsupported compression codec id 6');
  t.is(new UnsupportedCompressionError(4, 'no zstd here').message, 'unsupported compression codec id 4: no zstd here');
  t.is(new UnsupportedCompressionError(4, '').message, 'unsupported compression codec id 4');
});

test('CompressionNeedsAsyncError names the codec and the way out', (t) => {
  const err = new CompressionNeedsAsyncError('zstd');
  common(t, err, 'COMPRESSION_NEEDS_ASYNC', 'CompressionNeedsAsyncError');
  t.is(err.codecName, 'zstd');
  t.is(err.message, 'zstd has no synchronous implementation on this Node.js; use the async encode/decode functions');
});

test('DecompressedTooLargeError says the declared size when known, else only the limit', (t) => {
  const known = new DecompressedTooLargeError('snappy', 5000, 1024);
  common(t, known, 'DECOMPRESSED_SIZE_LIMIT', 'DecompressedTooLargeError');
  t.is(known.codecName, 'snappy');
  t.is(known.size, 5000);
  t.is(known.limit, 1024);
  t.is(known.message, 'snappy payload would decompress to 5000 bytes, over the limit of 1024');
  const unknown = new DecompressedTooLargeError('gzip', undefined, 1024);
  t.is(unknown.size, undefined);
  t.is(unknown.message, 'gzip payload decompresses to more than the limit of 1024 bytes');
  // Zero is a size, not "unknown".
  t.is(new DecompressedTooLargeError('lz4', 0, 0).message, 'lz4 payload would decompress to 0 bytes, over the limit of 0');
});

test('DecompressionFailedError keeps the detail and the cause', (t) => {
  const cause = new Error('inner');
  const err = new DecompressionFailedError('lz4', 'bad block', { cause });
  common(t, err, 'DECOMPRESSION_FAILED', 'DecompressionFailedError');
  t.is(err.codecName, 'lz4');
  t.is(err.message, 'lz4 payload could not be decompressed: bad block');
  t.is(err.cause, cause);
  t.is(new DecompressionFailedError('zstd', 'x').cause, undefined);
});

test('UnsupportedMagicError names the magic and the position', (t) => {
  const err = new UnsupportedMagicError(3, 40);
  common(t, err, 'UNSUPPORTED_RECORD_VERSION', 'UnsupportedMagicError');
  t.is(err.magic, 3);
  t.is(err.position, 40);
  t.is(err.message, 'record batch at byte 40 has magic 3; only 0, 1 and 2 exist');
});

test('InvalidRecordError keeps the message as given', (t) => {
  const err = new InvalidRecordError('timestamp is not a safe integer');
  common(t, err, 'INVALID_RECORD', 'InvalidRecordError');
  t.is(err.message, 'timestamp is not a safe integer');
});
