/**
 * Each produced batch the broker acknowledged, published on a diagnostics channel for metrics.
 * Nothing is built when nobody subscribes.
 */
import { channel } from 'node:diagnostics_channel';

export interface BatchDelivered {
  readonly topic: string;
  readonly records: number;
  /** Encoded size before compression. */
  readonly bytes: number;
}

export const batchDeliveredChannel = channel('kafka-sidecar:produce-batch');
