import test from 'ava';
import { parseBenchArgs } from '../../../../bench/lib/args.js';
import { BenchErrorCode } from '../../../../bench/lib/errors.js';

test('a scenario with counts and flags', (t) => {
  t.deepEqual(parseBenchArgs(['codec', '--reps', '7', '--warmup', '0', '--quick', '--no-write']), {
    mode: 'run',
    scenario: 'codec',
    reps: 7,
    warmup: 0,
    quick: true,
    write: false,
    resultsDir: undefined,
    docsFile: undefined,
  });
  t.deepEqual(parseBenchArgs(['self-test']), { mode: 'run', scenario: 'self-test', reps: undefined, warmup: undefined, quick: false, write: true, resultsDir: undefined, docsFile: undefined });
});

test('docs, list and help modes', (t) => {
  t.deepEqual(parseBenchArgs(['--docs']), { mode: 'docs', resultsDir: undefined, docsFile: undefined });
  t.deepEqual(parseBenchArgs(['--docs', '--results-dir', 'r', '--docs-file', 'd.md']), { mode: 'docs', resultsDir: 'r', docsFile: 'd.md' });
  t.deepEqual(parseBenchArgs(['--list']), { mode: 'list' });
  t.deepEqual(parseBenchArgs(['x', '--help']), { mode: 'help' });
});

test('mistakes are named', (t) => {
  const bad = { code: BenchErrorCode.badArguments };
  t.throws(() => parseBenchArgs([]), { ...bad, message: /no scenario given/ });
  t.throws(() => parseBenchArgs(['a', 'b']), { ...bad, message: /one scenario at a time/ });
  t.throws(() => parseBenchArgs(['a', '--reps', '0']), { ...bad, message: /--reps needs an integer >= 1, got 0/ });
  t.throws(() => parseBenchArgs(['a', '--reps', '2.5']), { ...bad, message: /--reps needs an integer/ });
  t.throws(() => parseBenchArgs(['a', '--warmup']), { ...bad, message: /--warmup needs a value/ });
  t.throws(() => parseBenchArgs(['a', '--warmup', '--quick']), { ...bad, message: /--warmup needs a value/ });
  t.throws(() => parseBenchArgs(['a', '--fast']), { ...bad, message: /unknown option --fast/ });
  t.throws(() => parseBenchArgs(['a', '--docs']), { ...bad, message: /--docs takes no scenario/ });
});
