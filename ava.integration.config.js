// Integration tests that run once per Kafka version of the matrix, against the brokers the
// test command started (KAFKA_BROKERS and the security variables) and a real NATS server.
export default {
  files: ['dist/test/integration/**/*.test.js', '!dist/test/integration/standalone/**'],
  timeout: '5m',
  concurrency: 2,
  workerThreads: false,
};
