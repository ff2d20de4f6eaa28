// Turns the configuration into what the producer actors take: the shared producer, and one
// transactional producer per transactional id that apps begin transactions with.
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
    },
    backoff: { minMs: connection.backoff.minMs, maxMs: connection.backoff.maxMs },
    initTimeoutMs: connection.requestTimeoutMs,
  };
}

/**
 * The producer of one transactional id: the shared producer's batching and compression, but
 * always acks=all and idempotent (Kafka requires both of a transactional producer, whatever
 * producer.acks and producer.idempotent say for plain produce calls).
 */
export function transactionalProducerOptionsFrom(config: SidecarConfig, transactionalId: string): Omit<ProducerInput, 'cluster'> {
  const shared = producerOptionsFrom(config);
  return {
    ...shared,
    settings: {
      ...shared.settings,
      acks: 'all',
      idempotent: true,
      // Idempotence keeps order with up to 5 requests in flight; the retries are bounded by deliveryTimeoutMs.
      retries: Math.max(1, shared.settings.retries),
      transactionalId,
      transactionTimeoutMs: config.producer.transactions.timeoutMs,
    },
  };
}
