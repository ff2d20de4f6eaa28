/**
 * Errors of broker connections. Each has a stable `code` and says whether retrying can help:
 * network trouble is retriable (the connection reconnects with backoff), a certificate or a
 * password that the broker refuses is not (the same attempt fails the same way until someone
 * changes the configuration).
 */

export const ConnectionErrorCode = {
  refused: 'CONNECTION_REFUSED',
  connectTimeout: 'CONNECT_TIMEOUT',
  hostNotFound: 'HOST_NOT_FOUND',
  tlsCertInvalid: 'TLS_CERT_INVALID',
  tlsHandshakeFailed: 'TLS_HANDSHAKE_FAILED',
  tlsConfig: 'TLS_CONFIG_INVALID',
  saslAuthenticationFailed: 'SASL_AUTHENTICATION_FAILED',
  saslMechanismUnsupported: 'UNSUPPORTED_SASL_MECHANISM',
  saslConfig: 'SASL_CONFIG_INVALID',
  requestTimeout: 'REQUEST_TIMEOUT',
  closed: 'CONNECTION_CLOSED',
  unsupportedVersion: 'UNSUPPORTED_VERSION',
  protocolViolation: 'PROTOCOL_VIOLATION',
  network: 'NETWORK_ERROR',
} as const;
export type ConnectionErrorCode = (typeof ConnectionErrorCode)[keyof typeof ConnectionErrorCode];

export abstract class ConnectionError extends Error {
  abstract readonly code: ConnectionErrorCode;
  abstract readonly retriable: boolean;
  /** Broker address as host:port, when the error belongs to one connection. */
  readonly broker: string | undefined;
  constructor(message: string, broker?: string, options?: { cause?: unknown }) {
    super(broker ? `${broker}: ${message}` : message, options);
    this.broker = broker;
  }
}

export class ConnectionRefusedError extends ConnectionError {
  readonly code = ConnectionErrorCode.refused;
  readonly retriable = true;
  override readonly name = 'ConnectionRefusedError';
}

export class ConnectTimeoutError extends ConnectionError {
  readonly code = ConnectionErrorCode.connectTimeout;
  readonly retriable = true;
  override readonly name = 'ConnectTimeoutError';
  constructor(
    readonly timeoutMs: number,
    readonly phase: string,
    broker?: string,
  ) {
    super(`no connection within ${timeoutMs} ms (still ${phase})`, broker);
  }
}

export class HostNotFoundError extends ConnectionError {
  readonly code = ConnectionErrorCode.hostNotFound;
  readonly retriable = true;
  override readonly name = 'HostNotFoundError';
}

/** Why a broker certificate was refused. */
export const TlsCertProblem = {
  /** The chain does not lead to a trusted CA (wrong or missing caFile). */
  untrustedCa: 'untrusted-ca',
  /** The certificate is valid but not for the host name (or servername) we connected to. */
  hostnameMismatch: 'hostname-mismatch',
  expired: 'expired',
  notYetValid: 'not-yet-valid',
  other: 'other',
} as const;
export type TlsCertProblem = (typeof TlsCertProblem)[keyof typeof TlsCertProblem];

export class TlsCertInvalidError extends ConnectionError {
  readonly code = ConnectionErrorCode.tlsCertInvalid;
  readonly retriable = false;
  override readonly name = 'TlsCertInvalidError';
  constructor(
    readonly problem: TlsCertProblem,
    /** Node's code for the verification failure, e.g. ERR_TLS_CERT_ALTNAME_INVALID. */
    readonly nodeCode: string,
    detail: string,
    broker?: string,
    cause?: unknown,
  ) {
    super(`broker certificate refused (${problem}, ${nodeCode}): ${detail}`, broker, { cause });
  }
}

export class TlsHandshakeError extends ConnectionError {
  readonly code = ConnectionErrorCode.tlsHandshakeFailed;
  readonly retriable = true;
  override readonly name = 'TlsHandshakeError';
}

