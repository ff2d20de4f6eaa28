/**
 * CRC-32C as record batches use it (v2 batches hash attributes..end of batch).
 *
 * Three implementations, the first that loads wins:
 * - our addon (native/crc32c/crc32c.c, built by scripts/build-native): the CPU's crc32
 *   instruction in three streams, about 27 GB/s on 1 MiB and 18 GB/s on 16 KiB on the project
 *   machine (`npm run bench -- checksum`);
 * - @node-rs/crc32 (hardware CRC instructions through N-API, prebuilt binaries per platform):
 *   about 6 GB/s on the same inputs;
 * - the slicing-by-8 JavaScript table version: about 1.3 GB/s.
 * A native call costs ~200 ns, so inputs below NATIVE_MIN_BYTES stay in JavaScript. A
 * 1000-record batch is 100+ KB, where the checksum is a large share of decoding it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { crc32cTable } from './crc32c-table.js';

/** Unsigned CRC-32C of data[start, end). */
type RangeCrc32c = (data: Uint8Array, start: number, end: number) => number;

export const Crc32cImplementation = { addon: 'crc32c addon', nodeRs: '@node-rs/crc32', table: 'JavaScript table' } as const;
export type Crc32cImplementation = (typeof Crc32cImplementation)[keyof typeof Crc32cImplementation];

/** Where scripts/build-native puts the addon, seen from the compiled module (dist/protocol/records/). */
export const CRC32C_ADDON_PATH = fileURLToPath(new URL('../../../native/build/crc32c.node', import.meta.url));

/** The check value of the CRC-32C catalogue: the CRC of the ASCII digits 1 to 9. */
const CHECK_INPUT = Buffer.from('123456789');
const CHECK_VALUE = 0xe3069283;

const require = createRequire(import.meta.url);

/** The addon's function, when it was built, loads, and this CPU has the instruction (else it exports none). */
function fromAddon(): RangeCrc32c | undefined {
  if (!existsSync(CRC32C_ADDON_PATH)) return undefined;
  try {
    const fn = (require(CRC32C_ADDON_PATH) as { crc32c?: RangeCrc32c }).crc32c;
    if (typeof fn === 'function' && fn(CHECK_INPUT, 0, CHECK_INPUT.length) === CHECK_VALUE) return fn;
  } catch {
    // A build for another machine: the next implementation serves.
  }
  return undefined;
}

function fromNodeRs(): RangeCrc32c | undefined {
  try {
    const fn = (require('@node-rs/crc32') as { crc32c?: (input: Uint8Array) => number }).crc32c;
    // Guard against a binary that loads but computes something else.
    if (typeof fn === 'function' && fn(CHECK_INPUT) >>> 0 === CHECK_VALUE) {
      return (data, start, end) => fn(start === 0 && end === data.length ? data : data.subarray(start, end)) >>> 0;
    }
  } catch {
    // No binary for this platform: the table version serves.
  }
  return undefined;
}

const addon = fromAddon();
const nodeRs = fromNodeRs();
const native: RangeCrc32c | undefined = addon ?? nodeRs;

/** Each native implementation that loads here, whether in use or not (tests compare them with the table). */
export const nativeCrc32cs: { readonly addon?: RangeCrc32c; readonly nodeRs?: RangeCrc32c } = { addon, nodeRs };

/** Inputs shorter than this are hashed in JavaScript, where the call overhead dominates. */
const NATIVE_MIN_BYTES = 512;

/** Which implementation hashes inputs of NATIVE_MIN_BYTES and more (reported by benchmarks). */
export const crc32cImplementation: Crc32cImplementation =
  addon !== undefined ? Crc32cImplementation.addon : native !== undefined ? Crc32cImplementation.nodeRs : Crc32cImplementation.table;

/** Unsigned CRC-32C of `data[start, end)`. */
export function crc32c(data: Uint8Array, start = 0, end = data.length): number {
  if (native !== undefined && end - start >= NATIVE_MIN_BYTES) return native(data, start, end);
  return crc32cTable(data, start, end);
}
