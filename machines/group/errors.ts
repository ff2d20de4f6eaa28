/**
 * Errors of the consumer group that are not a broker's error code (those stay
 * KafkaProtocolError with Kafka's own name). Each has a stable `code` and `retriable`.
 */

/** Bytes in JoinGroup/SyncGroup that are not in the consumer protocol's format. */
export class GroupProtocolError extends Error {
  readonly code = 'INVALID_GROUP_PROTOCOL_DATA';
  readonly retriable = false;
  override readonly name = 'GroupProtocolError';
}

/** The coordinator chose a protocol (assignor) that this member did not offer. */
export class UnknownAssignorError extends Error {
  readonly code = 'UNKNOWN_ASSIGNOR';
  readonly retriable = false;
  override readonly name = 'UnknownAssignorError';
  constructor(readonly assignor: string) {
    super(`the group chose assignor "${assignor}", which this member does not offer`);
  }
}

/** A commit or an offset lookup while the member has no generation (joining, rebalancing, stopped). */
export class NotGroupMemberError extends Error {
  readonly code = 'NOT_GROUP_MEMBER';
  readonly retriable = true;
  override readonly name = 'NotGroupMemberError';
  constructor(
    readonly group: string,
    state: string,
  ) {
    super(`group "${group}": not a member with a generation right now (${state}); try again after the rebalance`);
  }
}

/** autoOffsetReset is "none" and the group has no committed offset for a partition. */
export class NoCommittedOffsetError extends Error {
  readonly code = 'NO_COMMITTED_OFFSET';
  readonly retriable = false;
  override readonly name = 'NoCommittedOffsetError';
  constructor(
    readonly group: string,
    readonly topic: string,
    readonly partition: number,
  ) {
    super(`group "${group}" has no committed offset for ${topic}[${partition}] and autoOffsetReset is "none"`);
  }
}

/** A broker answer that leaves out something the request asked about. */
export class GroupResponseError extends Error {
  readonly code = 'INVALID_RESPONSE';
  readonly retriable = true;
  override readonly name = 'GroupResponseError';
  constructor(api: string, problem: string) {
    super(`${api} response: ${problem}`);
  }
}
