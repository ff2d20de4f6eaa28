// Keeping secrets out of output. Two tools: `redactConfig` replaces exactly the keys the schema
// marks sensitive (for `config --print`), and `scrubSecrets` replaces any field whose name looks
// like a secret at any depth of any object (for logs, where objects of every shape pass by).
import { buildSchema } from './schema.js';
import { indexSchema, type ConfigKey, type ConfigKeyIndex } from './keys.js';

export const REDACTED = '[redacted]';

let schemaIndex: ConfigKeyIndex | undefined;

/** The key index of the schema; defaults that depend on the host do not matter for redaction. */
function index(): ConfigKeyIndex {
  schemaIndex ??= indexSchema(buildSchema({}));
  return schemaIndex;
}

/** Paths of every sensitive key. */
export function sensitivePaths(): string[] {
  return index().keys.filter((k) => k.sensitive).map((k) => k.path);
}

/** Field names treated as secrets wherever they appear, compared case-insensitively. */
export const SECRET_FIELD_NAMES: ReadonlySet<string> = new Set(
  [
    'password',
    'passwd',
    'secret',
    'token',
    'accessToken',
    'refreshToken',
    'bearerToken',
    'apiKey',
    'privateKey',
    'nkeySeed',
    'seed',
    'authorization',
    'credentials',
  ].map((n) => n.toLowerCase()),
);

function isSecretField(name: string): boolean {
  return SECRET_FIELD_NAMES.has(name.toLowerCase()) || sensitiveLeafNames().has(name.toLowerCase());
}

let leafNames: Set<string> | undefined;

/** Last segments of the schema's sensitive keys, so a new sensitive key is scrubbed in logs too. */
function sensitiveLeafNames(): Set<string> {
  leafNames ??= new Set(sensitivePaths().map((p) => (p.split('.').pop() ?? p).toLowerCase()));
  return leafNames;
}

/** How a value appears in an error message: sensitive values never, long values shortened. */
export function showValue(key: ConfigKey | undefined, value: unknown): string {
  if (key?.sensitive === true && value !== null && value !== undefined) return REDACTED;
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** A deep copy of a configuration object with every set sensitive key replaced by REDACTED. */
export function redactConfig<T extends object>(config: T): T {
  const copy = structuredClone(config) as Record<string, unknown>;
  for (const path of sensitivePaths()) {
    const segments = path.split('.');
    const field = segments.pop() as string;
    let parent: unknown = copy;
    for (const segment of segments) {
      parent = parent !== null && typeof parent === 'object' ? (parent as Record<string, unknown>)[segment] : undefined;
    }
    if (parent !== null && typeof parent === 'object') {
      const record = parent as Record<string, unknown>;
      if (record[field] !== null && record[field] !== undefined) record[field] = REDACTED;
    }
  }
  return copy as T;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** An Error as a plain object (type, message, stack, code, own fields, cause), ready to scrub. */
function errorAsObject(err: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { type: err.constructor?.name ?? err.name, message: err.message, stack: err.stack };
  for (const [k, v] of Object.entries(err)) out[k] = v;
  if (err.cause !== undefined) out.cause = err.cause;
  if (err instanceof AggregateError) out.errors = err.errors;
  return out;
}

/**
 * Returns `value` with every field named like a secret replaced by REDACTED, at any depth,
 * including inside errors (which become plain objects, as loggers print them). Objects without
 * secrets come back as they are, so the common case costs one walk and no copies.
 */
export function scrubSecrets<T>(value: T): T {
  return scrub(value, new WeakSet()) as T;
}

function scrub(value: unknown, seen: WeakSet<object>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  try {
    if (value instanceof Error) return scrubRecord(errorAsObject(value), seen, true);
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      value.forEach((item, i) => {
        const cleaned = scrub(item, seen);
        if (cleaned !== item) {
          copy ??= value.slice();
          copy[i] = cleaned;
        }
      });
      return copy ?? value;
    }
    if (!isPlainObject(value)) return value;
    return scrubRecord(value as Record<string, unknown>, seen, false);
  } finally {
    seen.delete(value);
  }
}

function scrubRecord(record: Record<string, unknown>, seen: WeakSet<object>, alreadyCopied: boolean): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined = alreadyCopied ? record : undefined;
  for (const [k, v] of Object.entries(record)) {
    const cleaned = isSecretField(k) && v !== null && v !== undefined ? REDACTED : scrub(v, seen);
    if (cleaned !== v) {
      copy ??= { ...record };
      copy[k] = cleaned;
    }
  }
  return copy ?? record;
}
