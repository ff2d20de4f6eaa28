/**
 * SASL SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677), client side, without channel
 * binding (Kafka does not support it). The server proves it knows the password too: its final
 * message carries a signature that is checked before the exchange counts as done.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { SaslAuthenticationError } from '../errors.js';
import type { SaslExchange } from './mechanism.js';

export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

const digests = {
  'SCRAM-SHA-256': { hash: 'sha256', bytes: 32 },
  'SCRAM-SHA-512': { hash: 'sha512', bytes: 64 },
} as const;

/** Kafka refuses credentials with fewer iterations; a server offering fewer is not Kafka. */
export const MIN_SCRAM_ITERATIONS = 4096;

/** GS2 header for "no channel binding, no authorization identity". */
const GS2_HEADER = 'n,,';

/** Escapes a user name for the n= attribute (RFC 5802 section 5.1). */
export function escapeSaslName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

function parseAttributes(message: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const part of message.split(',')) {
    const eq = part.indexOf('=');
    if (eq === 1) attributes.set(part[0], part.slice(2));
  }
  return attributes;
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}

export interface ScramOptions {
  /** Client nonce; random by default (tests pass the RFC's). */
  readonly nonce?: string;
}

export function scramExchange(mechanism: ScramMechanism, username: string, password: string, options: ScramOptions = {}): SaslExchange {
  const { hash, bytes } = digests[mechanism];
  const hmac = (key: Buffer, data: string): Buffer => createHmac(hash, key).update(data, 'utf8').digest();
  const fail = (reason: string): SaslAuthenticationError => new SaslAuthenticationError(mechanism, username, reason);
  const clientNonce = options.nonce ?? randomBytes(24).toString('base64').replace(/[,=]/g, '');
  const clientFirstBare = `n=${escapeSaslName(username)},r=${clientNonce}`;
  let step: 'first' | 'final' | 'done' = 'first';
  let expectedServerSignature: Buffer | null = null;

  const clientFinal = (serverFirst: string): Buffer => {
    const attributes = parseAttributes(serverFirst);
    if (attributes.has('e')) throw fail(`server refused: ${attributes.get('e')}`);
    const nonce = attributes.get('r');
    const salt = attributes.get('s');
    const iterations = Number(attributes.get('i'));
    if (!nonce || !nonce.startsWith(clientNonce) || nonce.length === clientNonce.length) {
      throw fail('server nonce does not extend the client nonce');
    }
    if (!salt) throw fail('server sent no salt');
    if (!Number.isInteger(iterations) || iterations < MIN_SCRAM_ITERATIONS) {
      throw fail(`server asked for ${attributes.get('i')} iterations (at least ${MIN_SCRAM_ITERATIONS} expected)`);
    }
    const saltedPassword = pbkdf2Sync(password.normalize('NFKC'), Buffer.from(salt, 'base64'), iterations, bytes, hash);
    const clientKey = hmac(saltedPassword, 'Client Key');
    const storedKey = createHash(hash).update(clientKey).digest();
    const withoutProof = `c=${Buffer.from(GS2_HEADER).toString('base64')},r=${nonce}`;
    const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
    const proof = xor(clientKey, hmac(storedKey, authMessage));
    expectedServerSignature = hmac(hmac(saltedPassword, 'Server Key'), authMessage);
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8');
  };

  const verifyServerFinal = (serverFinal: string): void => {
    const attributes = parseAttributes(serverFinal);
    if (attributes.has('e')) throw fail(`server refused: ${attributes.get('e')}`);
    const signature = Buffer.from(attributes.get('v') ?? '', 'base64');
    const expected = expectedServerSignature as Buffer;
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
      throw fail('the server signature does not verify (the broker does not know this password)');
    }
  };

  return {
    mechanism,
    user: username,
    start: () => Promise.resolve(Buffer.from(GS2_HEADER + clientFirstBare, 'utf8')),
    next(serverMessage) {
      const text = serverMessage.toString('utf8');
      if (step === 'first') {
        step = 'final';
        return clientFinal(text);
      }
      if (step === 'final') {
        step = 'done';
        verifyServerFinal(text);
        return null;
      }
      throw fail('the server sent a message after the exchange was complete');
    },
  };
}
