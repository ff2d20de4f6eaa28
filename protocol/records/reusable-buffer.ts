/**
 * One buffer lent out again and again for bytes that are dead once the call that asked for
 * them returns (the uncompressed records of a compression, a frame before it is copied out). A
 * fresh large buffer each time costs more than the work done in it: its pages are new to the
 * process on every first touch, and the garbage collector has to find it again. The buffer
 * grows (at least doubling) up to `maxBytes`; larger requests get undefined, and the caller
 * allocates for them, so one rare huge batch does not pin its size for the life of the process.
 */
export class ReusableBuffer {
  private buffer: Buffer | undefined;

  constructor(readonly maxBytes: number) {}

  /** The first `size` bytes of the buffer (contents undefined), or undefined above maxBytes. */
  take(size: number): Buffer | undefined {
    if (size > this.maxBytes) return undefined;
    const have = this.buffer?.length ?? 0;
    if (have < size) this.buffer = Buffer.allocUnsafeSlow(Math.min(this.maxBytes, Math.max(size, 2 * have)));
    return this.buffer!.subarray(0, size);
  }
}
