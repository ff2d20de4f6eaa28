// Integration tests that start brokers of their own (script lifecycle, failure cases) and so
// run once per suite rather than once per Kafka version.
export default {
  files: ['dist/test/integration/standalone/**/*.test.js'],
  timeout: '10m',
  concurrency: 1,
  workerThreads: false,
};
