/**
 * Cuts a byte stream into newline-terminated lines. Chunks of an unfinished line are kept in a
 * list (not concatenated per chunk) and only the new chunk is searched for a newline, so a big
 * line arriving in many small chunks costs O(n). The line limit is checked while accumulating:
 * a peer that streams a gigabyte without a newline is stopped after maxLineBytes, not after
 * the gigabyte.
 */

export type SplitResult =
  /** Complete lines (without "\n" and a trailing "\r"), in order. */
  | { readonly lines: Buffer[]; readonly overflow: false }
  /** Lines complete before the limit was crossed; the splitter accepts nothing more. */
  | { readonly lines: Buffer[]; readonly overflow: true };

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export class LineSplitter {
  readonly maxLineBytes: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private overflowed = false;

  constructor(maxLineBytes: number) {
    if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1) {
      throw new RangeError(`maxLineBytes must be a positive integer, got ${maxLineBytes}`);
    }
    this.maxLineBytes = maxLineBytes;
  }

  /** Bytes of the unfinished line held so far. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /** True once a line crossed the limit; later chunks are ignored. */
  get hasOverflowed(): boolean {
    return this.overflowed;
  }

  push(chunk: Buffer): SplitResult {
    const lines: Buffer[] = [];
    if (this.overflowed) return { lines, overflow: true };
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      // The line's length so far, counting a "\r" but not the "\n": over the limit means overflow now.
      if (this.pendingBytes + (end - start) > this.maxLineBytes) {
        this.overflowed = true;
        this.pending = [];
        this.pendingBytes = 0;
        return { lines, overflow: true };
      }
      if (newline === -1) {
        // Copy the tail: the caller may reuse the chunk's memory after we return.
        this.pending.push(Buffer.from(chunk.subarray(start)));
        this.pendingBytes += chunk.length - start;
        break;
      }
      const piece = chunk.subarray(start, end);
      let line = this.pending.length === 0 ? Buffer.from(piece) : Buffer.concat([...this.pending, piece], this.pendingBytes + piece.length);
      this.pending = [];
      this.pendingBytes = 0;
      if (line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN) line = line.subarray(0, line.length - 1);
      lines.push(line);
      start = newline + 1;
    }
    return { lines, overflow: false };
  }
}
