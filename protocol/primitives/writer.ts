/**
 * Chunked writer of Kafka's wire primitives.
 *
 * Scalars and short byte strings go into the current chunk; a full chunk is set aside (never
 * copied) and a new one started. Large Buffers (record batches, SASL tokens) are appended by
 * reference, so the caller must not change them until the output has been sent. Space for a
 * size prefix can be reserved and patched later, so frames are built in one pass without a copy.
 *
 * Every write checks its value (range, type, length limit) and throws ProtocolEncodeError
 * naming the problem instead of putting wrong bytes on the wire.
 */
import { ProtocolEncodeError } from './errors.js';

/** Size of each chunk after the first. */
const CHUNK_SIZE = 16 * 1024;
/** Buffers at least this long are referenced rather than copied. */
const REFERENCE_THRESHOLD = 256;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MASK = 2n ** 64n - 1n;
const UUID_TEXT = /^[A-Za-z0-9_-]{21}[AQgw]$/;

export class Writer {
  /** Finished pieces of output, in order. */
  private readonly pieces: Buffer[] = [];
  private piecesLength = 0;
  private buf: Buffer;
  /** Start of the not yet set-aside part of `buf`. */
  private start = 0;
  private pos = 0;
  private readonly reservedBufs: Buffer[] = [];
  private readonly reservedOffsets: number[] = [];

