// The kafka-sidecar client library for Node apps: connect over the Unix socket or NATS.
export { connect, SidecarClient, type ConnectOptions, type ClientEvents, type HelloResult, type StatusResult, type ProduceMessage, type ProduceOptions, type ProduceReply, type ProduceResult, type FetchOptions, type MessageRef, type BeginTransactionResult, type TransactionOffset, type TransactionOffsetsSource } from './client.js';
export { Subscription, type ConsumedMessage, type SubscribeOptions, type SubscriptionMessage, type TopicPartitionRef } from './subscription.js';
export {
  CallTimeoutError,
  ClientClosedError,
  ConnectError,
  ConnectionLostError,
  KafkaError,
  ProtocolViolationError,
  SidecarError,
} from './errors.js';
export type { Notification } from './transport.js';
