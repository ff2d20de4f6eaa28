/**
 * The bookkeeping half of supervision, as a plain object a parent keeps in its context: it
 * decides, for each failure of a child, whether to restart it (and after what delay) or to give
 * up and escalate because the child failed too often within a time window (Erlang/OTP's
 * "intensity" and "period"). Time comes from an injected clock so machine tests can use
 * XState's SimulatedClock.
 */
import { backoffDelayMs, checkBackoffPolicy, type BackoffPolicy } from '../backoff.js';

export interface RestartPolicy {
  /** Restarts allowed within `windowMs`; one more failure escalates. */
  readonly maxRestarts: number;
  readonly windowMs: number;
  readonly backoff: BackoffPolicy;
}

export type RestartDecision =
  | { readonly kind: 'restart'; readonly attempt: number; readonly delayMs: number }
  | { readonly kind: 'escalate'; readonly error: SupervisionEscalatedError };

/** A child failed more than `maxRestarts` times within `windowMs`; `cause` is its last error. */
export class SupervisionEscalatedError extends Error {
  readonly code = 'SUPERVISION_ESCALATED';
  readonly retriable = false;
  override readonly name = 'SupervisionEscalatedError';
  constructor(
    readonly childId: string,
    readonly failures: number,
    readonly windowMs: number,
    override readonly cause: unknown,
  ) {
    super(
      `${childId} failed ${failures} times within ${windowMs} ms, giving up: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
  }
}

export class RestartPolicyError extends RangeError {
  readonly code = 'INVALID_RESTART_POLICY';
  readonly retriable = false;
  override readonly name = 'RestartPolicyError';
}

export class RestartBudget {
  /** Times of the failures still inside the window, oldest first. */
  private failures: number[] = [];
  /** Consecutive restarts since the child was last stable: drives the backoff exponent. */
  private attempt = 0;

  constructor(
    readonly childId: string,
    readonly policy: RestartPolicy,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {
    if (!Number.isInteger(policy.maxRestarts) || policy.maxRestarts < 0) {
      throw new RestartPolicyError(`maxRestarts must be an integer >= 0, got ${policy.maxRestarts}`);
    }
    if (!Number.isFinite(policy.windowMs) || policy.windowMs <= 0) {
      throw new RestartPolicyError(`windowMs must be a positive number, got ${policy.windowMs}`);
    }
    checkBackoffPolicy(policy.backoff);
  }

  /** Failures counted in the current window. */
  get recentFailures(): number {
    this.forgetOld(this.now());
    return this.failures.length;
  }

  /** Records one failure of the child and says what to do about it. */
  onFailure(error: unknown): RestartDecision {
    const now = this.now();
    this.forgetOld(now);
    this.failures.push(now);
    if (this.failures.length > this.policy.maxRestarts) {
      return { kind: 'escalate', error: new SupervisionEscalatedError(this.childId, this.failures.length, this.policy.windowMs, error) };
    }
    const attempt = this.attempt++;
    return { kind: 'restart', attempt, delayMs: backoffDelayMs(attempt, this.policy.backoff, this.random) };
  }

  /** The child has run long enough to count as healthy: the next failure backs off from the start. */
  onStable(): void {
    this.attempt = 0;
  }

  private forgetOld(now: number): void {
    const cutoff = now - this.policy.windowMs;
    let drop = 0;
    while (drop < this.failures.length && this.failures[drop] <= cutoff) drop++;
    if (drop > 0) this.failures = this.failures.slice(drop);
  }
}