/** TLS files that cannot be read or used (a missing CA file, a key that does not match). */
export class TlsConfigError extends ConnectionError {
  readonly code = ConnectionErrorCode.tlsConfig;
  readonly retriable = false;
  override readonly name = 'TlsConfigError';
}

export class SaslAuthenticationError extends ConnectionError {
  readonly code = ConnectionErrorCode.saslAuthenticationFailed;
  readonly retriable = false;
  override readonly name = 'SaslAuthenticationError';
  constructor(
    readonly mechanism: string,
    readonly user: string | null,
    readonly reason: string,
    broker?: string,
  ) {
    super(`SASL ${mechanism} authentication${user === null ? '' : ` of user "${user}"`} failed: ${reason}`, broker);
  }
}

export class SaslMechanismUnsupportedError extends ConnectionError {
  readonly code = ConnectionErrorCode.saslMechanismUnsupported;
  readonly retriable = false;
  override readonly name = 'SaslMechanismUnsupportedError';
  constructor(
    readonly mechanism: string,
    readonly enabled: readonly string[],
    broker?: string,
  ) {
    super(`the broker does not enable SASL ${mechanism} (it enables: ${enabled.join(', ') || 'none'})`, broker);
  }
}

/** SASL settings that cannot work: a mechanism we do not know, a missing user or password. */
export class SaslConfigError extends ConnectionError {
  readonly code = ConnectionErrorCode.saslConfig;
  readonly retriable = false;
  override readonly name = 'SaslConfigError';
}

export class RequestTimeoutError extends ConnectionError {
  readonly code = ConnectionErrorCode.requestTimeout;
  readonly retriable = true;
  override readonly name = 'RequestTimeoutError';
  constructor(
    readonly api: string,
    readonly timeoutMs: number,
    detail: string,
    broker?: string,
  ) {
    super(`${api} request got no response within ${timeoutMs} ms${detail ? ` (${detail})` : ''}`, broker);
  }
}

/** The connection closed (or never opened) before the answer came; a retry may reach it again. */
export class ConnectionClosedError extends ConnectionError {
  readonly code = ConnectionErrorCode.closed;
  readonly retriable = true;
  override readonly name = 'ConnectionClosedError';
}

/** A broker and this client share no version of an API. */
export class UnsupportedApiVersionError extends ConnectionError {
  readonly code = ConnectionErrorCode.unsupportedVersion;
  readonly retriable = false;
  override readonly name = 'UnsupportedApiVersionError';
  constructor(
    readonly api: string,
    readonly client: { readonly min: number; readonly max: number },
    readonly brokerRange: { readonly min: number; readonly max: number } | null,
    broker?: string,
  ) {
    super(
      brokerRange === null
        ? `the broker does not support ${api} (this client implements versions ${client.min}-${client.max})`
        : `no common version of ${api}: this client implements ${client.min}-${client.max}, the broker ${brokerRange.min}-${brokerRange.max}`,
      broker,
    );
  }
}

/** The broker sent something a correct broker never sends; the connection cannot be trusted. */
export class ProtocolViolationError extends ConnectionError {
  readonly code = ConnectionErrorCode.protocolViolation;
  readonly retriable = true;
  override readonly name = 'ProtocolViolationError';
}

/** A socket error without a more specific class (ECONNRESET, EPIPE, EHOSTUNREACH...). */
export class NetworkError extends ConnectionError {
  readonly code = ConnectionErrorCode.network;
  readonly retriable = true;
  override readonly name = 'NetworkError';
  constructor(
    readonly nodeCode: string,
    message: string,
    broker?: string,
    cause?: unknown,
  ) {
    super(`${nodeCode}: ${message}`, broker, { cause });
  }
}

export function isConnectionError(error: unknown): error is ConnectionError {
  return error instanceof ConnectionError;
}
