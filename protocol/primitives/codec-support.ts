/**
 * Small helpers the generated message codecs (protocol/messages/) call: version checks, the
 * errors they throw, and shared default values. Kept here so generated files stay plain.
 */
import { ProtocolDecodeError, ProtocolEncodeError, UnsupportedVersionError, WireError } from './errors.js';

export { ZERO_UUID } from './reader.js';

/** Default of non-nullable bytes fields. Shared and empty, so nothing can be written into it. */
export const EMPTY_BUFFER: Buffer = Buffer.alloc(0);

export function checkVersion(message: string, version: number, min: number, max: number): void {
  if (!(version >= min && version <= max) || (version | 0) !== version) {
    throw new UnsupportedVersionError(`${message} has no version ${String(version)} (valid ${min}-${max})`);
  }
}

/** A null value given for a field that is not nullable at this version. */
export function nullEncoded(path: string, version: number): ProtocolEncodeError {
  return new ProtocolEncodeError(`${path}: null is not allowed at version ${version}`);
}

/** A non-default value given for a field this version does not have (and may not drop). */
export function absentField(path: string, version: number): UnsupportedVersionError {
  return new UnsupportedVersionError(`${path} does not exist at version ${version} but holds a non-default value`);
}

/** A null array read where the field is not nullable at this version. */
export function nullDecoded(path: string, offset: number): ProtocolDecodeError {
  return new ProtocolDecodeError(`${path} (null where the field is not nullable)`, offset);
}

/** Appends the message name and version to a wire error on its way out of a codec. */
function addContext(e: WireError, message: string, version: number): WireError {
  if (!e.message.includes(' [in ')) e.message = `${e.message} [in ${message} v${version}]`;
  return e;
}

/**
 * Encode errors: a wire error gets the message name; a TypeError from a value of the wrong
 * shape (a missing array, a number where a struct belongs) becomes a ProtocolEncodeError.
 */
export function encodeFailure(e: unknown, message: string, version: number): unknown {
  if (e instanceof WireError) return addContext(e, message, version);
  if (e instanceof TypeError) return addContext(new ProtocolEncodeError(`a malformed value (${e.message})`), message, version);
  return e;
}

/**
 * Decode errors: wire errors get the message name. Anything else is a bug in the codec and
 * passes through unchanged so that tests see it.
 */
export function decodeFailure(e: unknown, message: string, version: number): unknown {
  return e instanceof WireError ? addContext(e, message, version) : e;
}
