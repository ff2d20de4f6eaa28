/**
 * Errors of the admin operations that are not a broker's error code (those stay
 * KafkaProtocolError, with Kafka's own name). Each has a stable `code` and `retriable`.
 */

/** The cluster actor had no metadata within the call's time: nothing can be asked yet. */
export class ClusterNotReadyError extends Error {
  readonly code = 'CLUSTER_NOT_READY';
  readonly retriable = true;
  override readonly name = 'ClusterNotReadyError';
  constructor(timeoutMs: number, cause: unknown) {
    super(`the cluster was not ready within ${timeoutMs} ms: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

/** A broker answer that leaves out something the request asked about. */
export class AdminResponseError extends Error {
  readonly code = 'INVALID_RESPONSE';
  readonly retriable = false;
  override readonly name = 'AdminResponseError';
  constructor(api: string, problem: string) {
    super(`${api} response: ${problem}`);
  }
}

/** A member assignment of a "consumer" group that is not in the consumer protocol's format. */
export class MemberAssignmentError extends Error {
  readonly code = 'INVALID_MEMBER_ASSIGNMENT';
  readonly retriable = false;
  override readonly name = 'MemberAssignmentError';
  constructor(
    readonly group: string,
    readonly memberId: string,
    reason: string,
  ) {
    super(`group "${group}" member "${memberId}": the assignment is not a consumer protocol assignment (${reason})`);
  }
}

/** What apps see of any error: a stable code, a message and whether retrying can help. */
export interface ErrorSummary {
  readonly code: string;
  readonly message: string;
  readonly retriable: boolean;
}

/** The stable parts of an error for a per-item result (a topic that could not be created). */
export function summarizeError(error: unknown): ErrorSummary {
  const e = error as { code?: unknown; retriable?: unknown; brokerMessage?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : 'INTERNAL_ERROR';
  const detail = typeof e?.brokerMessage === 'string' && e.brokerMessage !== '' ? e.brokerMessage : undefined;
  const message = detail ?? (typeof e?.message === 'string' ? e.message : String(error));
  return { code, message, retriable: e?.retriable === true };
}
