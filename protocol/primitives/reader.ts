/**
 * Bounds-checked reader of Kafka's wire primitives over one Buffer.
 *
 * Every read checks the bytes it needs against the end of the buffer before touching them, and
 * every length or count read from the wire is checked against the remaining bytes before
 * anything is allocated or looped over, so hostile input costs at most its own size. Problems
 * throw ProtocolDecodeError naming what was being read and where it started.
 *
 * Byte arrays are returned as zero-copy subarrays of the input: they stay valid as long as the
 * caller does not reuse the underlying buffer.
 */
import { ProtocolDecodeError } from './errors.js';

/** The 16 zero bytes of Kafka's Uuid.ZERO_UUID in its textual (base64url) form. */
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

const TWO_POW_28 = 268435456;

export class Reader {
  readonly buf: Buffer;
  offset: number;
  /** One past the last readable byte. */
  readonly end: number;

  constructor(buf: Buffer, offset = 0, end = buf.length) {
    if (offset < 0 || end > buf.length || offset > end) {
      throw new ProtocolDecodeError(`reader window ${offset}..${end} outside a buffer of ${buf.length} bytes`, offset);
    }
    this.buf = buf;
    this.offset = offset;
    this.end = end;
  }

  remaining(): number {
    return this.end - this.offset;
  }

  /** Throws unless `n` more bytes are available. */
  need(n: number, what: string): void {
    if (this.end - this.offset < n) {
      throw new ProtocolDecodeError(`${what} (needs ${n} bytes, ${this.end - this.offset} left)`, this.offset);
    }
  }

  skip(n: number, what = 'skipped bytes'): void {
    if (n < 0) throw new ProtocolDecodeError(`${what} (negative length ${n})`, this.offset);
    this.need(n, what);
    this.offset += n;
  }

  readInt8(): number {
    this.need(1, 'int8');
    return this.buf.readInt8(this.offset++);
  }

  readBool(): boolean {
    this.need(1, 'bool');
    // Kafka treats any non-zero byte as true.
    return this.buf[this.offset++] !== 0;
  }

