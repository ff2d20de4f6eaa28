/**
 * What the fetcher knows about one assigned partition: its position, whether it is paused,
 * failed, waiting for a reset or for a retry, and how many fetched bytes the consumer still
 * holds. Plain mutable objects: the fetch loops read and update them per response.
 */
import type { ResetPolicy, StartPosition } from './types.js';

export class PartitionState {
  /** The next offset to fetch; null until a reset has found one. */
  position: bigint | null = null;
  /** Where a reset should go (the start position asked for, or the reset policy after OFFSET_OUT_OF_RANGE). */
  resetTo: 'earliest' | 'latest' | null = null;
  /** A ListOffsets for this partition is in flight. */
  resetting = false;
  paused = false;
  /** Set by an error that retrying will not heal; cleared by a seek. */
  failed: Error | null = null;
  /** No fetch before this time (ms), after a retriable error. */
  retryAt = 0;
  /** Retriable errors in a row, for the backoff. */
  errors = 0;
  /** Bytes handed to the consumer and not released yet. */
  bufferedBytes = 0;
  /** Bumped by every seek or reset: answers to requests sent before are stale. */
  generation = 0;
  revoked = false;

  constructor(
    readonly topic: string,
    readonly partition: number,
    start: StartPosition | undefined,
    resetPolicy: ResetPolicy,
  ) {
    this.seek(start, resetPolicy);
  }

  /** Moves the position; 'earliest' / 'latest' (or undefined with a policy other than none) resolve through ListOffsets. */
  seek(start: StartPosition | undefined, resetPolicy: ResetPolicy): void {
    this.generation++;
    this.failed = null;
    this.errors = 0;
    this.retryAt = 0;
    if (typeof start === 'bigint') {
      this.position = start;
      this.resetTo = null;
    } else {
      this.position = null;
      this.resetTo = start ?? (resetPolicy === 'none' ? null : resetPolicy);
    }
  }

  /** Whether a fetch may include this partition now (the buffer limits are checked by the engine). */
  ready(now: number): boolean {
    return !this.revoked && !this.paused && this.failed === null && this.position !== null && this.retryAt <= now;
  }
}
