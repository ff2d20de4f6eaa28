/**
 * CRC-32C as record batches use it (v2 batches hash attributes..end of batch).
 *
 * Measured on the project machine (2 cores, Node 20): the slicing-by-8 JavaScript table
 * version runs at about 1.1 GB/s; @node-rs/crc32 (hardware CRC instructions through N-API)
 * at about 5 GB/s on 60 KB-1 MB inputs but costs ~200 ns per call, so it loses below about
 * 512 bytes. A 1000-record batch is 100+ KB, where the native one saves ~90 us per batch.
 * The native package ships prebuilt binaries per platform; where none loads, the table
 * version alone is used.
 */
import { createRequire } from 'node:module';
import { crc32cTable } from './crc32c-table.js';

type NativeCrc32c = (input: Uint8Array, initialState?: number) => number;

const native: NativeCrc32c | undefined = (() => {
  try {
    const mod = createRequire(import.meta.url)('@node-rs/crc32') as { crc32c?: NativeCrc32c };
    const fn = mod.crc32c;
    // Guard against a binary that loads but computes something else.
    if (typeof fn === 'function' && fn(Buffer.from('123456789')) >>> 0 === 0xe3069283) return fn;
  } catch {
    // No binary for this platform: the table version serves.
  }
  return undefined;
})();

/** Inputs shorter than this are hashed in JavaScript, where the call overhead dominates. */
const NATIVE_MIN_BYTES = 512;

/** Whether the hardware-backed implementation is in use (reported by benchmarks). */
export const crc32cIsNative: boolean = native !== undefined;

/** Unsigned CRC-32C of `data[start, end)`. */
export function crc32c(data: Uint8Array, start = 0, end = data.length): number {
  if (native !== undefined && end - start >= NATIVE_MIN_BYTES) {
    const view = start === 0 && end === data.length ? data : data.subarray(start, end);
    return native(view) >>> 0;
  }
  return crc32cTable(data, start, end);
}
