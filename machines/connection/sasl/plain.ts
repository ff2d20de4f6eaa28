/** SASL PLAIN (RFC 4616): one message carrying the user name and password; TLS should protect it. */
import { SaslConfigError } from '../errors.js';
import type { SaslExchange } from './mechanism.js';

export function plainExchange(username: string, password: string): SaslExchange {
  if (username.includes('\0') || password.includes('\0')) {
    throw new SaslConfigError('SASL PLAIN user names and passwords cannot contain NUL characters');
  }
  return {
    mechanism: 'PLAIN',
    user: username,
    // authzid is left empty: the broker then authorizes as the authenticated user.
    start: () => Promise.resolve(Buffer.from(`\0${username}\0${password}`, 'utf8')),
    next: () => null,
  };
}
