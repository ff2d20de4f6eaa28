/**
 * Record data in IPC messages: keys, values and header values travel as "utf8" strings,
 * "base64" strings or "json" values (stored in Kafka as their JSON text), chosen per request by
 * `encoding`. These validators turn params into bytes for the producer; encodeData turns
 * consumed bytes back into the app's chosen form. Headers come as [[name, value], ...]
 * (order and duplicates kept) or as {name: value}.
 */
import { InvalidParamsError } from './errors.js';
import { describeValue, oneOf, withDefault, type Validator } from './params.js';

export const DATA_ENCODINGS = ['utf8', 'base64', 'json'] as const;
export type DataEncoding = (typeof DATA_ENCODINGS)[number];

/** The `encoding` member of a request: utf8 when absent. */
export const encodingParam = withDefault(oneOf(DATA_ENCODINGS), 'utf8');

/** Canonical base64 (padding required), so that a typo is an error rather than silently different bytes. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A key, value or header value in the given encoding; null (a tombstone, a null key) stays null. */
export function dataValue(encoding: DataEncoding): Validator<Buffer | null> {
  return (value, field) => {
    if (value === null) return null;
    if (encoding === 'json') {
      if (value === undefined) throw new InvalidParamsError(field, 'a JSON value or null', 'nothing');
      return Buffer.from(JSON.stringify(value), 'utf8');
    }
    if (typeof value !== 'string') {
      throw new InvalidParamsError(field, encoding === 'utf8' ? 'a string or null (encoding "utf8")' : 'a base64 string or null (encoding "base64")', describeValue(value));
    }
    if (encoding === 'utf8') return Buffer.from(value, 'utf8');
    if (!BASE64.test(value)) throw new InvalidParamsError(field, 'a base64 string with padding (encoding "base64")', describeValue(value));
    return Buffer.from(value, 'base64');
  };
}

export type RecordHeader = readonly [name: string, value: Buffer | null];

/** Headers as [[name, value], ...] or {name: value}; values in the request's encoding. */
export function headersValue(encoding: DataEncoding): Validator<RecordHeader[]> {
  const valueOf = dataValue(encoding);
  return (value, field) => {
    if (Array.isArray(value)) {
      return value.map((pair, i) => {
        const at = `${field}[${i}]`;
        if (!Array.isArray(pair) || pair.length !== 2) throw new InvalidParamsError(at, 'a [name, value] pair', describeValue(pair));
        const [name, v] = pair as [unknown, unknown];
        if (typeof name !== 'string') throw new InvalidParamsError(`${at}[0]`, 'a header name string', describeValue(name));
        return [name, valueOf(v, `${at}[1]`)] as const;
      });
    }
    if (typeof value === 'object' && value !== null) {
      return Object.entries(value).map(([name, v]) => [name, valueOf(v, `${field}.${name}`)] as const);
    }
    throw new InvalidParamsError(field, 'headers as [[name, value], ...] or {name: value}', describeValue(value));
  };
}

/** Consumed bytes that cannot be shown in the requested encoding (not JSON under "json"). */
export class UndecodableDataError extends Error {
  override readonly name = 'UndecodableDataError';
  readonly code = 'UNDECODABLE_DATA';
  readonly retriable = false;
}

/**
 * Bytes from Kafka in the app's encoding. Under "utf8", invalid UTF-8 becomes U+FFFD (apps
 * with binary data ask for "base64"); under "json", bytes that are not JSON text throw
 * UndecodableDataError so the caller can say which record it was.
 */
export function encodeData(bytes: Buffer | null, encoding: DataEncoding): unknown {
  if (bytes === null) return null;
  if (encoding === 'base64') return bytes.toString('base64');
  const text = bytes.toString('utf8');
  if (encoding === 'utf8') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UndecodableDataError(`record data is not JSON text (${(err as Error).message}); consume with encoding "base64" or "utf8"`);
  }
}
