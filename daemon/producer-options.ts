// Turns the configuration into what the producer actor takes.
import type { SidecarConfig } from '../config/schema.js';
import type { ProducerInput } from '../machines/producer/producer-machine.js';
import { CompressionCodec } from '../protocol/records/record-types.js';

export function producerOptionsFrom(config: SidecarConfig): Omit<ProducerInput, 'cluster'> {
  const { producer: p, connection } = config;
  return {
    settings: {
      acks: p.acks,
      compression: CompressionCodec[p.compression],
      idempotent: p.idempotent,
      lingerMs: p.lingerMs,
      batchBytes: p.batchBytes,
      bufferBytes: p.bufferBytes,
      maxBlockMs: p.maxBlockMs,
      autoCreateTopics: p.autoCreateTopics,
      deliveryTimeoutMs: p.deliveryTimeoutMs,
      maxInFlightPerBroker: p.maxInFlightPerBroker,
      retries: p.retries,
      requestTimeoutMs: connection.requestTimeoutMs,
      retryBackoffMs: connection.backoff.minMs,
      transactionalId: p.transactionalId,
      transactionTimeoutMs: p.transactionTimeoutMs,
    },
    backoff: { minMs: connection.backoff.minMs, maxMs: connection.backoff.maxMs },
    initTimeoutMs: connection.requestTimeoutMs,
  };
}
