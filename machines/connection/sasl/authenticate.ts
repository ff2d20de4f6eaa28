/**
 * The authenticating step of a connection (and KIP-368 re-authentication): SaslHandshake names
 * the mechanism, then SaslAuthenticate requests carry the mechanism's messages. Requests are
 * sent with priority so that they pass a pipeline paused for re-authentication.
 */
import { SaslAuthenticateApi } from '../../../protocol/messages/sasl-authenticate.js';
import { SaslHandshakeApi } from '../../../protocol/messages/sasl-handshake.js';
import { errorByCode } from '../../../protocol/errors/kafka-error.js';
import { SaslAuthenticationError, SaslConfigError, SaslMechanismUnsupportedError } from '../errors.js';
import type { RequestPipeline } from '../pipeline.js';
import type { ApiVersionTable } from '../versions.js';
import type { SaslConfig, SaslExchange } from './mechanism.js';
import { oauthBearerExchange } from './oauthbearer.js';
import { plainExchange } from './plain.js';
import { scramExchange } from './scram.js';

const UNSUPPORTED_SASL_MECHANISM = 33;

/** A fresh exchange for one authentication (SCRAM needs a new nonce every time). */
export function createSaslExchange(config: SaslConfig): SaslExchange {
  switch (config.mechanism) {
    case 'PLAIN':
      return plainExchange(config.username, config.password);
    case 'SCRAM-SHA-256':
    case 'SCRAM-SHA-512':
      return scramExchange(config.mechanism, config.username, config.password);
    case 'OAUTHBEARER':
      return oauthBearerExchange(config.tokenProvider, config.principal ?? null);
    default:
      throw new SaslConfigError(`unknown SASL mechanism "${(config as { mechanism: string }).mechanism}"`);
  }
}

export interface SaslSession {
  /** Session lifetime the broker granted (KIP-368); 0 when it does not expire connections. */
  readonly sessionLifetimeMs: number;
}

export async function authenticateSasl(
  pipeline: RequestPipeline,
  versions: ApiVersionTable,
  exchange: SaslExchange,
  timeoutMs: number,
): Promise<SaslSession> {
  const broker = pipeline.options.broker;
  const fail = (reason: string): SaslAuthenticationError => new SaslAuthenticationError(exchange.mechanism, exchange.user, reason, broker);
  // v0 of the handshake means raw SASL frames instead of SaslAuthenticate; every broker we
  // support (2.8+) speaks v1.
  const handshake = await pipeline.send(
    SaslHandshakeApi,
    versions.pick(SaslHandshakeApi, { min: 1 }),
    { mechanism: exchange.mechanism },
    { timeoutMs, priority: true },
  );
  if (handshake.errorCode === UNSUPPORTED_SASL_MECHANISM) {
    throw new SaslMechanismUnsupportedError(exchange.mechanism, handshake.mechanisms, broker);
  }
  if (handshake.errorCode !== 0) throw fail(`SaslHandshake failed with ${errorByCode.get(handshake.errorCode)?.name ?? handshake.errorCode}`);

  const version = versions.pick(SaslAuthenticateApi);
  let message: Buffer | null = await exchange.start();
  let sessionLifetimeMs = 0;
  while (message !== null) {
    const response = await pipeline.send(SaslAuthenticateApi, version, { authBytes: message }, { timeoutMs, priority: true });
    if (response.errorCode !== 0) {
      const name = errorByCode.get(response.errorCode)?.name ?? String(response.errorCode);
      throw fail(response.errorMessage ? `${name}: ${response.errorMessage}` : name);
    }
    sessionLifetimeMs = Number(response.sessionLifetimeMs ?? 0n);
    message = exchange.next(response.authBytes);
  }
  return { sessionLifetimeMs };
}
