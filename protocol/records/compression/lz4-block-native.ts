/**
 * lz4-napi's raw *block* functions (lz4_flex compiled to a native addon), the one place that
 * loads the package: the frame writer compresses with it and the frame reader decompresses
 * independent blocks with it. Both functions work on blocks prefixed by a u32 LE size:
 * `compressSync` writes the uncompressed size there; `uncompressSync` reads it as the most the
 * block may decompress to, fails when the block needs more, and returns the actual output.
 *
 * The package is loaded on first use, not at import: where the liblz4 addon is in use
 * (lz4-native.ts) nothing calls these, and the daemon need not map a second LZ4 library.
 */
import { createRequire } from 'node:module';

interface Lz4Blocks {
  compressSync(data: Buffer): Buffer;
  uncompressSync(data: Uint8Array): Buffer;
}

let loaded: Lz4Blocks | undefined;

/** lz4-napi's block functions, loaded by the first call. */
export function lz4Blocks(): Lz4Blocks {
  return (loaded ??= createRequire(import.meta.url)('lz4-napi') as Lz4Blocks);
}

/** Bytes of the size prefix on both sides. */
export const LZ4_BLOCK_SIZE_PREFIX = 4;
