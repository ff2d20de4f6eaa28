/**
 * Reporting each record's fate to whoever sent it. A batch remembers, per record, a listener
 * and a token (the record's index in the sender's call); when the batch completes, every
 * record's listener hears once. There is no promise per record: a caller that wants a promise
 * gets one per call (DeliveryCollector), covering all records of that call.
 */

/** Told about the records it appended, once per record. */
export interface DeliveryListener {
  /** Record `token` was written at `offset` of `partition`; `timestamp` is the one the log kept. */
  delivered(token: number, partition: number, offset: bigint, timestamp: number): void;
  /** Record `token` will not be written; `partition` is -1 when none was chosen yet. */
  failed(token: number, partition: number, error: Error): void;
}

export type RecordOutcome = RecordDelivered | RecordFailed;

export interface RecordDelivered {
  readonly ok: true;
  readonly partition: number;
  readonly offset: bigint;
  readonly timestamp: number;
}

export interface RecordFailed {
  readonly ok: false;
  /** -1 when the record failed before a partition was chosen. */
  readonly partition: number;
  readonly error: Error;
}

/**
 * Collects the outcomes of one call's `count` records into an array in call order and
 * resolves a single promise when the last one is known.
 */
export class DeliveryCollector implements DeliveryListener {
  readonly outcomes: RecordOutcome[];
  readonly done: Promise<RecordOutcome[]>;
  private pending: number;
  private resolve!: (outcomes: RecordOutcome[]) => void;

  constructor(count: number) {
    this.outcomes = new Array<RecordOutcome>(count);
    this.pending = count;
    this.done = new Promise((resolve) => {
      this.resolve = resolve;
    });
    if (count === 0) this.resolve(this.outcomes);
  }

  delivered(token: number, partition: number, offset: bigint, timestamp: number): void {
    this.settle(token, { ok: true, partition, offset, timestamp });
  }

  failed(token: number, partition: number, error: Error): void {
    this.settle(token, { ok: false, partition, error });
  }

  private settle(token: number, outcome: RecordOutcome): void {
    // A second report for one record would be an accumulator bug; keeping the first answer
    // and not counting twice keeps the promise from resolving before every record is known.
    if (this.outcomes[token] !== undefined) return;
    this.outcomes[token] = outcome;
    if (--this.pending === 0) this.resolve(this.outcomes);
  }
}
