/** A manual clock for accumulator tests: time moves only when a test advances it. */
import type { AccumulatorClock } from '../../../../machines/producer/accumulator.js';

interface Timer {
  at: number;
  callback: () => void;
}

export class FakeClock implements AccumulatorClock {
  time = 0;
  private readonly timers = new Map<number, Timer>();
  private nextId = 1;

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, delayMs: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + delayMs, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing due timers in time order at their own times. */
  advance(ms: number): void {
    const target = this.time + ms;
    while (true) {
      let dueId = -1;
      let due: Timer | undefined;
      for (const [id, timer] of this.timers) {
        if (timer.at <= target && (due === undefined || timer.at < due.at)) {
          dueId = id;
          due = timer;
        }
      }
      if (due === undefined) break;
      this.timers.delete(dueId);
      this.time = Math.max(this.time, due.at);
      due.callback();
    }
    this.time = target;
  }
}

/** Lets queued microtasks (the accumulator's coalesced onReady) run. */
export async function settleMicrotasks(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