  readInt16(): number {
    this.need(2, 'int16');
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  readUint16(): number {
    this.need(2, 'uint16');
    const v = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  readInt32(): number {
    this.need(4, 'int32');
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  readUint32(): number {
    this.need(4, 'uint32');
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  readInt64(): bigint {
    this.need(8, 'int64');
    const v = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return v;
  }

  readFloat64(): number {
    this.need(8, 'float64');
    const v = this.buf.readDoubleBE(this.offset);
    this.offset += 8;
    return v;
  }

  /** Unsigned LEB128 of at most 5 bytes holding a value up to 2^32-1. */
  readUnsignedVarint(): number {
    const buf = this.buf;
    const end = this.end;
    const start = this.offset;
    let off = start;
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      if (off >= end) throw new ProtocolDecodeError('unsigned varint (truncated)', start);
      const b = buf[off++];
      if (shift === 28) {
        // The fifth byte may only carry the top 4 bits of a 32-bit value and must end the varint.
        if (b > 0x0f) throw new ProtocolDecodeError('unsigned varint (longer than 5 bytes or above 2^32-1)', start);
        value += b * TWO_POW_28;
        break;
      }
      value |= (b & 0x7f) << shift;
      if (b < 0x80) break;
    }
    this.offset = off;
    return value;
  }

  /** Zig-zag signed 32-bit varint. */
  readVarint(): number {
    const u = this.readUnsignedVarint();
    return (u >>> 1) ^ -(u & 1);
  }

  /** Zig-zag signed 64-bit varint of at most 10 bytes. */
  readVarlong(): bigint {
    const buf = this.buf;
    const end = this.end;
    const start = this.offset;
    let off = start;
    // The low 28 bits collect in `lo`; the rest (up to 36 bits) in `hi`, both exact as numbers.
    let lo = 0;
    let hi = 0;
    for (let shift = 0; ; shift += 7) {
      if (off >= end) throw new ProtocolDecodeError('varlong (truncated)', start);
      const b = buf[off++];
      if (shift === 63) {
        if (b > 0x01) throw new ProtocolDecodeError('varlong (longer than 10 bytes or above 64 bits)', start);
        hi += b * 2 ** 35;
        break;
      }
      if (shift < 28) lo |= (b & 0x7f) << shift;
      else hi += (b & 0x7f) * 2 ** (shift - 28);
      if (b < 0x80) break;
    }
    this.offset = off;
    if (hi === 0) return BigInt((lo >>> 1) ^ -(lo & 1));
    const u = (BigInt(hi) << 28n) | BigInt(lo);
    return (u >> 1n) ^ -(u & 1n);
  }

  readUuid(): string {
    this.need(16, 'uuid');
    const s = this.buf.toString('base64url', this.offset, this.offset + 16);
    this.offset += 16;
    return s;
  }

  /** `n` raw bytes as a zero-copy subarray. */
  readSlice(n: number, what = 'bytes'): Buffer {
    this.need(n, what);
    const s = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return s;
  }

  private utf8(n: number, what: string): string {
    this.need(n, what);
    const s = this.buf.toString('utf8', this.offset, this.offset + n);
    this.offset += n;
    return s;
  }

  readNullableString(): string | null {
    const at = this.offset;
    const n = this.readInt16();
    if (n < 0) {
      if (n === -1) return null;
      throw new ProtocolDecodeError(`string (length ${n})`, at);
    }
    return this.utf8(n, 'string');
  }

  readString(): string {
    const at = this.offset;
    const s = this.readNullableString();
    if (s === null) throw new ProtocolDecodeError('string (null where the field is not nullable)', at);
    return s;
  }

  readCompactNullableString(): string | null {
    const u = this.readUnsignedVarint();
    if (u === 0) return null;
    return this.utf8(u - 1, 'compact string');
  }

  readCompactString(): string {
    const at = this.offset;
    const s = this.readCompactNullableString();
    if (s === null) throw new ProtocolDecodeError('compact string (null where the field is not nullable)', at);
    return s;
  }

  readNullableBytes(): Buffer | null {
    const at = this.offset;
    const n = this.readInt32();
    if (n < 0) {
      if (n === -1) return null;
      throw new ProtocolDecodeError(`bytes (length ${n})`, at);
    }
    return this.readSlice(n, 'bytes');
  }

  readBytes(): Buffer {
    const at = this.offset;
    const b = this.readNullableBytes();
    if (b === null) throw new ProtocolDecodeError('bytes (null where the field is not nullable)', at);
    return b;
  }

  readCompactNullableBytes(): Buffer | null {
    const u = this.readUnsignedVarint();
    if (u === 0) return null;
    return this.readSlice(u - 1, 'compact bytes');
  }

  readCompactBytes(): Buffer {
    const at = this.offset;
    const b = this.readCompactNullableBytes();
    if (b === null) throw new ProtocolDecodeError('compact bytes (null where the field is not nullable)', at);
    return b;
  }

  /**
   * An int32 array count: -1 for null, otherwise a count that cannot exceed the remaining bytes
   * (every array element takes at least one byte on the wire).
   */
  readArrayLength(): number {
    const at = this.offset;
    const n = this.readInt32();
    if (n < -1) throw new ProtocolDecodeError(`array (length ${n})`, at);
    if (n > this.end - this.offset) {
      throw new ProtocolDecodeError(`array (${n} elements but ${this.end - this.offset} bytes left)`, at);
    }
    return n;
  }

  /** A compact array count (unsigned varint N+1): -1 for null, checked like readArrayLength. */
  readCompactArrayLength(): number {
    const at = this.offset;
    const n = this.readUnsignedVarint() - 1;
    if (n > this.end - this.offset) {
      throw new ProtocolDecodeError(`compact array (${n} elements but ${this.end - this.offset} bytes left)`, at);
    }
    return n;
  }

  /**
   * Start of one field in a tagged-field section: checks that `size` bytes are there and returns
   * the offset where the field must end.
   */
  taggedFieldEnd(size: number): number {
    this.need(size, 'tagged field');
    return this.offset + size;
  }

  /** Skips a whole tagged-field section (a struct with no tagged fields known at this version). */
  skipTaggedFields(): void {
    const count = this.readUnsignedVarint();
    // Each field takes at least two bytes (tag and size), so a hostile count runs out of input quickly.
    for (let i = 0; i < count; i++) {
      this.readUnsignedVarint();
      this.skip(this.readUnsignedVarint(), 'unknown tagged field');
    }
  }

  /** A known tagged field must consume exactly the size its header announced. */
  checkTaggedFieldEnd(end: number, tag: number): void {
    if (this.offset !== end) {
      throw new ProtocolDecodeError(`tagged field ${tag} (content does not match its size)`, this.offset);
    }
  }
}
