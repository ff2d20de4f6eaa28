/**
 * Errors of the wire primitives and generated message codecs. Each carries a stable `code`
 * and says whether retrying can help: none of these can, because the same bytes (or the same
 * message object) fail the same way every time.
 */

export const WireErrorCode = {
  /** Bytes that do not form a valid message: a length past the end, a bad varint, trailing bytes. */
  decode: 'KAFKA_DECODE_ERROR',
  /** A message object that cannot be encoded: a value out of range, a null where none is allowed. */
  encode: 'KAFKA_ENCODE_ERROR',
  /** A version outside what the message definition knows, or a field the version cannot carry. */
  unsupportedVersion: 'UNSUPPORTED_VERSION',
  /** A size-prefixed frame larger than the configured maximum (or a negative size). */
  frameTooLarge: 'KAFKA_FRAME_TOO_LARGE',
} as const;
export type WireErrorCode = (typeof WireErrorCode)[keyof typeof WireErrorCode];

export abstract class WireError extends Error {
  abstract readonly code: WireErrorCode;
  readonly retriable = false;
}

/** Malformed bytes. `what` names the value being read, `offset` where in the buffer it started. */
export class ProtocolDecodeError extends WireError {
  readonly code = WireErrorCode.decode;
  override readonly name = 'ProtocolDecodeError';
  constructor(
    readonly what: string,
    readonly offset: number,
  ) {
    super(`cannot decode ${what} at byte ${offset}`);
  }
}

/** A message value that cannot be put on the wire; `what` names the field and the problem. */
export class ProtocolEncodeError extends WireError {
  readonly code = WireErrorCode.encode;
  override readonly name = 'ProtocolEncodeError';
  constructor(readonly what: string) {
    super(`cannot encode ${what}`);
  }
}

/**
 * A version the codec does not know, or a non-default value in a field that does not exist in
 * the requested version and may not be dropped silently (Kafka's UnsupportedVersionException).
 */
export class UnsupportedVersionError extends WireError {
  readonly code = WireErrorCode.unsupportedVersion;
  override readonly name = 'UnsupportedVersionError';
  constructor(message: string) {
    super(message);
  }
}

/** A frame whose size prefix is negative or above the configured maximum. */
export class FrameTooLargeError extends WireError {
  readonly code = WireErrorCode.frameTooLarge;
  override readonly name = 'FrameTooLargeError';
  constructor(
    readonly size: number,
    readonly maxSize: number,
  ) {
    super(size < 0 ? `negative frame size ${size}` : `frame of ${size} bytes exceeds the maximum of ${maxSize}`);
  }
}