  /** `initialSize` sizes the first chunk: small requests then come from Node's buffer pool. */
  constructor(initialSize = 1024) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.piecesLength + this.pos - this.start;
  }

  private ensure(n: number): void {
    if (this.buf.length - this.pos < n) {
      this.setAside();
      this.buf = Buffer.allocUnsafe(Math.max(CHUNK_SIZE, n));
      this.start = 0;
      this.pos = 0;
    }
  }

  private setAside(): void {
    if (this.pos > this.start) {
      this.pieces.push(this.buf.subarray(this.start, this.pos));
      this.piecesLength += this.pos - this.start;
      this.start = this.pos;
    }
  }

  /** The output as one Buffer (no copy when it fits in one piece). */
  finish(): Buffer {
    this.setAside();
    if (this.pieces.length === 1) return this.pieces[0];
    return Buffer.concat(this.pieces, this.piecesLength);
  }

  /** The output as a list of Buffers for a vectored socket write. */
  toBuffers(): Buffer[] {
    this.setAside();
    return this.pieces.slice();
  }

  /** Appends everything another writer produced (by reference). */
  appendWriter(other: Writer): void {
    for (const piece of other.toBuffers()) this.writeRaw(piece);
  }

  /** Appends raw bytes with no length prefix; large Buffers by reference. */
  writeRaw(b: Buffer): void {
    const n = b.length;
    if (n >= REFERENCE_THRESHOLD) {
      this.setAside();
      this.pieces.push(b);
      this.piecesLength += n;
      return;
    }
    this.ensure(n);
    b.copy(this.buf, this.pos);
    this.pos += n;
  }

  /** Reserves four bytes for an int32 written later with patchInt32; returns an opaque handle. */
  reserveInt32(): number {
    this.ensure(4);
    this.reservedBufs.push(this.buf);
    this.reservedOffsets.push(this.pos);
    this.buf.writeInt32BE(0, this.pos);
    this.pos += 4;
    return this.reservedBufs.length - 1;
  }

  patchInt32(handle: number, value: number): void {
    const buf = this.reservedBufs[handle];
    if (buf === undefined) throw new ProtocolEncodeError(`patch of unknown reservation ${handle}`);
    if ((value | 0) !== value) throw new ProtocolEncodeError(`int32 ${value} (out of range)`);
    buf.writeInt32BE(value, this.reservedOffsets[handle]);
  }

  writeInt8(v: number): void {
    if ((v << 24) >> 24 !== v) throw new ProtocolEncodeError(`int8 ${String(v)} (out of range)`);
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
  }

  writeBool(v: boolean): void {
    if (v !== true && v !== false) throw new ProtocolEncodeError(`bool ${String(v)} (not a boolean)`);
    this.ensure(1);
    this.buf[this.pos++] = v ? 1 : 0;
  }

  writeInt16(v: number): void {
    if ((v << 16) >> 16 !== v) throw new ProtocolEncodeError(`int16 ${String(v)} (out of range)`);
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
  }

  writeUint16(v: number): void {
    if ((v & 0xffff) !== v) throw new ProtocolEncodeError(`uint16 ${String(v)} (out of range)`);
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
  }

  writeInt32(v: number): void {
    if ((v | 0) !== v) throw new ProtocolEncodeError(`int32 ${String(v)} (out of range)`);
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
  }

  writeUint32(v: number): void {
    if (v >>> 0 !== v) throw new ProtocolEncodeError(`uint32 ${String(v)} (out of range)`);
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
  }

  writeInt64(v: bigint): void {
    if (typeof v !== 'bigint' || v < INT64_MIN || v > INT64_MAX) {
      throw new ProtocolEncodeError(`int64 ${String(v)} (not a bigint in range)`);
    }
    this.ensure(8);
    this.buf.writeBigInt64BE(v, this.pos);
    this.pos += 8;
  }

  writeFloat64(v: number): void {
    if (typeof v !== 'number') throw new ProtocolEncodeError(`float64 ${String(v)} (not a number)`);
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
  }

  writeUnsignedVarint(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
      throw new ProtocolEncodeError(`unsigned varint ${String(v)} (out of range)`);
    }
    this.ensure(5);
    const buf = this.buf;
    let pos = this.pos;
    while (v >= 0x80) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[pos++] = v;
    this.pos = pos;
  }

  writeVarint(v: number): void {
    if ((v | 0) !== v) throw new ProtocolEncodeError(`varint ${String(v)} (out of int32 range)`);
    this.writeUnsignedVarint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  writeVarlong(v: bigint): void {
    if (typeof v !== 'bigint' || v < INT64_MIN || v > INT64_MAX) {
      throw new ProtocolEncodeError(`varlong ${String(v)} (not a bigint in range)`);
    }
    if (v >= -0x40000000n && v < 0x40000000n) {
      this.writeVarint(Number(v));
      return;
    }
    let u = ((v << 1n) ^ (v >> 63n)) & UINT64_MASK;
    this.ensure(10);
    const buf = this.buf;
    let pos = this.pos;
    while (u >= 0x80n) {
      buf[pos++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    buf[pos++] = Number(u);
    this.pos = pos;
  }

  writeUuid(v: string): void {
    if (typeof v !== 'string' || !UUID_TEXT.test(v)) {
      throw new ProtocolEncodeError(`uuid ${JSON.stringify(v)} (not 22 base64url characters of 16 bytes)`);
    }
    this.ensure(16);
    this.buf.write(v, this.pos, 16, 'base64url');
    this.pos += 16;
  }

  private utf8(s: string, n: number): void {
    this.ensure(n);
    this.buf.write(s, this.pos, n, 'utf8');
    this.pos += n;
  }

  writeString(s: string): void {
    if (typeof s !== 'string') throw new ProtocolEncodeError(`string ${String(s)} (not a string)`);
    const n = Buffer.byteLength(s, 'utf8');
    if (n > 0x7fff) throw new ProtocolEncodeError(`string of ${n} bytes (longer than 32767)`);
    this.ensure(2 + n);
    this.buf.writeInt16BE(n, this.pos);
    this.pos += 2;
    this.utf8(s, n);
  }

  writeNullableString(s: string | null): void {
    if (s === null) this.writeInt16(-1);
    else this.writeString(s);
  }

  writeCompactString(s: string): void {
    if (typeof s !== 'string') throw new ProtocolEncodeError(`compact string ${String(s)} (not a string)`);
    const n = Buffer.byteLength(s, 'utf8');
    if (n > 0x7fff) throw new ProtocolEncodeError(`compact string of ${n} bytes (longer than 32767)`);
    this.writeUnsignedVarint(n + 1);
    this.utf8(s, n);
  }

  writeCompactNullableString(s: string | null): void {
    if (s === null) this.writeUnsignedVarint(0);
    else this.writeCompactString(s);
  }

  writeBytes(b: Buffer): void {
    if (!Buffer.isBuffer(b)) throw new ProtocolEncodeError('bytes (not a Buffer)');
    this.writeInt32(b.length);
    this.writeRaw(b);
  }

  writeNullableBytes(b: Buffer | null): void {
    if (b === null) this.writeInt32(-1);
    else this.writeBytes(b);
  }

  writeCompactBytes(b: Buffer): void {
    if (!Buffer.isBuffer(b)) throw new ProtocolEncodeError('compact bytes (not a Buffer)');
    this.writeUnsignedVarint(b.length + 1);
    this.writeRaw(b);
  }

  writeCompactNullableBytes(b: Buffer | null): void {
    if (b === null) this.writeUnsignedVarint(0);
    else this.writeCompactBytes(b);
  }

  /** An int32 array count, or -1 for null. */
  writeArrayLength(n: number): void {
    this.writeInt32(n);
  }

  /** A compact array count (N+1), or 0 for null when `n` is -1. */
  writeCompactArrayLength(n: number): void {
    this.writeUnsignedVarint(n + 1);
  }
}
