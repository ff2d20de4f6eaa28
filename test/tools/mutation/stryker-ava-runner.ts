/**
 * A Stryker test runner for our AVA unit tests that runs them in its own process, test by
 * test, instead of starting the AVA CLI per mutant. Stryker mutates with "mutation switching":
 * all mutants are compiled into the code at once and the one to activate is read from
 * `globalThis.__stryker__.activeMutant` when the mutated code runs, so the test files are
 * imported once and their tests re-run for each mutant. The dry run records which tests reach
 * which mutant (`currentTestId`), and each mutant then runs only those tests, stopping at the
 * first failure.
 *
 * Mutants in code that runs when a module loads ("static" mutants) need fresh modules: this
 * runner declares it cannot reload its environment, so Stryker starts a new worker for each,
 * and the test files are imported only on the first run, after the mutant is activated.
 * Infinite loops are caught by Stryker's hit limit (checked here) and its timeout (which
 * kills this worker).
 */
import { register } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { INSTRUMENTER_CONSTANTS, type StrykerOptions } from '@stryker-mutator/api/core';
import { commonTokens, declareClassPlugin, PluginKind, tokens } from '@stryker-mutator/api/plugin';
import {
  DryRunStatus,
  TestStatus,
  determineHitLimitReached,
  toMutantRunResult,
  type DryRunOptions,
  type DryRunResult,
  type MutantRunOptions,
  type MutantRunResult,
  type TestResult,
  type TestRunner,
  type TestRunnerCapabilities,
} from '@stryker-mutator/api/test-runner';
import { installCollector, type CollectedTest, type TestCollector } from './ava-shim.js';

interface StrykerNamespace {
  activeMutant?: string;
  currentTestId?: string;
  hitCount?: number;
  hitLimit?: number;
  mutantCoverage?: { static: Record<string, number>; perTest: Record<string, Record<string, number>> };
}

/** This runner's options, under `avaShim` in stryker.config.mjs. */
interface AvaShimOptions {
  /** Compiled test files (paths relative to the sandbox). */
  readonly testFiles: readonly string[];
}

function namespace(): StrykerNamespace {
  const g = globalThis as Record<string, unknown>;
  g[INSTRUMENTER_CONSTANTS.NAMESPACE] ??= {};
  return g[INSTRUMENTER_CONSTANTS.NAMESPACE] as StrykerNamespace;
}

export class AvaShimTestRunner implements TestRunner {
  static inject = tokens(commonTokens.options);
  private readonly testFiles: readonly string[];
  private tests: CollectedTest[] | undefined;

  constructor(options: StrykerOptions) {
    const own = (options as StrykerOptions & { avaShim?: AvaShimOptions }).avaShim;
    if (!own || own.testFiles.length === 0) throw new Error('stryker config: avaShim.testFiles lists no test files');
    this.testFiles = own.testFiles;
  }

  capabilities(): TestRunnerCapabilities {
    return { reloadEnvironment: false };
  }

  async dryRun(options: DryRunOptions): Promise<DryRunResult> {
    const ns = namespace();
    ns.mutantCoverage = { static: {}, perTest: {} };
    const tests = await this.load();
    const coverage = ns.mutantCoverage;
    const results = await this.runTests(tests, options.disableBail, options.coverageAnalysis === 'perTest');
    return { status: DryRunStatus.Complete, tests: results, mutantCoverage: coverage };
  }

  async mutantRun(options: MutantRunOptions): Promise<MutantRunResult> {
    const ns = namespace();
    ns.activeMutant = options.activeMutant.id;
    ns.hitLimit = options.hitLimit;
    ns.hitCount = options.hitLimit === undefined ? undefined : 0;
    try {
      const all = await this.load();
      const filter = options.testFilter && new Set(options.testFilter);
      const tests = filter ? all.filter((t) => filter.has(testId(t))) : all;
      const results = await this.runTests(tests, options.disableBail, false);
      const timeout = determineHitLimitReached(ns.hitCount, ns.hitLimit);
      if (timeout) return toMutantRunResult(timeout);
      return toMutantRunResult({ status: DryRunStatus.Complete, tests: results });
    } finally {
      ns.activeMutant = undefined;
      ns.hitLimit = undefined;
      ns.hitCount = undefined;
    }
  }

  /** Imports the test files once, collecting their tests through the AVA shim. */
  private async load(): Promise<CollectedTest[]> {
    if (this.tests) return this.tests;
    register('./ava-shim-hooks.js', import.meta.url);
    const collector: TestCollector = { file: '', tests: [] };
    installCollector(collector);
    for (const file of this.testFiles) {
      collector.file = file;
      await import(pathToFileURL(resolve(file)).href);
    }
    this.tests = collector.tests;
    return this.tests;
  }

  private async runTests(tests: readonly CollectedTest[], disableBail: boolean, perTestCoverage: boolean): Promise<TestResult[]> {
    const ns = namespace();
    const results: TestResult[] = [];
    for (const test of tests) {
      const id = testId(test);
      if (perTestCoverage) ns.currentTestId = id;
      const started = performance.now();
      let failure: string | undefined;
      try {
        await test.run();
      } catch (err) {
        failure = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      } finally {
        ns.currentTestId = undefined;
      }
      const base = { id, name: id, fileName: test.file, timeSpentMs: Math.round(performance.now() - started) };
      results.push(failure === undefined ? { ...base, status: TestStatus.Success } : { ...base, status: TestStatus.Failed, failureMessage: failure });
      if (failure !== undefined && !disableBail) break;
    }
    return results;
  }
}

function testId(test: CollectedTest): string {
  return `${test.file} › ${test.title}`;
}

export const strykerPlugins = [declareClassPlugin(PluginKind.TestRunner, 'ava-shim', AvaShimTestRunner)];
