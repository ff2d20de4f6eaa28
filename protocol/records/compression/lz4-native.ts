/**
 * The liblz4 addon (native/lz4/lz4-frame.c, built into native/build/lz4.node by
 * scripts/build-native, which scripts/ensure-deps runs): the system's reference LZ4 library
 * behind two N-API calls. Measured on the codec benchmark's 1 MB batch it writes the whole
 * frame several times faster than lz4-napi's lz4_flex block compressor (see lz4-frame-encoder.ts).
 *
 * Loading is optional: where the addon was not built (no C compiler or liblz4 headers) or does
 * not load (no liblz4.so.1), the codec keeps lz4-napi. Nothing is logged here; the daemon and
 * the benchmarks read `lz4Implementation` and, when a built addon failed, `lz4AddonLoadError`.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface Lz4Addon {
  /** Writes the frame for all of `src` into `dst` (at least lz4FrameBound(src.length) bytes); returns its length. */
  compressFrame(src: Uint8Array, dst: Uint8Array): number;
  /** Decompresses the independent block src[start, end) into dst[at, at + limit); the bytes produced, or -1. */
  decompressBlock(src: Uint8Array, start: number, end: number, dst: Uint8Array, at: number, limit: number): number;
  /** liblz4's version string. */
  readonly version: string;
}

export const Lz4Implementation = { liblz4: 'liblz4', lz4Napi: 'lz4-napi' } as const;
export type Lz4Implementation = (typeof Lz4Implementation)[keyof typeof Lz4Implementation];

/** Where scripts/build-native puts the addon, seen from the compiled module (dist/protocol/records/compression/). */
export const LZ4_ADDON_PATH = fileURLToPath(new URL('../../../../native/build/lz4.node', import.meta.url));

/** Round-trips a small input, so a binary that loads but misbehaves is not used. */
function works(addon: Lz4Addon): boolean {
  const input = Buffer.from('kafka-sidecar liblz4 self-test '.repeat(16));
  const frame = Buffer.alloc(input.length + 64);
  const length = addon.compressFrame(input, frame);
  // Header (7) and block size (4), then the block; the end mark follows it.
  const block = frame.readUInt32LE(7);
  if (block >= 0x80000000 || length !== 7 + 4 + block + 4) return false;
  const output = Buffer.alloc(input.length);
  return addon.decompressBlock(frame, 11, 11 + block, output, 0, output.length) === input.length && output.equals(input);
}

function load(): { addon?: Lz4Addon; error?: string } {
  if (!existsSync(LZ4_ADDON_PATH)) return {};
  try {
    const addon = createRequire(import.meta.url)(LZ4_ADDON_PATH) as Lz4Addon;
    return works(addon) ? { addon } : { error: 'the addon failed its round-trip self-test' };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

const loaded = load();

/** The addon when it was built and loads, else undefined (the codec then uses lz4-napi). */
export const lz4Addon: Lz4Addon | undefined = loaded.addon;
/** Why a built addon is not in use (a missing addon is not an error). */
export const lz4AddonLoadError: string | undefined = loaded.error;
/** Which library compresses and decompresses LZ4 blocks in this process. */
export const lz4Implementation: Lz4Implementation = lz4Addon !== undefined ? Lz4Implementation.liblz4 : Lz4Implementation.lz4Napi;
/** For status lines and benchmark labels, e.g. "liblz4 1.9.4" or "lz4-napi". */
export const lz4ImplementationLabel: string = lz4Addon !== undefined ? `liblz4 ${lz4Addon.version}` : 'lz4-napi';
