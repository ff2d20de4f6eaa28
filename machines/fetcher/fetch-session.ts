/**
 * The client half of an incremental fetch session (KIP-227, Fetch v7+) with one broker: which
 * partitions the broker's session holds and with what fetch state, the session id and epoch,
 * and from that the body of the next Fetch request.
 *
 * - Epoch 0 asks for a full fetch that creates a session (closing `sessionId` if it is not 0);
 *   the broker answers with the new id, or 0 when it would not make one (then every request
 *   stays full). Epoch n > 0 sends only partitions that are new or whose fetch state changed,
 *   and lists the ones to drop as forgotten; the broker keeps fetching the others at the
 *   state it holds, and answers only for partitions with something to say.
 * - Without sessions (version < 7, or turned off) every request is full with epoch -1.
 * - Any failed request or session error starts over with a full fetch: a request whose answer
 *   was lost leaves the broker's session state unknown.
 *
 * One request at a time per session: the epochs must follow each other.
 */
import type { FetchRequestFetchTopic, FetchRequestForgottenTopic } from '../../protocol/messages/fetch.js';
import { partitionKey } from './types.js';

/** Fetch v7 added sessions; v13 names topics by id instead of by name. */
export const SESSION_MIN_VERSION = 7;
export const TOPIC_ID_MIN_VERSION = 13;

const INVALID_SESSION_ID = 0;
const INITIAL_EPOCH = 0;
const FINAL_EPOCH = -1;
const MAX_EPOCH = 0x7fffffff;

/** One partition's fetch state as it goes into a request. */
export interface SessionPartition {
  readonly topic: string;
  /** Needed from Fetch v13 on; null when the metadata has no id for the topic. */
  readonly topicId: string | null;
  readonly partition: number;
  readonly fetchOffset: bigint;
  readonly currentLeaderEpoch: number;
  readonly partitionMaxBytes: number;
}

export interface SessionRequest {
  readonly sessionId: number;
  readonly sessionEpoch: number;
  readonly topics: FetchRequestFetchTopic[];
  readonly forgottenTopicsData: FetchRequestForgottenTopic[];
  /** Every partition the broker will fetch for this request (sent or held by the session), by partitionKey. */
  readonly fetching: ReadonlyMap<string, SessionPartition>;
  readonly full: boolean;
}

function samePartitionState(a: SessionPartition, b: SessionPartition): boolean {
  return a.fetchOffset === b.fetchOffset && a.currentLeaderEpoch === b.currentLeaderEpoch && a.partitionMaxBytes === b.partitionMaxBytes && a.topicId === b.topicId;
}

function groupByTopic<T>(items: Iterable<SessionPartition>, useTopicIds: boolean, make: (p: SessionPartition) => T): Array<{ topic?: string; topicId?: string; partitions: T[] }> {
  const topics = new Map<string, { topic?: string; topicId?: string; partitions: T[] }>();
  for (const p of items) {
    const name = useTopicIds ? (p.topicId ?? '') : p.topic;
    let entry = topics.get(name);
    if (!entry) topics.set(name, (entry = useTopicIds ? { topicId: name, partitions: [] } : { topic: name, partitions: [] }));
    entry.partitions.push(make(p));
  }
  return [...topics.values()];
}

export class FetchSession {
  private sessionId = INVALID_SESSION_ID;
  private epoch = INITIAL_EPOCH;
  /** The broker's view of the session after the last successful response. */
  private held = new Map<string, SessionPartition>();
  private inFlight: SessionRequest | null = null;

  constructor(private readonly enabled: boolean) {}

  get id(): number {
    return this.sessionId;
  }

  /** The body parts of the next request for `wanted` (every partition to fetch from this broker). */
  next(wanted: readonly SessionPartition[], version: number): SessionRequest {
    const useTopicIds = version >= TOPIC_ID_MIN_VERSION;
    const fetching = new Map(wanted.map((p) => [partitionKey(p.topic, p.partition), p]));
    const sessions = this.enabled && version >= SESSION_MIN_VERSION;
    const full = !sessions || this.epoch === INITIAL_EPOCH;
    const toSend = full ? wanted : wanted.filter((p) => {
      const held = this.held.get(partitionKey(p.topic, p.partition));
      return held === undefined || !samePartitionState(held, p);
    });
    const forgotten = full ? [] : [...this.held].filter(([key]) => !fetching.has(key)).map(([, p]) => p);
    const request: SessionRequest = {
      sessionId: sessions ? this.sessionId : INVALID_SESSION_ID,
      sessionEpoch: sessions ? this.epoch : FINAL_EPOCH,
      topics: groupByTopic(toSend, useTopicIds, (p) => ({
        partition: p.partition,
        currentLeaderEpoch: p.currentLeaderEpoch,
        fetchOffset: p.fetchOffset,
        lastFetchedEpoch: -1,
        logStartOffset: -1n,
        partitionMaxBytes: p.partitionMaxBytes,
      })),
      forgottenTopicsData: groupByTopic(forgotten, useTopicIds, (p) => p.partition),
      fetching,
      full,
    };
    this.inFlight = request;
    return request;
  }

  /** The answer to the last `next()` arrived; `errorCode` and `sessionId` are the response's top level. */
  succeeded(errorCode: number, responseSessionId: number): void {
    const request = this.inFlight;
    this.inFlight = null;
    if (!request || request.sessionEpoch === FINAL_EPOCH) return;
    if (errorCode !== 0) {
      this.restart(errorCode === FETCH_SESSION_ID_NOT_FOUND);
      return;
    }
    if (request.full) {
      this.sessionId = responseSessionId;
      this.epoch = responseSessionId === INVALID_SESSION_ID ? INITIAL_EPOCH : 1;
    } else {
      this.epoch = this.epoch >= MAX_EPOCH ? 1 : this.epoch + 1;
    }
    this.held = new Map(request.fetching);
  }

  /** The last request failed (no answer, or an answer we could not use). */
  failed(): void {
    this.inFlight = null;
    this.restart(false);
  }

  /**
   * A partition whose answer carried an error is sent afresh next time (or listed as forgotten
   * when it is no longer wanted): its state in the broker's session is no longer trusted.
   */
  invalidate(topic: string, partition: number): void {
    const key = partitionKey(topic, partition);
    const held = this.held.get(key);
    if (held) this.held.set(key, { ...held, fetchOffset: -1n });
  }

  private restart(sessionGone: boolean): void {
    if (sessionGone) this.sessionId = INVALID_SESSION_ID;
    this.epoch = INITIAL_EPOCH;
    this.held = new Map();
  }
}

const FETCH_SESSION_ID_NOT_FOUND = 70;
