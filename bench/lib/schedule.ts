/**
 * The order of candidate repetitions. Candidates alternate (A B C, A B C, ...) instead of
 * running all of A's repetitions and then all of B's, so a slow drift of the machine (thermal
 * state, another engineer's broker starting) spreads over every candidate instead of landing
 * on one. Warm-up rounds come first, in the same alternating order, and are not measured.
 */

export interface Slot {
  readonly candidate: string;
  /** 0-based within the warm-up rounds or within the measured rounds. */
  readonly rep: number;
  readonly warmup: boolean;
}

export function alternatingSchedule(candidates: readonly string[], reps: number, warmup: number): Slot[] {
  if (!Number.isInteger(reps) || reps < 1) throw new RangeError(`reps must be an integer >= 1, got ${reps}`);
  if (!Number.isInteger(warmup) || warmup < 0) throw new RangeError(`warmup must be an integer >= 0, got ${warmup}`);
  const slots: Slot[] = [];
  for (let rep = 0; rep < warmup; rep++) for (const candidate of candidates) slots.push({ candidate, rep, warmup: true });
  for (let rep = 0; rep < reps; rep++) for (const candidate of candidates) slots.push({ candidate, rep, warmup: false });
  return slots;
}
