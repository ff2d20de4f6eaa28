/**
 * The zigzag varints that v2 records use for every length, delta and count (the same encoding
 * as protobuf's sint32/sint64). Only records use them: message headers use Kafka's unsigned
 * varints, which live with the other wire primitives.
 *
 * Varlongs (timestamp deltas) are handled as JavaScript numbers rather than bigints: every
 * value the records layer produces or accepts is a millisecond delta, exact as a number up to
 * 2^53, and bigint arithmetic would cost an allocation per record. A wire varlong beyond that
 * range is rejected as corrupt instead of being silently rounded.
 */
import { RecordBatchCorruptError } from './errors.js';

const TWO_POW_32 = 4294967296;

/** Bytes that the zigzag varint encoding of the int32 `value` takes. */
export function varintSize(value: number): number {
  const z = ((value << 1) ^ (value >> 31)) >>> 0;
  if (z < 0x80) return 1;
  if (z < 0x4000) return 2;
  if (z < 0x200000) return 3;
  if (z < 0x10000000) return 4;
  return 5;
}

/** Bytes that the zigzag varlong encoding of the safe integer `value` takes. */
export function varlongSize(value: number): number {
  if (value >= -0x40000000 && value < 0x40000000) return varintSize(value);
  let z = value >= 0 ? value * 2 : -value * 2 - 1;
  let size = 1;
  while (z >= 128) {
    z = Math.floor(z / 128);
    size++;
  }
  return size;
}

/** Writes the zigzag varint of the int32 `value` at `pos`; returns the position after it. */
export function writeVarint(buf: Uint8Array, pos: number, value: number): number {
  let z = ((value << 1) ^ (value >> 31)) >>> 0;
  while (z >= 0x80) {
    buf[pos++] = (z & 0x7f) | 0x80;
    z >>>= 7;
  }
  buf[pos++] = z;
  return pos;
}

/** Writes the zigzag varlong of the safe integer `value` at `pos`; returns the position after it. */
export function writeVarlong(buf: Uint8Array, pos: number, value: number): number {
  if (value >= -0x40000000 && value < 0x40000000) return writeVarint(buf, pos, value);
  let z = value >= 0 ? value * 2 : -value * 2 - 1;
  while (z >= 128) {
    buf[pos++] = (z % 128) | 0x80;
    z = Math.floor(z / 128);
  }
  buf[pos++] = z;
  return pos;
}

/**
 * A read position over `buf[pos, end)` for the variable-length parts of records. Every read
 * checks `end`, so a length or count that lies about the data surfaces as a typed error.
 */
export class RecordCursor {
  constructor(
    public buf: Uint8Array,
    public pos: number,
    public end: number,
  ) {}

  /** Reads a zigzag varint (at most 5 bytes) as an int32. */
  varint(): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos >= this.end) throw new RecordBatchCorruptError('varint runs past the end of the records', pos);
    let b = buf[pos++]!;
    if (b < 0x80) {
      this.pos = pos;
      return (b >>> 1) ^ -(b & 1);
    }
    let raw = b & 0x7f;
    let shift = 7;
    for (;;) {
      if (pos >= this.end) throw new RecordBatchCorruptError('varint runs past the end of the records', pos);
      b = buf[pos++]!;
      raw |= (b & 0x7f) << shift;
      if (b < 0x80) break;
      shift += 7;
      if (shift > 28) throw new RecordBatchCorruptError('varint longer than 5 bytes', pos);
    }
    this.pos = pos;
    return (raw >>> 1) ^ -(raw & 1);
  }

  /** Reads a zigzag varlong (at most 10 bytes) whose value must be a safe integer. */
  varlong(): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos >= this.end) throw new RecordBatchCorruptError('varlong runs past the end of the records', pos);
    let b = buf[pos++]!;
    if (b < 0x80) {
      this.pos = pos;
      return (b >>> 1) ^ -(b & 1);
    }
    let raw = b & 0x7f;
    let scale = 128;
    for (;;) {
      if (pos >= this.end) throw new RecordBatchCorruptError('varlong runs past the end of the records', pos);
      b = buf[pos++]!;
      raw += (b & 0x7f) * scale;
      if (b < 0x80) break;
      scale *= 128;
      if (scale > 2 ** 63) throw new RecordBatchCorruptError('varlong longer than 10 bytes', pos);
    }
    if (raw > Number.MAX_SAFE_INTEGER) {
      throw new RecordBatchCorruptError('varlong beyond 2^53 (not a millisecond delta)', this.pos);
    }
    this.pos = pos;
    // Zigzag decode without 32-bit operators, which would truncate.
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }
}

/** Reads a big-endian int64 that must be a safe integer (timestamps) as a number. */
export function readInt64AsNumber(buf: Uint8Array, pos: number): number {
  const hi = (buf[pos]! << 24) | (buf[pos + 1]! << 16) | (buf[pos + 2]! << 8) | buf[pos + 3]!;
  const lo = ((buf[pos + 4]! << 24) | (buf[pos + 5]! << 16) | (buf[pos + 6]! << 8) | buf[pos + 7]!) >>> 0;
  return hi * TWO_POW_32 + lo;
}

/** Writes the safe integer `value` as a big-endian int64 at `pos`. */
export function writeInt64FromNumber(buf: Uint8Array, pos: number, value: number): void {
  const hi = Math.floor(value / TWO_POW_32);
  const lo = value - hi * TWO_POW_32;
  buf[pos] = hi >>> 24;
  buf[pos + 1] = hi >>> 16;
  buf[pos + 2] = hi >>> 8;
  buf[pos + 3] = hi;
  buf[pos + 4] = lo >>> 24;
  buf[pos + 5] = lo >>> 16;
  buf[pos + 6] = lo >>> 8;
  buf[pos + 7] = lo;
}
