/** Record batches and compression: the public surface used by the produce and fetch paths. */
export { encodeRecordBatch, encodeRecordBatchAsync } from './record-batch-encode.js';
export { decodeRecordBatches, decodeRecordBatchesAsync } from './record-batch-decode.js';
export { decodeControlRecord, isAbortMarker } from './control-record.js';
export { crc32c } from './crc32c.js';
export { compressionCodec } from './compression/registry.js';
export type { CompressionCodecImpl } from './compression/codec.js';
export * from './errors.js';
export * from './record-types.js';
