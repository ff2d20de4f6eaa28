/**
 * JSON-RPC 2.0 messages: their types, and parsing one frame (a socket line or a NATS message
 * body) into checked requests. Parsing never throws: each problem becomes the error response
 * the spec asks for, so a transport only frames bytes and writes back what comes out.
 */
import { InvalidRequestError, ParseError, type RpcErrorObject } from './errors.js';

export type RpcId = string | number | null;

/** A request that passed the envelope checks; `id` undefined means a notification (no answer). */
export interface RpcRequest {
  readonly method: string;
  readonly params: unknown;
  readonly id: RpcId | undefined;
}

export interface RpcSuccess {
  readonly jsonrpc: '2.0';
  readonly id: RpcId;
  readonly result: unknown;
}

export interface RpcFailure {
  readonly jsonrpc: '2.0';
  readonly id: RpcId;
  readonly error: RpcErrorObject;
}

export type RpcResponse = RpcSuccess | RpcFailure;

export interface RpcNotification {
  readonly jsonrpc: '2.0';
  readonly method: string;
  readonly params: unknown;
}

/** One element of a frame: a request to dispatch, or an envelope error to answer as is. */
export type FrameItem = { readonly kind: 'request'; readonly request: RpcRequest } | { readonly kind: 'invalid'; readonly response: RpcFailure };

/** A parsed frame: a single message, or a batch whose answers go back as one array. */
export interface ParsedFrame {
  readonly batch: boolean;
  readonly items: readonly FrameItem[];
}

export function success(id: RpcId, result: unknown): RpcSuccess {
  return { jsonrpc: '2.0', id, result };
}

export function failure(id: RpcId, error: RpcErrorObject): RpcFailure {
  return { jsonrpc: '2.0', id, error };
}

export function notification(method: string, params: unknown): RpcNotification {
  return { jsonrpc: '2.0', method, params };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function validId(value: unknown): value is RpcId {
  return value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

function invalid(id: RpcId, message: string): FrameItem {
  return { kind: 'invalid', response: failure(id, new InvalidRequestError(message).toRpcError()) };
}

/** Checks one decoded JSON value against the JSON-RPC 2.0 request envelope. */
export function checkRequest(value: unknown): FrameItem {
  if (!isPlainObject(value)) return invalid(null, `a request must be a JSON object, got ${describe(value)}`);
  const hasId = Object.hasOwn(value, 'id');
  if (hasId && !validId(value.id)) {
    return invalid(null, `"id" must be a string, a number or null, got ${describe(value.id)}`);
  }
  const id: RpcId = hasId ? (value.id as RpcId) : null;
  if (value.jsonrpc !== '2.0') {
    return invalid(id, `"jsonrpc" must be the string "2.0", got ${value.jsonrpc === undefined ? 'nothing' : describe(value.jsonrpc)}`);
  }
  if (typeof value.method !== 'string' || value.method === '') {
    return invalid(id, `"method" must be a non-empty string, got ${value.method === undefined ? 'nothing' : describe(value.method)}`);
  }
  if (Object.hasOwn(value, 'params') && typeof value.params !== 'object') {
    return invalid(id, `"params" must be an object or an array when present, got ${describe(value.params)}`);
  }
  return { kind: 'request', request: { method: value.method, params: value.params ?? null, id: hasId ? id : undefined } };
}

/** Parses a frame's text. A top-level array is a batch; an empty batch is one invalid-request error. */
export function parseFrameText(text: string): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { batch: false, items: [{ kind: 'invalid', response: failure(null, new ParseError(`invalid JSON: ${reason}`).toRpcError()) }] };
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return { batch: false, items: [invalid(null, 'empty batch: a batch array needs at least one request')] };
    return { batch: true, items: value.map(checkRequest) };
  }
  return { batch: false, items: [checkRequest(value)] };
}

/** Parses a frame's bytes, which must be UTF-8. */
export function parseFrame(bytes: Uint8Array): ParsedFrame {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { batch: false, items: [{ kind: 'invalid', response: failure(null, new ParseError('the line is not valid UTF-8').toRpcError()) }] };
  }
  return parseFrameText(text);
}

/** bigint values (offsets) go out as decimal strings, so int64 stays exact in any language. */
function bigintAsString(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** One message as the text of one line (JSON never holds a raw newline, so no escaping is needed). */
export function encodeMessage(message: RpcResponse | RpcResponse[] | RpcNotification): string {
  return JSON.stringify(message, bigintAsString);
}
