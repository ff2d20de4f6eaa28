/**
 * One fetch loop per leader broker, on that broker's fetch lane: it asks the engine which
 * partitions to fetch from its broker, sends one Fetch at a time (long-polling up to
 * maxWaitMs) within its fetch session, and gives each partition's answer back to the engine.
 * When nothing is fetchable it sleeps until woken (resume, release, seek, a metadata change)
 * or until the earliest retry time; when no assigned partition is led by its broker any more,
 * it ends.
 */
import { FetchApi, type FetchRequest, type FetchResponse, type FetchResponsePartitionData } from '../../protocol/messages/fetch.js';
import { KafkaProtocolError } from '../../protocol/errors/kafka-error.js';
import { negotiatedVersion } from '../connection/connection-client.js';
import { Lane, type ClusterClient } from '../cluster/cluster-client.js';
import { FetchResponseError } from './errors.js';
import { FetchSession, TOPIC_ID_MIN_VERSION, type SessionPartition, type SessionRequest } from './fetch-session.js';
import { partitionKey, type FetcherOptions } from './types.js';

/** Fetch v4 brings isolation levels, the last stable offset and aborted transactions; every broker we support has it. */
export const FETCH_MIN_VERSION = 4;
const LAST_NAME_BASED_VERSION = TOPIC_ID_MIN_VERSION - 1;
const MAX_LOOP_BACKOFF_MS = 1000;

/** What a loop needs from the engine. */
export interface LoopHost {
  readonly cluster: ClusterClient;
  readonly options: FetcherOptions;
  /** Partitions to fetch from `nodeId` now, or null when none is led by it any more (the loop ends). */
  fetchable(nodeId: number, now: number): SessionPartition[] | null;
  /** Time (ms) at which some partition of `nodeId` may become fetchable without a wake-up, or Infinity. */
  nextRetryAt(nodeId: number): number;
  /** One partition's answer; `sent` is the state the request carried (or the session held) for it. */
  handlePartition(nodeId: number, sent: SessionPartition, answer: FetchResponsePartitionData, version: number): Promise<void>;
  /** The request failed as a whole (connection, timeout, top-level error). */
  requestFailed(nodeId: number, error: unknown): void;
  /** A loop ended. */
  loopEnded(nodeId: number): void;
}

export class LeaderLoop {
  private readonly session: FetchSession;
  private stopped = false;
  private wakeUp: (() => void) | null = null;
  private failures = 0;
  readonly done: Promise<void>;

  constructor(
    private readonly host: LoopHost,
    readonly nodeId: number,
  ) {
    this.session = new FetchSession(host.options.fetchSessions);
    this.done = this.run();
  }

  /** Something changed that may make partitions fetchable: look again now. */
  wake(): void {
    const wake = this.wakeUp;
    this.wakeUp = null;
    wake?.();
  }

  stop(): void {
    this.stopped = true;
    this.wake();
  }

  /** The broker's id for this loop's fetch session; 0 while there is none. */
  get sessionId(): number {
    return this.session.id;
  }

  /** A partition's answer carried an error: its session state is sent afresh next time. */
  invalidate(topic: string, partition: number): void {
    this.session.invalidate(topic, partition);
  }

  private async run(): Promise<void> {
    try {
      while (!this.stopped) {
        const wanted = this.host.fetchable(this.nodeId, Date.now());
        if (wanted === null) break;
        if (wanted.length === 0) {
          await this.sleep(this.host.nextRetryAt(this.nodeId) - Date.now());
          continue;
        }
        const delay = await this.fetchOnce(wanted);
        if (delay > 0) await this.sleep(delay);
      }
    } finally {
      this.host.loopEnded(this.nodeId);
    }
  }

  /** One Fetch round trip; returns how long to wait before the next (backoff, throttling). */
  private async fetchOnce(wanted: SessionPartition[]): Promise<number> {
    const { cluster, options } = this.host;
    const timeoutMs = options.maxWaitMs + options.requestTimeoutMs;
    let request: SessionRequest | null = null;
    let version = 0;
    try {
      const namesOnly = wanted.some((p) => p.topicId === null);
      version = await negotiatedVersion(cluster.connection(this.nodeId, Lane.fetch), FetchApi, timeoutMs, {
        min: FETCH_MIN_VERSION,
        ...(namesOnly ? { max: LAST_NAME_BASED_VERSION } : {}),
      });
      request = this.session.next(wanted, version);
      const body: FetchRequest = {
        replicaId: -1,
        maxWaitMs: options.maxWaitMs,
        minBytes: options.minBytes,
        maxBytes: options.maxBytes,
        isolationLevel: options.isolationLevel,
        sessionId: request.sessionId,
        sessionEpoch: request.sessionEpoch,
        topics: request.topics,
        forgottenTopicsData: request.forgottenTopicsData,
        rackId: '',
      };
      const response = await cluster.request(this.nodeId, Lane.fetch, FetchApi, body, { timeoutMs, versions: { min: version, max: version } });
      this.session.succeeded(response.errorCode ?? 0, response.sessionId ?? 0);
      if ((response.errorCode ?? 0) !== 0) throw new KafkaProtocolError(response.errorCode ?? 0, `Fetch from broker ${this.nodeId}`);
      await this.deliver(response, request, version);
      this.failures = 0;
      return response.throttleTimeMs ?? 0;
    } catch (error) {
      if (request) this.session.failed();
      if (this.stopped) return 0;
      this.host.requestFailed(this.nodeId, error);
      this.failures++;
      return Math.min(MAX_LOOP_BACKOFF_MS, options.retryBackoffMs * 2 ** Math.min(this.failures - 1, 10));
    }
  }

  private async deliver(response: FetchResponse, request: SessionRequest, version: number): Promise<void> {
    const byTopicId = version >= TOPIC_ID_MIN_VERSION ? new Map([...request.fetching.values()].map((p) => [p.topicId, p.topic])) : null;
    for (const topic of response.responses) {
      const name = byTopicId ? byTopicId.get(topic.topicId ?? '') : topic.topic;
      for (const answer of topic.partitions) {
        const sent = name === undefined ? undefined : request.fetching.get(partitionKey(name, answer.partitionIndex));
        if (!sent) throw new FetchResponseError(`broker ${this.nodeId} answered for ${name ?? topic.topicId}[${answer.partitionIndex}], which was not fetched`);
        if (answer.errorCode !== 0) this.session.invalidate(sent.topic, sent.partition);
        await this.host.handlePartition(this.nodeId, sent, answer, version);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = Number.isFinite(ms) ? setTimeout(() => this.wake(), Math.max(1, ms)) : null;
      this.wakeUp = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
    });
  }
}
