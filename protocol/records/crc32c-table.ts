/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) in plain JavaScript, slicing-by-8:
 * eight 256-entry tables let the loop fold eight input bytes per iteration instead of one.
 * This is the portable fallback; crc32c.ts prefers a native hardware (SSE4.2 / ARMv8 CRC)
 * implementation when one is installed, because record batches are hashed on every produce
 * and every fetch and the native one is several times faster on batch-sized inputs.
 */

const POLY = 0x82f63b78;

/** tables[k * 256 + b]: the CRC contribution of byte b followed by k zero bytes. */
const tables: Int32Array = (() => {
  const t = new Int32Array(8 * 256);
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[b] = c;
  }
  for (let b = 0; b < 256; b++) {
    let c = t[b]!;
    for (let k = 1; k < 8; k++) {
      c = (c >>> 8) ^ t[c & 0xff]!;
      t[k * 256 + b] = c;
    }
  }
  return t;
})();

/**
 * CRC-32C of `data[start, end)`, continuing from `previous` (the unsigned CRC of whatever came
 * before; 0 to start fresh). Returns an unsigned 32-bit number.
 */
export function crc32cTable(data: Uint8Array, start = 0, end = data.length, previous = 0): number {
  const t = tables;
  let crc = ~previous | 0;
  let i = start;
  const end8 = start + ((end - start) & ~7);
  while (i < end8) {
    crc ^= data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    crc =
      t[1792 + (crc & 0xff)]! ^
      t[1536 + ((crc >>> 8) & 0xff)]! ^
      t[1280 + ((crc >>> 16) & 0xff)]! ^
      t[1024 + (crc >>> 24)]! ^
      t[768 + data[i + 4]!]! ^
      t[512 + data[i + 5]!]! ^
      t[256 + data[i + 6]!]! ^
      t[data[i + 7]!]!;
    i += 8;
  }
  while (i < end) crc = (crc >>> 8) ^ t[(crc ^ data[i++]!) & 0xff]!;
  return ~crc >>> 0;
}
