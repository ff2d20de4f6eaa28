/**
 * Small validators for method params. A validator takes an unknown value and the path it was
 * found at ("params.messages[3].key") and returns the typed value or throws InvalidParamsError
 * naming that path and what was expected, so every -32602 tells the app exactly what to fix.
 */
import { InvalidParamsError } from './errors.js';

export type Validator<T> = (value: unknown, field: string) => T;

/** The type a validator produces. */
export type Infer<V> = V extends Validator<infer T> ? T : never;

/** A short description of a received value for error messages (never the whole value). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : `"${value}"`;
  return `${typeof value} ${String(value)}`;
}

function fail(field: string, expected: string, value: unknown): never {
  throw new InvalidParamsError(field, expected, describeValue(value));
}

export function string(opts: { minLength?: number; maxLength?: number } = {}): Validator<string> {
  const min = opts.minLength ?? 0;
  const max = opts.maxLength ?? Number.POSITIVE_INFINITY;
  const expected =
    min > 0 && max < Number.POSITIVE_INFINITY
      ? `a string of ${min} to ${max} characters`
      : min > 0
        ? min === 1
          ? 'a non-empty string'
          : `a string of at least ${min} characters`
        : max < Number.POSITIVE_INFINITY
          ? `a string of at most ${max} characters`
          : 'a string';
  return (value, field) => {
    if (typeof value !== 'string' || value.length < min || value.length > max) fail(field, expected, value);
    return value;
  };
}

export function integer(opts: { min?: number; max?: number } = {}): Validator<number> {
  const min = opts.min ?? Number.MIN_SAFE_INTEGER;
  const max = opts.max ?? Number.MAX_SAFE_INTEGER;
  const expected = `an integer from ${min} to ${max}`;
  return (value, field) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) fail(field, expected, value);
    return value;
  };
}

export function boolean(): Validator<boolean> {
  return (value, field) => {
    if (typeof value !== 'boolean') fail(field, 'true or false', value);
    return value;
  };
}

/** One of a fixed set of strings, e.g. oneOf(['all', 'leader', 'none'] as const). */
export function oneOf<const T extends readonly string[]>(choices: T): Validator<T[number]> {
  const expected = `one of ${choices.map((c) => `"${c}"`).join(', ')}`;
  return (value, field) => {
    if (typeof value !== 'string' || !choices.includes(value)) fail(field, expected, value);
    return value as T[number];
  };
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** An int64 as a decimal string (offsets): JSON numbers lose precision past 2^53, strings do not. */
export function int64String(opts: { min?: bigint } = {}): Validator<bigint> {
  const min = opts.min ?? INT64_MIN;
  const expected = `a decimal string holding an integer from ${min} to ${INT64_MAX}`;
  return (value, field) => {
    if (typeof value !== 'string' || !/^-?(0|[1-9][0-9]{0,18})$/.test(value)) fail(field, expected, value);
    const parsed = BigInt(value);
    if (parsed < min || parsed > INT64_MAX) fail(field, expected, value);
    return parsed;
  };
}

export function array<T>(item: Validator<T>, opts: { minItems?: number; maxItems?: number } = {}): Validator<T[]> {
  const min = opts.minItems ?? 0;
  const max = opts.maxItems ?? Number.POSITIVE_INFINITY;
  const expected =
    max < Number.POSITIVE_INFINITY ? `an array of ${min} to ${max} items` : min > 0 ? `an array of at least ${min} items` : 'an array';
  return (value, field) => {
    if (!Array.isArray(value) || value.length < min || value.length > max) fail(field, expected, value);
    return value.map((v, i) => item(v, `${field}[${i}]`));
  };
}

/** A value or null. */
export function nullable<T>(inner: Validator<T>): Validator<T | null> {
  return (value, field) => (value === null ? null : inner(value, field));
}

const optionalMark = Symbol('optional');

/** A member that may be absent (then undefined); null is checked by the inner validator. */
export interface OptionalValidator<T> extends Validator<T | undefined> {
  readonly [optionalMark]: true;
}

export function optional<T>(inner: Validator<T>): OptionalValidator<T> {
  const v = ((value: unknown, field: string) => (value === undefined ? undefined : inner(value, field))) as OptionalValidator<T>;
  (v as { [optionalMark]: true })[optionalMark] = true;
  return v;
}

/** A member that takes `fallback` when absent. */
export function withDefault<T>(inner: Validator<T>, fallback: T): OptionalValidator<T> & Validator<T> {
  const v = ((value: unknown, field: string) => (value === undefined ? fallback : inner(value, field))) as OptionalValidator<T> & Validator<T>;
  (v as { [optionalMark]: true })[optionalMark] = true;
  return v;
}

type Shape = Record<string, Validator<unknown>>;

type RequiredKeys<S extends Shape> = { [K in keyof S]: S[K] extends OptionalValidator<unknown> ? never : K }[keyof S];
type OptionalKeys<S extends Shape> = Exclude<keyof S, RequiredKeys<S>>;

export type ObjectOf<S extends Shape> = { [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> };

/**
 * A JSON object with the given members. Unknown members are refused (a typo such as "partiton"
 * must not be silently ignored), listing the members that are allowed.
 */
export function object<S extends Shape>(shape: S): Validator<ObjectOf<S>> {
  const names = Object.keys(shape);
  const known = new Set(names);
  return (value, field) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(field, 'an object', value);
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!known.has(key)) {
        throw new InvalidParamsError(
          `${field}.${key}`,
          names.length === 0 ? 'no members here' : `only the members ${names.join(', ')}`,
          'an unknown member',
        );
      }
    }
    const out: Record<string, unknown> = {};
    for (const name of names) {
      const validate = shape[name] as Validator<unknown>;
      const raw = record[name];
      const isOptional = optionalMark in validate;
      if (raw === undefined && !isOptional) fail(`${field}.${name}`, `a value (required)`, raw);
      const parsed = validate(raw, `${field}.${name}`);
      if (parsed !== undefined) out[name] = parsed;
    }
    return out as ObjectOf<S>;
  };
}

/** The params of a method: absent params count as an empty object; arrays (by-position) are refused. */
export function params<S extends Shape>(shape: S): Validator<ObjectOf<S>> {
  const inner = object(shape);
  return (value, field) => {
    if (value === null || value === undefined) return inner({}, field);
    if (Array.isArray(value)) throw new InvalidParamsError(field, 'an object of named members (positional params are not supported)', describeValue(value));
    return inner(value, field);
  };
}
