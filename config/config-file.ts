// Reading the configuration file (JSON or YAML) and matching its nested mapping to schema keys.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import YAML from 'yaml';
import { ConfigError, ConfigErrorCode, type ConfigProblem } from './errors.js';
import type { ConfigKeyIndex } from './keys.js';
import { didYouMean } from './suggest.js';

type Parser = (text: string) => unknown;

// Parse errors are reported by line and column only: parsers like to quote the text around
// the error, and that text may be a secret.
const parseYaml: Parser = (text) => YAML.parse(text, { uniqueKeys: true, prettyErrors: false, logLevel: 'error' }) as unknown;
const parsers: Readonly<Record<string, Parser>> = {
  '.json': (text) => JSON.parse(text) as unknown,
  '.yaml': parseYaml,
  '.yml': parseYaml,
};

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

/** A parse error as "<what is wrong> at line L, column C", without any quoted file content. */
function describeParseError(err: unknown, text: string): string {
  if (err instanceof YAML.YAMLError) {
    const at = err.pos[0];
    return `${err.message} at ${lineAndColumn(text, at)}`;
  }
  const message = err instanceof Error ? err.message : String(err);
  const position = /at position (\d+)/.exec(message);
  const what = message.replace(/ in JSON at position \d+.*$/s, '').replace(/, ".*$/s, '');
  return position === null ? what : `${what} at ${lineAndColumn(text, Number(position[1]))}`;
}

/** Reads and parses a configuration file into its top-level mapping; an empty file is {}. */
export function readConfigFile(path: string): Record<string, unknown> {
  const parse = parsers[extname(path).toLowerCase()];
  if (parse === undefined) {
    throw new ConfigError(ConfigErrorCode.fileUnparsable, [
      { key: path, message: `unsupported file type "${extname(path)}"; expected .json, .yaml or .yml` },
    ]);
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ConfigError(ConfigErrorCode.fileUnreadable, [{ key: path, message: `cannot read the configuration file (${reason})` }]);
  }
  let document: unknown;
  try {
    document = text.trim() === '' ? {} : parse(text);
  } catch (err) {
    throw new ConfigError(ConfigErrorCode.fileUnparsable, [{ key: path, message: `not valid ${extname(path).slice(1).toUpperCase()}: ${describeParseError(err, text)}` }]);
  }
  if (document === null || document === undefined) return {};
  if (typeof document !== 'object' || Array.isArray(document)) {
    throw new ConfigError(ConfigErrorCode.fileUnparsable, [{ key: path, message: 'the top level must be a mapping of sections such as kafka:, producer:' }]);
  }
  return document as Record<string, unknown>;
}

/**
 * Matches a nested file mapping to schema keys. Unknown keys and sections given as scalars are
 * problems; values are returned as written (their formats are checked later, with the others).
 */
export function fileValues(document: Record<string, unknown>, index: ConfigKeyIndex): { values: Map<string, unknown>; problems: ConfigProblem[] } {
  const values = new Map<string, unknown>();
  const problems: ConfigProblem[] = [];
  const allPaths = [...index.byPath.keys(), ...index.sections];
  const walk = (node: Record<string, unknown>, prefix: string): void => {
    for (const [name, value] of Object.entries(node)) {
      const path = prefix === '' ? name : `${prefix}.${name}`;
      if (name.includes('.')) {
        problems.push({ key: path, message: 'keys must not contain "."; nest the sections instead' });
      } else if (index.byPath.has(path)) {
        values.set(path, value);
      } else if (index.sections.has(path)) {
        if (value === null || typeof value !== 'object' || Array.isArray(value)) {
          problems.push({ key: path, message: 'is a section; expected a mapping of its keys' });
        } else {
          walk(value as Record<string, unknown>, path);
        }
      } else {
        problems.push({ key: path, message: `unknown configuration key${didYouMean(path, allPaths)}` });
      }
    }
  };
  walk(document, '');
  return { values, problems };
}
