/**
 * Reporting each record's fate to whoever sent it. A batch remembers, per record, a listener
 * and a token (the record's index in the sender's call); when the batch completes, every
 * record's listener hears once. There is no promise per record: a caller that wants a promise
 * gets one per call (DeliveryCollector), covering all records of that call.
 */

/**
 * Told about the records it appended, once per record, in runs: a batch reports each run of
 * consecutive records from one call with a single call, so the hot path pays per run, not per
 * record. Tokens are what the appender gave (the record's index in its call).
 */
export interface DeliveryListener {
  /**
   * Records `firstToken`..`firstToken + count - 1` were written at offsets `baseOffset`.. of
   * `partition`. `logAppendTime` is the broker's time for LogAppendTime topics, else -1 (the
   * records keep their own timestamps).
   */
  delivered(firstToken: number, count: number, partition: number, baseOffset: bigint, logAppendTime: number): void;
  /** Records `firstToken`..`firstToken + count - 1` will not be written; `partition` is -1 when none was chosen. */
  failed(firstToken: number, count: number, partition: number, error: Error): void;
}

export type RecordOutcome = RecordDelivered | RecordFailed;

export interface RecordDelivered {
  readonly ok: true;
  readonly partition: number;
  /** -1 when the broker does not say (acks=0). */
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
 * Collects the outcomes of one call's records into an array in call order and resolves a
 * single promise when the last one is known.
 */
export class DeliveryCollector implements DeliveryListener {
  readonly outcomes: RecordOutcome[];
  readonly done: Promise<RecordOutcome[]>;
  private pending: number;
  private resolve!: (outcomes: RecordOutcome[]) => void;

  constructor(private readonly records: readonly { readonly timestamp: number }[]) {
    this.outcomes = new Array<RecordOutcome>(records.length);
    this.pending = records.length;
    this.done = new Promise((resolve) => {
      this.resolve = resolve;
    });
    if (records.length === 0) this.resolve(this.outcomes);
  }

  delivered(firstToken: number, count: number, partition: number, baseOffset: bigint, logAppendTime: number): void {
    for (let i = 0; i < count; i++) {
      const token = firstToken + i;
      const timestamp = logAppendTime >= 0 ? logAppendTime : this.records[token]!.timestamp;
      // A negative base offset means unknown (acks=0): every record's offset is -1, not -1 + i.
      this.settle(token, { ok: true, partition, offset: baseOffset < 0n ? -1n : baseOffset + BigInt(i), timestamp });
    }
  }

  failed(firstToken: number, count: number, partition: number, error: Error): void {
    for (let i = 0; i < count; i++) this.settle(firstToken + i, { ok: false, partition, error });
  }

  private settle(token: number, outcome: RecordOutcome): void {
    // A second report for one record would be an accumulator bug; keeping the first answer
    // and not counting twice keeps the promise from resolving before every record is known.
    if (this.outcomes[token] !== undefined) return;
    this.outcomes[token] = outcome;
    if (--this.pending === 0) this.resolve(this.outcomes);
  }
}
