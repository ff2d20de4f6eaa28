/** Errors the fetcher hands to its consumer, with stable codes like every other error of the sidecar. */

/** A partition's position is outside the log and the reset policy is "none": the consumer must seek. */
export class OffsetOutOfRangeError extends Error {
  readonly code = 'OFFSET_OUT_OF_RANGE';
  readonly retriable = false;
  override readonly name = 'OffsetOutOfRangeError';
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: bigint,
  ) {
    super(`offset ${offset} of ${topic}[${partition}] is out of range and the reset policy is "none"; seek to fetch it again`);
  }
}

/** A partition stopped fetching because of an error that retrying will not heal (authorization, corrupt data...). */
export class PartitionFetchError extends Error {
  readonly code = 'PARTITION_FETCH_FAILED';
  readonly retriable = false;
  override readonly name = 'PartitionFetchError';
  constructor(
    readonly topic: string,
    readonly partition: number,
    cause: unknown,
  ) {
    super(`fetching ${topic}[${partition}] stopped: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

/** A call on a partition that is not assigned to this fetcher. */
export class UnassignedPartitionError extends Error {
  readonly code = 'PARTITION_NOT_ASSIGNED';
  readonly retriable = false;
  override readonly name = 'UnassignedPartitionError';
  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {
    super(`${topic}[${partition}] is not assigned to this fetcher`);
  }
}

/** A broker's Fetch response that does not fit what was asked (a partition never requested...). */
export class FetchResponseError extends Error {
  readonly code = 'INVALID_FETCH_RESPONSE';
  readonly retriable = true;
  override readonly name = 'FetchResponseError';
}

/** A partition was assigned without a position while the reset policy is "none". */
export class NoPositionError extends Error {
  readonly code = 'NO_POSITION';
  readonly retriable = false;
  override readonly name = 'NoPositionError';
  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {
    super(`${topic}[${partition}] has no position and the reset policy is "none"; seek to start fetching it`);
  }
}
