/**
 * The part of AVA's test API our protocol unit tests use, for the mutation run: compiled AVA
 * test files import this instead of `ava` (see ava-shim-hooks.ts), and their tests are
 * collected, not run, so Stryker's test runner (stryker-ava-runner.ts) can run any of them
 * again and again in one process, once per mutant. The AVA CLI would start a worker process
 * per test file per mutant, which makes a run of a few thousand mutants take hours. Only used
 * by the mutation run (scripts/mutation): the test suite itself always runs under AVA.
 *
 * Semantics follow AVA where the tests depend on them: `is` is Object.is, `deepEqual` is a
 * strict structural comparison, `throws` returns the error and checks the expectation object
 * ({ instanceOf, is, message, name, code, any }). A failed assertion throws, ending the test
 * at once (AVA keeps going, but the test fails either way, which is all a mutant run needs).
 */
import assert from 'node:assert/strict';
import { isDeepStrictEqual, inspect } from 'node:util';

export class ShimAssertionError extends assert.AssertionError {}

function fail(message: string, detail?: string): never {
  throw new ShimAssertionError({ message: detail === undefined ? message : `${message}\n${detail}` });
}

function show(value: unknown): string {
  return inspect(value, { depth: 6, maxArrayLength: 20, breakLength: 120 });
}

interface ThrowsExpectation {
  readonly instanceOf?: new (...args: never[]) => unknown;
  readonly is?: unknown;
  readonly message?: string | RegExp | ((message: string) => boolean);
  readonly name?: string;
  readonly code?: string | number;
  readonly any?: boolean;
}

