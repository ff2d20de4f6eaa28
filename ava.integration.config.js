// Integration tests: real brokers and a real NATS server (see test/helpers/).
export default {
  files: ['dist/test/integration/**/*.test.js'],
  timeout: '5m',
  concurrency: 2,
  workerThreads: false,
};
