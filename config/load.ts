// Loading the effective configuration. Sources, later wins: schema defaults, the configuration
// file (--config FILE or $KAFKA_SIDECAR_CONFIG), KAFKA_SIDECAR_* environment variables, and
// --set key=value flags. Pure apart from reading the file: argv, env and cwd come in as data.
import { isAbsolute, resolve } from 'node:path';
import convict from 'convict';
import { parseConfigArguments } from './arguments.js';
import { fileValues, readConfigFile } from './config-file.js';
import { findConflicts } from './conflicts.js';
import { ConfigError, ConfigErrorCode, type ConfigProblem } from './errors.js';
import { registerConvictFormats } from './formats.js';
import { CONFIG_FILE_ENV, ENV_PREFIX, indexSchema, type ConfigKey, type ConfigKeyIndex } from './keys.js';
import type { Provenance, ValueOrigin } from './provenance.js';
import { showValue } from './redact.js';
import { buildSchema, defaultSocketPath, type SidecarConfig } from './schema.js';
import { didYouMean } from './suggest.js';

export interface LoadConfigInput {
  /** Configuration flags only: --config FILE, --set key=value. */
  readonly argv?: readonly string[];
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Directory a relative --config path is resolved against; defaults to process.cwd(). */
  readonly cwd?: string;
}

export interface LoadedConfig {
  /** The effective configuration, deeply frozen. */
  readonly config: SidecarConfig;
  /** Where each key's value came from. */
  readonly provenance: Provenance;
  /** Absolute path of the configuration file read, or null. */
  readonly configFile: string | null;
}

interface Candidate {
  value: unknown;
  origin: ValueOrigin;
}

/** Environment and --set carry text; an empty text clears a nullable key. */
function parseText(key: ConfigKey, text: string): unknown {
  if (key.nullable && text.trim() === '') return null;
  return key.format.parse(text);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function defaults(index: ConfigKeyIndex, runtimeDir: string | undefined): Map<string, Candidate> {
  const candidates = new Map<string, Candidate>();
  for (const key of index.keys) {
    const fromRuntimeDir = key.path === 'ipc.socket.path' && key.default !== defaultSocketPath({});
    const origin: ValueOrigin = fromRuntimeDir ? { kind: 'default', note: `in $XDG_RUNTIME_DIR ${runtimeDir}` } : { kind: 'default' };
    candidates.set(key.path, { value: structuredClone(key.default), origin });
  }
  return candidates;
}

function applyFile(path: string, index: ConfigKeyIndex, candidates: Map<string, Candidate>, problems: ConfigProblem[]): void {
  const origin: ValueOrigin = { kind: 'file', path };
  const found = fileValues(readConfigFile(path), index);
  for (const problem of found.problems) problems.push({ ...problem, origin });
  for (const [keyPath, value] of found.values) candidates.set(keyPath, { value, origin });
}

function applyEnv(env: Readonly<Record<string, string | undefined>>, index: ConfigKeyIndex, candidates: Map<string, Candidate>, problems: ConfigProblem[]): void {
  for (const name of Object.keys(env).sort()) {
    const text = env[name];
    if (!name.startsWith(ENV_PREFIX) || name === CONFIG_FILE_ENV || text === undefined) continue;
    const key = index.byEnv.get(name);
    if (key === undefined) {
      problems.push({ key: name, message: `unknown environment variable: no configuration key maps to it${didYouMean(name, [...index.byEnv.keys(), CONFIG_FILE_ENV])}` });
      continue;
    }
    candidates.set(key.path, { value: parseText(key, text), origin: { kind: 'env', name } });
  }
}

function applySets(sets: ReturnType<typeof parseConfigArguments>['sets'], index: ConfigKeyIndex, candidates: Map<string, Candidate>, problems: ConfigProblem[]): void {
  for (const set of sets) {
    const key = index.byPath.get(set.key);
    if (key === undefined) {
      const hint = index.sections.has(set.key)
        ? ` (it is a section; set one of its keys, e.g. ${index.keys.find((k) => k.path.startsWith(`${set.key}.`))?.path})`
        : didYouMean(set.key, index.byPath.keys());
      problems.push({ key: set.key, origin: { kind: 'set' }, message: `unknown configuration key${hint}` });
      continue;
    }
    candidates.set(key.path, { value: parseText(key, set.value), origin: { kind: 'set' } });
  }
}

function checkFormats(index: ConfigKeyIndex, candidates: Map<string, Candidate>, problems: ConfigProblem[]): void {
  for (const key of index.keys) {
    const { value, origin } = candidates.get(key.path) as Candidate;
    if (value === null && key.nullable) continue;
    const detail = key.format.check(value);
    if (detail === undefined) continue;
    // A detail can quote the value, so sensitive keys get the bare expectation; "got a string"
    // style details only repeat what the shown value says.
    const why = key.sensitive || detail.startsWith('got ') ? '' : ` (${detail})`;
    problems.push({ key: key.path, origin, message: `expected ${key.format.expected}${key.nullable ? ' (or empty to unset)' : ''}, got ${showValue(key, value)}${why}` });
  }
}

/** Loads, checks and freezes the configuration; throws a ConfigError listing every problem. */
export function loadConfig(input: LoadConfigInput = {}): LoadedConfig {
  const env = input.env ?? {};
  const cwd = input.cwd ?? process.cwd();
  const args = parseConfigArguments(input.argv ?? []);
  registerConvictFormats();
  const runtimeDir = env.XDG_RUNTIME_DIR;
  const schema = buildSchema(runtimeDir === undefined ? {} : { runtimeDir });
  const index = indexSchema(schema);

  const candidates = defaults(index, runtimeDir);
  const problems: ConfigProblem[] = [];
  const fileArg = args.configFile ?? (env[CONFIG_FILE_ENV] === '' ? undefined : env[CONFIG_FILE_ENV]);
  const configFile = fileArg === undefined ? null : isAbsolute(fileArg) ? fileArg : resolve(cwd, fileArg);
  if (configFile !== null) {
    try {
      applyFile(configFile, index, candidates, problems);
    } catch (err) {
      // Say where the file name came from: a stale $KAFKA_SIDECAR_CONFIG is easy to forget.
      if (!(err instanceof ConfigError) || args.configFile !== undefined) throw err;
      throw new ConfigError(err.code, err.problems.map((p) => ({ ...p, origin: { kind: 'env', name: CONFIG_FILE_ENV } })));
    }
  }
  applyEnv(env, index, candidates, problems);
  applySets(args.sets, index, candidates, problems);
  checkFormats(index, candidates, problems);
  if (problems.length > 0) throw new ConfigError(ConfigErrorCode.invalid, problems);

  // Convict holds the schema; giving it empty env and args keeps process state out of loading.
  const store = convict(schema, { env: {}, args: [] });
  for (const [path, candidate] of candidates) {
    if (candidate.origin.kind !== 'default') store.set(path, candidate.value);
  }
  try {
    store.validate({ allowed: 'strict' });
  } catch (err) {
    throw new ConfigError(ConfigErrorCode.invalid, [{ key: 'config', message: (err as Error).message }]);
  }
  const config = store.getProperties();
  const provenance: Record<string, ValueOrigin> = {};
  for (const [path, candidate] of candidates) provenance[path] = candidate.origin;

  const conflicts = findConflicts(config, provenance);
  if (conflicts.length > 0) throw new ConfigError(ConfigErrorCode.invalid, conflicts);
  return { config: deepFreeze(config), provenance: Object.freeze(provenance), configFile };
}