function checkThrown(thrown: unknown, expected: ThrowsExpectation | undefined, message?: string): Error {
  const label = message ?? 'thrown error';
  if (!(thrown instanceof Error) && !expected?.any) fail(`${label}: a non-error was thrown`, show(thrown));
  const err = thrown as Error & { code?: unknown };
  if (expected === undefined) return err;
  if (expected.instanceOf && !(err instanceof expected.instanceOf)) fail(`${label}: not an instance of ${expected.instanceOf.name}`, show(err));
  if ('is' in expected && err !== expected.is) fail(`${label}: not the expected error object`);
  if (expected.name !== undefined && err.name !== expected.name) fail(`${label}: name ${err.name}, expected ${expected.name}`);
  if (expected.code !== undefined && err.code !== expected.code) fail(`${label}: code ${String(err.code)}, expected ${String(expected.code)}`);
  const m = expected.message;
  if (m !== undefined) {
    const ok = typeof m === 'string' ? err.message === m : m instanceof RegExp ? m.test(err.message) : m(err.message);
    if (!ok) fail(`${label}: message ${JSON.stringify(err.message)} does not match ${String(m)}`);
  }
  return err;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function like(actual: unknown, selector: Record<string, unknown>, path: string): void {
  if (typeof actual !== 'object' || actual === null) fail(`like: ${path || 'value'} is not an object`, show(actual));
  for (const [key, want] of Object.entries(selector)) {
    const got = (actual as Record<string, unknown>)[key];
    if (isPlainObject(want)) like(got, want, `${path}.${key}`);
    else if (!isDeepStrictEqual(got, want)) fail(`like: ${path}.${key} differs`, `actual: ${show(got)}\nexpected: ${show(want)}`);
  }
}

export class ExecutionContext {
  private readonly teardowns: (() => unknown)[] = [];

  constructor(readonly title: string) {}

  is(actual: unknown, expected: unknown, message?: string): void {
    if (!Object.is(actual, expected)) fail(message ?? 'is', `actual: ${show(actual)}\nexpected: ${show(expected)}`);
  }
  not(actual: unknown, expected: unknown, message?: string): void {
    if (Object.is(actual, expected)) fail(message ?? 'not', `both: ${show(actual)}`);
  }
  deepEqual(actual: unknown, expected: unknown, message?: string): void {
    if (!isDeepStrictEqual(actual, expected)) fail(message ?? 'deepEqual', `actual: ${show(actual)}\nexpected: ${show(expected)}`);
  }
  notDeepEqual(actual: unknown, expected: unknown, message?: string): void {
    if (isDeepStrictEqual(actual, expected)) fail(message ?? 'notDeepEqual', `both: ${show(actual)}`);
  }
  like(actual: unknown, selector: Record<string, unknown>, message?: string): void {
    try {
      like(actual, selector, '');
    } catch (err) {
      fail(message ?? 'like', (err as Error).message);
    }
  }
  true(value: unknown, message?: string): void {
    if (value !== true) fail(message ?? 'true', show(value));
  }
  false(value: unknown, message?: string): void {
    if (value !== false) fail(message ?? 'false', show(value));
  }
  truthy(value: unknown, message?: string): void {
    if (!value) fail(message ?? 'truthy', show(value));
  }
  falsy(value: unknown, message?: string): void {
    if (value) fail(message ?? 'falsy', show(value));
  }
  regex(value: string, pattern: RegExp, message?: string): void {
    if (typeof value !== 'string' || !pattern.test(value)) fail(message ?? 'regex', `${show(value)} does not match ${String(pattern)}`);
  }
  pass(): void {}
  fail(message?: string): never {
    fail(message ?? 'fail');
  }
  throws(fn: () => unknown, expected?: ThrowsExpectation, message?: string): Error {
    let result: unknown;
    try {
      result = fn();
    } catch (err) {
      if (err instanceof ShimAssertionError) throw err;
      return checkThrown(err, expected, message);
    }
    if (result instanceof Promise) fail(message ?? 'throws: the function returned a promise (use throwsAsync)');
    return fail(message ?? 'throws: nothing was thrown');
  }
  async throwsAsync(fnOrPromise: (() => Promise<unknown>) | Promise<unknown>, expected?: ThrowsExpectation, message?: string): Promise<Error> {
    try {
      await (typeof fnOrPromise === 'function' ? fnOrPromise() : fnOrPromise);
    } catch (err) {
      if (err instanceof ShimAssertionError) throw err;
      return checkThrown(err, expected, message);
    }
    return fail(message ?? 'throwsAsync: nothing was thrown');
  }
  notThrows(fn: () => unknown, message?: string): void {
    try {
      fn();
    } catch (err) {
      fail(message ?? 'notThrows', show(err));
    }
  }
  log(...values: unknown[]): void {
    process.stderr.write(`# ${values.map((v) => (typeof v === 'string' ? v : show(v))).join(' ')}\n`);
  }
  plan(): void {}
  timeout(): void {}
  teardown(fn: () => unknown): void {
    this.teardowns.push(fn);
  }

  /** Runs the teardowns, last registered first, as AVA does. */
  async finish(): Promise<void> {
    for (const fn of this.teardowns.reverse()) await fn();
  }
}

type Implementation = (t: ExecutionContext) => unknown;

export interface CollectedTest {
  readonly title: string;
  readonly file: string;
  run(): Promise<void>;
}

/** Where tests are collected; the runner sets `file` before importing each test file. */
export interface TestCollector {
  file: string;
  readonly tests: CollectedTest[];
}

const COLLECTOR = Symbol.for('kafka-sidecar.ava-shim.collector');

export function installCollector(collector: TestCollector): void {
  (globalThis as Record<symbol, unknown>)[COLLECTOR] = collector;
}

function register(title: string, implementation: Implementation): void {
  const collector = (globalThis as Record<symbol, TestCollector | undefined>)[COLLECTOR];
  if (!collector) throw new Error('the AVA shim collects tests for the mutation runner only (test/tools/mutation/)');
  collector.tests.push({
    title,
    file: collector.file,
    run: async () => {
      const t = new ExecutionContext(title);
      try {
        await implementation(t);
      } finally {
        await t.finish();
      }
    },
  });
}

function unsupported(name: string): () => never {
  return () => {
    throw new Error(`test.${name} is not supported by the mutation-run AVA shim (test/tools/mutation/ava-shim.ts)`);
  };
}

interface TestFunction {
  (title: string, implementation: Implementation): void;
  serial: (title: string, implementation: Implementation) => void;
  skip: () => never;
  only: () => never;
  before: () => never;
  after: () => never;
  beforeEach: () => never;
  afterEach: () => never;
}

const test: TestFunction = Object.assign(register, {
  serial: register,
  skip: unsupported('skip'),
  only: unsupported('only'),
  before: unsupported('before'),
  after: unsupported('after'),
  beforeEach: unsupported('beforeEach'),
  afterEach: unsupported('afterEach'),
});

export default test;
export type { ExecutionContext as ExecutionContextType };
