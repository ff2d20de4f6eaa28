/**
 * The time budget of one admin call. Every request of the call gets what is left of it, and
 * retries after retriable errors pause with a growing delay only while the budget allows, so
 * a call answers within its timeout whatever the brokers do.
 */

export class Deadline {
  private readonly at: number;

  constructor(
    readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.at = now() + timeoutMs;
  }

  /** Milliseconds left, at least 1 so that a request can still be given a positive timeout. */
  remaining(): number {
    return Math.max(1, this.at - this.now());
  }

  expired(): boolean {
    return this.now() >= this.at;
  }

  /**
   * Waits before retry number `attempt` (0 first): 50 ms doubling up to 1 s. Returns false
   * without waiting when the pause would end past the deadline, so the caller gives up now
   * with the error it has rather than after a pointless sleep.
   */
  async pause(attempt: number): Promise<boolean> {
    const delay = retryDelayMs(attempt);
    if (this.now() + delay >= this.at) return false;
    await new Promise((resolve) => setTimeout(resolve, delay));
    return true;
  }
}

export function retryDelayMs(attempt: number): number {
  return Math.min(1000, 50 * 2 ** Math.min(attempt, 10));
}
