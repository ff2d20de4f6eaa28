/**
 * Errors raised while encoding or decoding record batches. Each has a stable `code` (Kafka's
 * error name where Kafka has one for the same problem) and says whether retrying can help:
 * none of these can, because the same bytes decode the same way every time.
 */

export const RecordErrorCode = {
  /** Structurally invalid bytes: a length past its end, a negative count, trailing bytes. */
  corrupt: 'RECORD_BATCH_CORRUPT',
  /** The stored CRC does not match the bytes (Kafka's CORRUPT_MESSAGE covers this on the broker). */
  crcMismatch: 'CRC_MISMATCH',
  /** A compression codec id outside 0-4, or one whose library is not available. */
  unsupportedCompression: 'UNSUPPORTED_COMPRESSION_TYPE',
  /** A codec that only has an asynchronous implementation was used through a synchronous call. */
  compressionNeedsAsync: 'COMPRESSION_NEEDS_ASYNC',
  /** Decompressed output would exceed the configured limit (a decompression bomb, or a too-small limit). */
  decompressedTooLarge: 'DECOMPRESSED_SIZE_LIMIT',
  /** The compressed payload could not be decompressed by its codec. */
  decompressionFailed: 'DECOMPRESSION_FAILED',
  /** A magic byte other than 0, 1 or 2. */
  unsupportedMagic: 'UNSUPPORTED_RECORD_VERSION',
  /** The records handed to the encoder are not encodable (bad timestamp, offset, header key...). */
  invalidRecord: 'INVALID_RECORD',
} as const;
export type RecordErrorCode = (typeof RecordErrorCode)[keyof typeof RecordErrorCode];

export abstract class RecordFormatError extends Error {
  abstract readonly code: RecordErrorCode;
  readonly retriable = false;
}

export class RecordBatchCorruptError extends RecordFormatError {
  readonly code = RecordErrorCode.corrupt;
  override readonly name = 'RecordBatchCorruptError';
  /** Byte position (in the buffer being decoded) where the problem was found. */
  readonly position: number;
  constructor(message: string, position: number) {
    super(`${message} (at byte ${position})`);
    this.position = position;
  }
}

export class CrcMismatchError extends RecordFormatError {
  readonly code = RecordErrorCode.crcMismatch;
  override readonly name = 'CrcMismatchError';
  constructor(
    readonly expected: number,
    readonly actual: number,
    readonly position: number,
  ) {
    super(
      `record batch at byte ${position}: stored CRC 0x${expected.toString(16).padStart(8, '0')} ` +
        `but the bytes hash to 0x${actual.toString(16).padStart(8, '0')}`,
    );
  }
}

export class UnsupportedCompressionError extends RecordFormatError {
  readonly code = RecordErrorCode.unsupportedCompression;
  override readonly name = 'UnsupportedCompressionError';
  constructor(readonly codecId: number, detail?: string) {
    super(`unsupported compression codec id ${codecId}${detail ? `: ${detail}` : ''}`);
  }
}

export class CompressionNeedsAsyncError extends RecordFormatError {
  readonly code = RecordErrorCode.compressionNeedsAsync;
  override readonly name = 'CompressionNeedsAsyncError';
  constructor(readonly codecName: string) {
    super(`${codecName} has no synchronous implementation on this Node.js; use the async encode/decode functions`);
  }
}

export class DecompressedTooLargeError extends RecordFormatError {
  readonly code = RecordErrorCode.decompressedTooLarge;
  override readonly name = 'DecompressedTooLargeError';
  constructor(
    readonly codecName: string,
    /** The size (or upper bound) the payload declares, when the format declares one. */
    readonly size: number | undefined,
    readonly limit: number,
  ) {
    super(
      size === undefined
        ? `${codecName} payload decompresses to more than the limit of ${limit} bytes`
        : `${codecName} payload would decompress to ${size} bytes, over the limit of ${limit}`,
    );
  }
}

export class DecompressionFailedError extends RecordFormatError {
  readonly code = RecordErrorCode.decompressionFailed;
  override readonly name = 'DecompressionFailedError';
  constructor(readonly codecName: string, detail: string, options?: { cause?: unknown }) {
    super(`${codecName} payload could not be decompressed: ${detail}`, options);
  }
}

export class UnsupportedMagicError extends RecordFormatError {
  readonly code = RecordErrorCode.unsupportedMagic;
  override readonly name = 'UnsupportedMagicError';
  constructor(readonly magic: number, readonly position: number) {
    super(`record batch at byte ${position} has magic ${magic}; only 0, 1 and 2 exist`);
  }
}

export class InvalidRecordError extends RecordFormatError {
  readonly code = RecordErrorCode.invalidRecord;
  override readonly name = 'InvalidRecordError';
  constructor(message: string) {
    super(message);
  }
}
