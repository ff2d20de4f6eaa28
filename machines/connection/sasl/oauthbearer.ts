/**
 * SASL OAUTHBEARER (RFC 7628 as Kafka uses it, KIP-255, KIP-342): the client sends a bearer
 * token from the application's provider, plus optional extensions. A broker that refuses the
 * token answers with a JSON error as a challenge; the client acknowledges it with a single
 * 0x01 byte and the broker then fails the exchange with an error code.
 */
import { SaslConfigError } from '../errors.js';
import type { OAuthBearerTokenProvider, SaslExchange } from './mechanism.js';

const SEPARATOR = '\x01';
/** Extension keys are alphabetic (RFC 7628); "auth" is reserved for the token itself. */
const EXTENSION_KEY = /^[A-Za-z]+$/;
const EXTENSION_VALUE = /^[\x21-\x7e \t\r\n]+$/;

export function oauthBearerMessage(token: string, extensions: Readonly<Record<string, string>> = {}): Buffer {
  if (token.length === 0 || /\s/.test(token)) throw new SaslConfigError('the OAUTHBEARER token provider returned an empty token or one with spaces');
  let parts = '';
  for (const [key, value] of Object.entries(extensions)) {
    if (!EXTENSION_KEY.test(key) || key === 'auth') throw new SaslConfigError(`invalid OAUTHBEARER extension name "${key}"`);
    if (!EXTENSION_VALUE.test(value)) throw new SaslConfigError(`invalid OAUTHBEARER extension value for "${key}"`);
    parts += `${key}=${value}${SEPARATOR}`;
  }
  return Buffer.from(`n,,${SEPARATOR}auth=Bearer ${token}${SEPARATOR}${parts}${SEPARATOR}`, 'utf8');
}

export function oauthBearerExchange(provider: OAuthBearerTokenProvider, principal: string | null = null): SaslExchange {
  return {
    mechanism: 'OAUTHBEARER',
    user: principal,
    start: async () => {
      const token = await provider();
      return oauthBearerMessage(token.value, token.extensions);
    },
    // A non-empty server message is the error status; acknowledging it makes the broker fail
    // the exchange with its error code, which the caller reports.
    next: (serverMessage) => (serverMessage.length > 0 ? Buffer.from(SEPARATOR) : null),
  };
}
