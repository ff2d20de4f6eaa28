/**
 * The inner loop of fetch: v2 records from `buf[pos, end)` into record objects.
 *
 * Kept to one function with no per-record closures; every length is checked against the end
 * of its record before a view is made, and the record must end exactly where its length says.
 * Keys, values and header values are views into `buf` (no copy).
 */
import { bufferView } from './buffer-view.js';
import { RecordBatchCorruptError } from './errors.js';
import type { HeaderValue, KafkaRecord, RecordHeader } from './record-types.js';
import { RecordCursor } from './varint.js';

/** Smallest encoded record: length, attributes, timestamp delta, offset delta, key, value, header count. */
const MIN_RECORD_BYTES = 7;
/** Smallest header: key length (0) and value length (-1). */
const MIN_HEADER_BYTES = 2;
const NO_HEADERS: readonly RecordHeader[] = Object.freeze([]);

/**
 * Header keys repeat from record to record; remembering the last bytes decoded for each
 * header position turns most key decodes into a short byte comparison and shares one string.
 */
class HeaderKeyCache {
  private readonly bytes: Uint8Array[] = [];
  private readonly strings: string[] = [];

  key(buf: Buffer, start: number, length: number, slot: number): string {
    const cached = this.bytes[slot];
    if (cached !== undefined && cached.length === length) {
      let same = true;
      for (let i = 0; i < length; i++) {
        if (cached[i] !== buf[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return this.strings[slot]!;
    }
    const text = decodeShortUtf8(buf, start, length);
    if (slot < 8) {
      this.bytes[slot] = buf.subarray(start, start + length);
      this.strings[slot] = text;
    }
    return text;
  }
}

/** UTF-8 decode with a JavaScript fast path for short ASCII, where Buffer#toString's call costs most. */
function decodeShortUtf8(buf: Buffer, start: number, length: number): string {
  if (length > 24) return buf.toString('utf8', start, start + length);
  let text = '';
  for (let i = start, end = start + length; i < end; i++) {
    const c = buf[i]!;
    if (c >= 0x80) return buf.toString('utf8', start, end);
    text += String.fromCharCode(c);
  }
  return text;
}

function corrupt(message: string, pos: number): never {
  throw new RecordBatchCorruptError(message, pos);
}

/**
 * Decodes `count` records from `buf[pos, end)`. `logAppendTime` is the batch's max timestamp
 * when the broker stamped the batch (LogAppendTime), else -1 and each record's own timestamp
 * (base + delta) is used.
 */
export function decodeRecords(
  buf: Buffer,
  pos: number,
  end: number,
  count: number,
  baseOffset: bigint,
  baseTimestamp: number,
  logAppendTime: number,
): KafkaRecord[] {
  if (count < 0) corrupt(`negative record count ${count}`, pos);
  if (count > (end - pos) / MIN_RECORD_BYTES) corrupt(`record count ${count} cannot fit in ${end - pos} bytes`, pos);
  // Sized up front (count is bounded by the bytes above), so no growth copies while filling.
  const records = new Array<KafkaRecord>(count);
  const arrayBuffer = buf.buffer;
  const viewBase = buf.byteOffset;
  const cur = new RecordCursor(buf, pos, end);
  let keys: HeaderKeyCache | undefined;
  // Offset deltas normally count up by one: adding 1n to the previous offset allocates one
  // BigInt where BigInt(delta) + base allocates two.
  let previousDelta = -2;
  let previousOffset = baseOffset;
  for (let i = 0; i < count; i++) {
    cur.end = end;
    const length = cur.varint();
    const recordEnd = cur.pos + length;
    if (length < MIN_RECORD_BYTES - 1 || recordEnd > end) corrupt(`record length ${length} does not fit the batch`, cur.pos);
    cur.end = recordEnd;
    cur.pos++; // attributes: unused in v2
    const timestampDelta = cur.varlong();
    const offsetDelta = cur.varint();

    let key: Buffer | null = null;
    const keyLength = cur.varint();
    if (keyLength >= 0) {
      if (cur.pos + keyLength > recordEnd) corrupt(`key length ${keyLength} runs past its record`, cur.pos);
      key = bufferView(arrayBuffer, viewBase + cur.pos, keyLength);
      cur.pos += keyLength;
    } else if (keyLength !== -1) {
      corrupt(`invalid key length ${keyLength}`, cur.pos);
    }

    let value: Buffer | null = null;
    const valueLength = cur.varint();
    if (valueLength >= 0) {
      if (cur.pos + valueLength > recordEnd) corrupt(`value length ${valueLength} runs past its record`, cur.pos);
      value = bufferView(arrayBuffer, viewBase + cur.pos, valueLength);
      cur.pos += valueLength;
    } else if (valueLength !== -1) {
      corrupt(`invalid value length ${valueLength}`, cur.pos);
    }

    let headers = NO_HEADERS;
    const headerCount = cur.varint();
    if (headerCount !== 0) {
      if (headerCount < 0 || headerCount > (recordEnd - cur.pos) / MIN_HEADER_BYTES) {
        corrupt(`header count ${headerCount} cannot fit in its record`, cur.pos);
      }
      keys ??= new HeaderKeyCache();
      // Sized up front: `[]` + push would reserve room for 17 elements on the first push.
      const list = new Array<RecordHeader>(headerCount);
      for (let h = 0; h < headerCount; h++) {
        const keyBytes = cur.varint();
        if (keyBytes < 0 || cur.pos + keyBytes > recordEnd) corrupt(`header key length ${keyBytes} is invalid`, cur.pos);
        const headerKey = keys.key(buf, cur.pos, keyBytes, h);
        cur.pos += keyBytes;
        let headerValue: HeaderValue = null;
        const valueBytes = cur.varint();
        if (valueBytes >= 0) {
          if (cur.pos + valueBytes > recordEnd) corrupt(`header value length ${valueBytes} runs past its record`, cur.pos);
          headerValue = bufferView(arrayBuffer, viewBase + cur.pos, valueBytes);
          cur.pos += valueBytes;
        } else if (valueBytes !== -1) {
          corrupt(`invalid header value length ${valueBytes}`, cur.pos);
        }
        list[h] = [headerKey, headerValue];
      }
      headers = list;
    }
    if (cur.pos !== recordEnd) corrupt(`record declares ${length} bytes but its fields end elsewhere`, cur.pos);

    previousOffset = offsetDelta === previousDelta + 1 ? previousOffset + 1n : baseOffset + BigInt(offsetDelta);
    previousDelta = offsetDelta;
    records[i] = {
      offset: previousOffset,
      timestamp: logAppendTime >= 0 ? logAppendTime : baseTimestamp + timestampDelta,
      key,
      value,
      headers,
    };
  }
  if (cur.pos !== end) corrupt(`${end - cur.pos} bytes left after the batch's ${count} records`, cur.pos);
  return records;
}
