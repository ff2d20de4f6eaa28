// Turns the configuration into what the cluster actor and its connections take.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { SidecarConfig } from '../config/schema.js';
import type { ClusterOptions } from '../machines/cluster/cluster-machine.js';
import type { SaslConfig } from '../machines/connection/sasl/mechanism.js';
import type { TlsOptions } from '../machines/connection/transport.js';

const run = promisify(execFile);

/**
 * kafka.sasl.tokenCommand failed or printed nothing. Deliberately not a ConnectionError: the
 * brokers are fine, our own credentials source is broken (a helper that cannot reach its
 * identity provider, an expired service-account mount). A connection that meets it fails
 * instead of backing off, so its supervisors restart it with backoff and, past
 * supervisor.maxRestarts within supervisor.windowMs, escalate until the daemon exits non-zero:
 * the container runtime then restarts the sidecar (often what fixes such a source) and makes the
 * outage visible, rather than a daemon that looks alive and never becomes ready. A refused
 * token, by contrast, is the broker's answer (SaslAuthenticationError) and backs off forever,
 * as a wrong password does. `retriable` says that a later attempt may succeed.
 */
export class TokenCommandError extends Error {
  readonly code = 'SASL_TOKEN_COMMAND_FAILED';
  readonly retriable = true;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TokenCommandError';
  }
}

/** OAUTHBEARER tokens come from kafka.sasl.tokenCommand, run before every (re-)authentication. */
function tokenFromCommand(command: string): () => Promise<{ value: string }> {
  return async () => {
    try {
      const { stdout } = await run('/bin/sh', ['-c', command], { timeout: 30_000, maxBuffer: 1 << 20 });
      const value = stdout.trim();
      if (value.length === 0) throw new TokenCommandError('kafka.sasl.tokenCommand printed no token');
      return { value };
    } catch (err) {
      if (err instanceof TokenCommandError) throw err;
      throw new TokenCommandError(`kafka.sasl.tokenCommand failed: ${(err as Error).message}`, { cause: err });
    }
  };
}

function saslFrom(sasl: SidecarConfig['kafka']['sasl']): SaslConfig | null {
  switch (sasl.mechanism) {
    case 'PLAIN':
    case 'SCRAM-SHA-256':
    case 'SCRAM-SHA-512':
      // The configuration's conflict rules guarantee both are set for these mechanisms.
      return { mechanism: sasl.mechanism, username: sasl.username ?? '', password: sasl.password ?? '' };
    case 'OAUTHBEARER':
      return { mechanism: 'OAUTHBEARER', tokenProvider: tokenFromCommand(sasl.tokenCommand ?? '') };
    default:
      return null;
  }
}

function tlsFrom(tls: SidecarConfig['kafka']['tls']): TlsOptions | null {
  if (!tls.enabled) return null;
  return {
    caFile: tls.caFile,
    certFile: tls.certFile,
    keyFile: tls.keyFile,
    servername: tls.servername,
    rejectUnauthorized: tls.rejectUnauthorized,
  };
}

export function clusterOptionsFrom(config: SidecarConfig, bootstrap: readonly string[], version: string): ClusterOptions {
  const { connection, supervisor } = config;
  return {
    bootstrap,
    connection: {
      clientId: config.kafka.clientId,
      tls: tlsFrom(config.kafka.tls),
      sasl: saslFrom(config.kafka.sasl),
      connectTimeoutMs: connection.connectTimeoutMs,
      requestTimeoutMs: connection.requestTimeoutMs,
      maxInFlight: connection.maxInFlight,
      backoff: { minMs: connection.backoff.minMs, maxMs: connection.backoff.maxMs },
      softwareName: 'kafka-sidecar',
      softwareVersion: version,
    },
    metadataRefreshMs: connection.metadataRefreshMs,
    brokerRestarts: { maxRestarts: supervisor.maxRestarts, windowMs: supervisor.windowMs, backoff: supervisor.backoff },
  };
}
