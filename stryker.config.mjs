// Mutation testing of the hand-written protocol layer: protocol/primitives and protocol/records
// (generated code is excluded). Run with `npm run mutation` (scripts/mutation); docs/mutation.md
// has the score and the reasons for the choices below.
//
// Stryker mutates the compiled JavaScript in dist/ (the tests run from dist/ too), one file per
// TypeScript source, so stale output of deleted sources is never counted. The AVA test files
// run in Stryker's workers through a shim of AVA's API and our own test runner plugin
// (test/tools/mutation/), test by test: each mutant runs only the tests that reach it.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function filesUnder(dir, suffix, skip = '') {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path, suffix, skip);
    return entry.name.endsWith(suffix) && !(skip && entry.name.endsWith(skip)) ? [path] : [];
  });
}

const sourcesUnder = (dir) => filesUnder(dir, '.ts', '.d.ts');

const toDist = (ts) => `dist/${ts.slice(0, -3)}.js`;
const mutate = ['protocol/primitives', 'protocol/records'].flatMap(sourcesUnder).map(toDist);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'ava-shim',
  plugins: ['./dist/test/tools/mutation/stryker-ava-runner.js'],
  mutate,
  avaShim: {
    testFiles: [
      ...filesUnder('test/unit/protocol/primitives', '.test.ts'),
      ...filesUnder('test/unit/protocol/records', '.test.ts'),
      'test/unit/protocol/golden.test.ts',
      'test/unit/protocol/golden-records.test.ts',
    ].map(toDist),
  },
  coverageAnalysis: 'perTest',
  // Mutants in code that runs at module load (constant tables, the native CRC-32C probe) would
  // each need a fresh worker that imports every test file again: 40% of the mutants taking
  // two thirds of the time. They are reported as ignored, outside the score (docs/mutation.md).
  ignoreStatic: true,
  // Two cores, shared with other engineers' builds and brokers.
  concurrency: 2,
  timeoutMS: 15000,
  // Only what the tests need goes into Stryker's sandbox, the native addons included (the
  // codecs use them where they are built, and their tests expect them there).
  ignorePatterns: ['/*', '!/dist', '!/test', '!/package.json', '/dist/*', '!/dist/protocol', '!/dist/test', '!/native', '/native/*', '!/native/build'],
  tempDirName: 'reports/.stryker-tmp',
  cleanTempDir: 'always',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
};
