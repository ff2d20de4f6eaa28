// Unit tests: compiled test files under dist/test/unit, no external services.
export default {
  files: ['dist/test/unit/**/*.test.js'],
  timeout: '2m',
  workerThreads: false,
};
