/**
 * Memory for encoded record batches that the producer hands back once the broker has answered,
 * so the next batches reuse it. A producer at a few hundred MB/s otherwise allocates a fresh
 * 64 KiB buffer per batch: in a --cpu-prof profile of the producer benchmark's 1 KiB case the
 * garbage collector took 18% of the process's CPU, and fresh pages cost a fault on first touch.
 *
 * Buffers come in power-of-two sizes from MIN_POOLED to MAX_POOLED bytes; take() answers a view
 * of the requested length. release() takes back only memory this pool made, once (a second
 * release, or a buffer from anywhere else, is ignored), and keeps at most `maxPooledBytes`.
 * Whoever releases must be the last user of the bytes: the producer releases a request's
 * batches when the broker's answer arrives, because the broker cannot answer before it has
 * read every byte, so by then the socket is done with them.
 */
export const MIN_POOLED = 4 * 1024;
export const MAX_POOLED = 1024 * 1024;

const MIN_SHIFT = Math.log2(MIN_POOLED);
const MAX_SHIFT = Math.log2(MAX_POOLED);

export class BufferPool {
  /** Free memory per size class: index k holds buffers of 2^(MIN_SHIFT + k) bytes. */
  private readonly free: ArrayBuffer[][] = Array.from({ length: MAX_SHIFT - MIN_SHIFT + 1 }, () => []);
  /** Memory this pool made, in use or free. */
  private readonly made = new WeakSet<ArrayBuffer>();
  /** Memory on the free lists, so that a second release of one buffer cannot list it twice. */
  private readonly listed = new WeakSet<ArrayBuffer>();
  private freeBytes = 0;

  constructor(readonly maxPooledBytes = 16 * 1024 * 1024) {}

  /** Bytes waiting on the free lists. */
  get pooledBytes(): number {
    return this.freeBytes;
  }

  /** `size` bytes (contents undefined): pooled memory for MIN_POOLED..MAX_POOLED, else a plain allocation. */
  take(size: number): Buffer {
    if (size < MIN_POOLED || size > MAX_POOLED) return Buffer.allocUnsafe(size);
    const shift = Math.max(MIN_SHIFT, Math.ceil(Math.log2(size)));
    let memory = this.free[shift - MIN_SHIFT]!.pop();
    if (memory === undefined) {
      memory = new ArrayBuffer(2 ** shift);
      this.made.add(memory);
    } else {
      this.listed.delete(memory);
      this.freeBytes -= memory.byteLength;
    }
    return Buffer.from(memory, 0, size);
  }

  /** Gives back the memory behind `buf` (any view of it); the caller must not touch it afterwards. */
  release(buf: Uint8Array): void {
    const memory = buf.buffer;
    if (!(memory instanceof ArrayBuffer) || !this.made.has(memory) || this.listed.has(memory)) return;
    if (this.freeBytes + memory.byteLength > this.maxPooledBytes) return;
    this.free[Math.log2(memory.byteLength) - MIN_SHIFT]!.push(memory);
    this.listed.add(memory);
    this.freeBytes += memory.byteLength;
  }
}

/** The pool record batches are encoded into (record-batch-encode.ts, the LZ4 frame writer). */
export const batchBuffers = new BufferPool();
