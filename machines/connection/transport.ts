/**
 * Opens the byte stream to one broker: plain TCP, or TLS with a CA, an optional client
 * certificate and key, SNI, and host name verification (on unless explicitly turned off).
 * Node's low-level errors become ConnectionError classes that say what went wrong, so a wrong
 * CA and a wrong host name read differently.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import {
  ConnectionClosedError,
  ConnectionRefusedError,
  ConnectTimeoutError,
  HostNotFoundError,
  NetworkError,
  TlsCertInvalidError,
  TlsCertProblem,
  TlsConfigError,
  TlsHandshakeError,
  type ConnectionError,
} from './errors.js';

export interface TlsOptions {
  /** PEM CA certificate(s); Node's default trust store when absent. */
  readonly caFile?: string | null;
  readonly ca?: string | Buffer;
  /** PEM client certificate and key for mutual TLS. */
  readonly certFile?: string | null;
  readonly keyFile?: string | null;
  /** Name sent as SNI and verified against the certificate; the broker host by default. */
  readonly servername?: string | null;
  /** Verification of the certificate and host name; true unless set to false. */
  readonly rejectUnauthorized?: boolean;
}

export interface TransportOptions {
  readonly host: string;
  readonly port: number;
  readonly tls?: TlsOptions | null;
  readonly connectTimeoutMs: number;
}

const untrustedCodes = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

/** Turns a Node socket/TLS error into a ConnectionError for `broker` (host:port). */
export function classifySocketError(error: unknown, broker: string): ConnectionError {
  const err = error as NodeJS.ErrnoException;
  const code = typeof err?.code === 'string' ? err.code : 'UNKNOWN';
  const message = err instanceof Error ? err.message : String(error);
  if (code === 'ECONNREFUSED') return new ConnectionRefusedError(`connection refused (${message})`, broker);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    return new HostNotFoundError(`host name does not resolve (${code})`, broker);
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new TlsCertInvalidError(TlsCertProblem.hostnameMismatch, code, message, broker, error);
  }
  if (untrustedCodes.has(code)) return new TlsCertInvalidError(TlsCertProblem.untrustedCa, code, message, broker, error);
  if (code === 'CERT_HAS_EXPIRED') return new TlsCertInvalidError(TlsCertProblem.expired, code, message, broker, error);
  if (code === 'CERT_NOT_YET_VALID') return new TlsCertInvalidError(TlsCertProblem.notYetValid, code, message, broker, error);
  if (code.startsWith('CERT_') || code.startsWith('ERR_TLS_CERT')) {
    return new TlsCertInvalidError(TlsCertProblem.other, code, message, broker, error);
  }
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS')) return new TlsHandshakeError(`${code}: ${message}`, broker, { cause: error });
  if (code === 'ECONNRESET' || code === 'EPIPE') return new ConnectionClosedError(`connection reset (${code})`, broker, { cause: error });
  return new NetworkError(code, message, broker, error);
}

function readPem(path: string, what: string, broker: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new TlsConfigError(`cannot read the TLS ${what} ${path}: ${(err as Error).message}`, broker);
  }
}

function tlsConnectOptions(options: TransportOptions, tlsOptions: TlsOptions, broker: string): tls.ConnectionOptions {
  const { certFile, keyFile } = tlsOptions;
  if ((certFile == null) !== (keyFile == null)) {
    throw new TlsConfigError('a client certificate needs both certFile and keyFile', broker);
  }
  const servername = tlsOptions.servername ?? options.host;
  return {
    host: options.host,
    port: options.port,
    // SNI may not be an IP address; verification still checks the IP SANs then.
    servername: net.isIP(servername) ? undefined : servername,
    ca: tlsOptions.ca ?? (tlsOptions.caFile ? readPem(tlsOptions.caFile, 'CA file', broker) : undefined),
    cert: certFile ? readPem(certFile, 'certificate file', broker) : undefined,
    key: keyFile ? readPem(keyFile, 'key file', broker) : undefined,
    rejectUnauthorized: tlsOptions.rejectUnauthorized !== false,
    // Verify against the configured servername when there is one, else the host we dialled.
    checkServerIdentity: (_host, cert) => tls.checkServerIdentity(servername, cert),
  };
}

/**
 * Connects, completing the TLS handshake when TLS is configured. Rejects with a ConnectionError;
 * `signal` aborts the attempt (the socket is destroyed).
 */
export function openTransport(options: TransportOptions, signal?: AbortSignal): Promise<net.Socket> {
  const broker = `${options.host}:${options.port}`;
  return new Promise((resolve, reject) => {
    let socket: net.Socket;
    try {
      socket = options.tls
        ? tls.connect(tlsConnectOptions(options, options.tls, broker))
        : net.connect({ host: options.host, port: options.port });
    } catch (err) {
      reject(classifyConfig(err, broker));
      return;
    }
    const readyEvent = options.tls ? 'secureConnect' : 'connect';
    let settled = false;
    const finish = (error: ConnectionError | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.off('error', onError);
      socket.off('close', onClose);
      socket.off(readyEvent, onReady);
      if (error) {
        socket.destroy();
        reject(error);
      } else {
        resolve(socket);
      }
    };
    const onReady = (): void => {
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 60_000);
      finish(null);
    };
    const onError = (err: Error): void => finish(classifySocketError(err, broker));
    const onClose = (): void => finish(new ConnectionClosedError('connection closed while connecting', broker));
    const onAbort = (): void => finish(new ConnectionClosedError('connect aborted', broker));
    const timer = setTimeout(
      () => finish(new ConnectTimeoutError(options.connectTimeoutMs, options.tls ? 'in the TCP or TLS handshake' : 'in the TCP handshake', broker)),
      options.connectTimeoutMs,
    );
    socket.once(readyEvent, onReady);
    socket.on('error', onError);
    socket.once('close', onClose);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function classifyConfig(err: unknown, broker: string): ConnectionError {
  if (err instanceof TlsConfigError) return err;
  return new TlsConfigError(`unusable TLS settings: ${(err as Error).message}`, broker);
}
