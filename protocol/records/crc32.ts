/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum of v0/v1 messages.
 * Only legacy data uses it, so a one-table loop is enough.
 */
const table: Int32Array = (() => {
  const t = new Int32Array(256);
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    t[b] = c;
  }
  return t;
})();

/** Unsigned CRC-32 of `data[start, end)`. */
export function crc32(data: Uint8Array, start = 0, end = data.length): number {
  let crc = -1;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ table[(crc ^ data[i]!) & 0xff]!;
  return ~crc >>> 0;
}
