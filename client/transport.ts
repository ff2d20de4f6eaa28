/**
 * What the client needs from a transport: send a request and get its result (or a typed error),
 * hear notifications, and learn when the link drops and comes back. The Unix socket and NATS
 * transports implement it; the client on top does not know which one it has.
 */
import { errorFromResponse, ProtocolViolationError } from './errors.js';

export interface Notification {
  readonly method: string;
  readonly params: unknown;
}

export type LinkState = 'connected' | 'disconnected';

export interface TransportEvents {
  notification(notification: Notification): void;
  link(state: LinkState, reason?: string): void;
}

export interface ClientTransport {
  /** Resolves with the call's result; rejects with SidecarError/KafkaError for an error answer. */
  request(method: string, params: unknown, timeoutMs: number): Promise<unknown>;
  /** Sends a JSON-RPC notification: no id, no answer. */
  notify(method: string, params: unknown): Promise<void>;
  setListener(events: TransportEvents): void;
  close(): Promise<void>;
}

/** The result of a decoded JSON-RPC response, or its error thrown as the matching class. */
export function resultOf(response: unknown): unknown {
  if (typeof response !== 'object' || response === null || (response as { jsonrpc?: unknown }).jsonrpc !== '2.0') {
    throw new ProtocolViolationError(`the daemon sent something that is not a JSON-RPC 2.0 response: ${JSON.stringify(response)?.slice(0, 200)}`);
  }
  const r = response as { result?: unknown; error?: unknown };
  if (r.error !== undefined) throw errorFromResponse(r.error);
  return r.result;
}
