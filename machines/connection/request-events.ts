/**
 * Every request's outcome, published on a diagnostics channel so that metrics (or a tracer)
 * can watch without the connection layer knowing them. When nobody subscribes, a request
 * pays one property read.
 */
import { channel } from 'node:diagnostics_channel';

export interface RequestCompleted {
  /** Kafka API name, e.g. "Produce". */
  readonly api: string;
  readonly version: number;
  /** From handing the request to the pipeline to its answer (or failure). */
  readonly durationMs: number;
  /** null when answered; note that an answer may still carry Kafka error codes. */
  readonly error: Error | null;
}

export const requestCompletedChannel = channel('kafka-sidecar:request');
