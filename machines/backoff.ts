/**
 * Exponential backoff with jitter, shared by reconnecting connections and restarting
 * supervised actors. The delay doubles per attempt up to a cap; jitter spreads the clients of a
 * whole fleet so that a broker coming back is not hit by all of them in the same millisecond.
 */

export interface BackoffPolicy {
  /** Delay before the first retry. */
  readonly minMs: number;
  /** Upper bound of every delay. */
  readonly maxMs: number;
  /**
   * Share of each delay that is random, 0 to 1: the delay lies in [d * (1 - jitter), d].
   * 0.2 by default, so delays still grow visibly from attempt to attempt.
   */
  readonly jitter?: number;
}

export const DEFAULT_JITTER = 0.2;

/** A backoff policy that cannot produce sensible delays; `problem` says why. */
export class BackoffPolicyError extends RangeError {
  readonly code = 'INVALID_BACKOFF_POLICY';
  readonly retriable = false;
  override readonly name = 'BackoffPolicyError';
  constructor(readonly problem: string) {
    super(`invalid backoff policy: ${problem}`);
  }
}

export function checkBackoffPolicy(policy: BackoffPolicy): void {
  const { minMs, maxMs } = policy;
  const jitter = policy.jitter ?? DEFAULT_JITTER;
  if (!Number.isFinite(minMs) || minMs < 0) throw new BackoffPolicyError(`minMs must be a finite number >= 0, got ${minMs}`);
  if (!Number.isFinite(maxMs) || maxMs < minMs) throw new BackoffPolicyError(`maxMs must be finite and >= minMs (${minMs}), got ${maxMs}`);
  if (!(jitter >= 0 && jitter <= 1)) throw new BackoffPolicyError(`jitter must lie in [0, 1], got ${jitter}`);
}

/**
 * The delay before retry number `attempt` (0 for the first retry): min * 2^attempt, capped at
 * max, then reduced by up to `jitter` of itself. `random` returns a number in [0, 1).
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  if (!Number.isInteger(attempt) || attempt < 0) throw new BackoffPolicyError(`attempt must be an integer >= 0, got ${attempt}`);
  const jitter = policy.jitter ?? DEFAULT_JITTER;
  // 2^31 already exceeds any sensible cap; clamping the exponent keeps the product finite.
  const exponential = Math.min(policy.maxMs, policy.minMs * 2 ** Math.min(attempt, 31));
  return Math.round(exponential * (1 - jitter * random()));
}
