/**
 * Finding and importing scenario modules: `npm run bench -- codec` means
 * dist/bench/scenarios/codec.js, whose `scenario` export (or default export) is the scenario.
 */
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BenchError, BenchErrorCode } from './errors.js';
import { validateScenario, type Scenario } from './scenario.js';

/** dist/bench/scenarios, next to this compiled file's folder. */
export const scenariosDir = fileURLToPath(new URL('../scenarios/', import.meta.url));

export function scenarioModuleUrl(name: string): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) {
    throw new BenchError(BenchErrorCode.scenarioNotFound, `'${name}' is not a scenario name (lowercase letters, digits, '-')`);
  }
  const file = `${scenariosDir}${name}.js`;
  if (!existsSync(file)) {
    throw new BenchError(BenchErrorCode.scenarioNotFound, `no scenario '${name}' (looked for ${file}; known: ${knownScenarios().join(', ') || 'none'}; did you build with npx tsc?)`);
  }
  return pathToFileURL(file).href;
}

/** Names of the compiled scenario modules. */
export function knownScenarios(): string[] {
  if (!existsSync(scenariosDir)) return [];
  return readdirSync(scenariosDir)
    .filter((f) => f.endsWith('.js'))
    .map((f) => f.slice(0, -3))
    .sort();
}

export async function loadScenarioModule(url: string): Promise<Scenario> {
  const mod = (await import(url)) as { scenario?: Scenario; default?: Scenario };
  const scenario = mod.scenario ?? mod.default;
  if (!scenario || typeof scenario !== 'object') {
    throw new BenchError(BenchErrorCode.scenarioNotFound, `${url} exports no 'scenario' (see bench/README.md for the interface)`);
  }
  validateScenario(scenario);
  return scenario;
}
