/** Settings of one broker connection, and the steps every connection goes through to open. */
import type { Socket } from 'node:net';
import type { BackoffPolicy } from '../backoff.js';
import { ConnectionClosedError, ConnectTimeoutError } from './errors.js';
import { negotiateVersions } from './negotiate.js';
import { RequestPipeline } from './pipeline.js';
import { authenticateSasl, createSaslExchange, type SaslSession } from './sasl/authenticate.js';
import type { SaslConfig } from './sasl/mechanism.js';
import { openTransport, type TlsOptions } from './transport.js';
import type { ApiVersionTable } from './versions.js';

export interface ConnectionOptions {
  readonly host: string;
  readonly port: number;
  readonly clientId: string;
  readonly tls?: TlsOptions | null;
  readonly sasl?: SaslConfig | null;
  /** Budget for TCP connect, TLS handshake, ApiVersions and SASL together. */
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxInFlight: number;
  readonly maxFrameBytes?: number;
  readonly backoff: BackoffPolicy;
  /** Time in ready after which the reconnect backoff starts from its first step again. */
  readonly stableAfterMs?: number;
  readonly softwareName?: string;
  readonly softwareVersion?: string;
  /** Source of randomness for backoff jitter and re-authentication timing (tests fix it). */
  readonly random?: () => number;
}

export const DEFAULT_MAX_FRAME_BYTES = 100 * 1024 * 1024;
export const DEFAULT_STABLE_AFTER_MS = 30_000;

export function brokerAddress(options: Pick<ConnectionOptions, 'host' | 'port'>): string {
  return options.host.includes(':') ? `[${options.host}]:${options.port}` : `${options.host}:${options.port}`;
}

/** Connects (TCP or TLS) and wraps the socket in a request pipeline. */
export async function openLink(options: ConnectionOptions, signal?: AbortSignal): Promise<RequestPipeline> {
  const socket: Socket = await openTransport(options, signal);
  if (signal?.aborted) {
    // The caller gave up while the handshake completed: nobody will own this socket.
    socket.destroy();
    throw new ConnectionClosedError('connect aborted', brokerAddress(options));
  }
  return new RequestPipeline(socket, {
    broker: brokerAddress(options),
    clientId: options.clientId,
    maxInFlight: options.maxInFlight,
    maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    requestTimeoutMs: options.requestTimeoutMs,
  });
}

export function negotiateLink(pipeline: RequestPipeline, options: ConnectionOptions): Promise<ApiVersionTable> {
  return negotiateVersions(pipeline, {
    timeoutMs: Math.min(options.requestTimeoutMs, options.connectTimeoutMs),
    softwareName: options.softwareName ?? 'kafka-sidecar',
    softwareVersion: options.softwareVersion ?? '0.1.0',
  });
}

export function authenticateLink(pipeline: RequestPipeline, versions: ApiVersionTable, options: ConnectionOptions): Promise<SaslSession> {
  if (!options.sasl) return Promise.resolve({ sessionLifetimeMs: 0 });
  return authenticateSasl(pipeline, versions, createSaslExchange(options.sasl), Math.min(options.requestTimeoutMs, options.connectTimeoutMs));
}

export interface OpenSession {
  readonly pipeline: RequestPipeline;
  readonly versions: ApiVersionTable;
  readonly sessionLifetimeMs: number;
}

/**
 * All steps at once, without reconnecting: for bootstrapping and one-shot tools. The connect
 * timeout bounds the whole sequence; on failure the socket is closed.
 */
export async function openSession(options: ConnectionOptions, signal?: AbortSignal): Promise<OpenSession> {
  const started = Date.now();
  const pipeline = await openLink(options, signal);
  let phase = 'negotiating API versions';
  const timer = setTimeout(
    () => pipeline.close(new ConnectTimeoutError(options.connectTimeoutMs, phase, brokerAddress(options))),
    Math.max(0, options.connectTimeoutMs - (Date.now() - started)),
  );
  try {
    const versions = await negotiateLink(pipeline, options);
    phase = 'authenticating';
    const { sessionLifetimeMs } = await authenticateLink(pipeline, versions, options);
    return { pipeline, versions, sessionLifetimeMs };
  } catch (err) {
    pipeline.close();
    // Report the timeout itself rather than the request it cut short.
    throw pipeline.error instanceof ConnectTimeoutError ? pipeline.error : err;
  } finally {
    clearTimeout(timer);
  }
}
