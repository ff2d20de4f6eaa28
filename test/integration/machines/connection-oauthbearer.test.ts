/**
 * SASL OAUTHBEARER against the real brokers of this run (scripts/kafka-local --security, whose
 * SASL listeners validate unsecured JWTs with Kafka's built-in validator): a connection actor
 * authenticates with tokens from its provider hook, re-authenticates with a fresh token before
 * the session the broker granted ends (KIP-368), and a token the broker refuses fails with an
 * authentication error naming the mechanism, followed by backoff rather than a reconnect storm.
 */
import test from 'ava';
import { createActor } from 'xstate';
import { request, whenReady } from '../../../machines/connection/connection-client.js';
import { connectionMachine, type ConnectionActor } from '../../../machines/connection/connection-machine.js';
import { SaslAuthenticationError } from '../../../machines/connection/errors.js';
import type { ConnectionOptions } from '../../../machines/connection/options.js';
import type { OAuthBearerTokenProvider } from '../../../machines/connection/sasl/mechanism.js';
import { MetadataApi } from '../../../protocol/messages/metadata.js';
import { kafkaOAuthEnv } from '../../helpers/kafka.js';
import { freshJwt, unsecuredJwt } from '../../helpers/unsecured-jwt.js';

function split(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i), port: Number(address.slice(i + 1)) };
}

const base = {
  clientId: 'it-oauthbearer',
  connectTimeoutMs: 5000,
  requestTimeoutMs: 10_000,
  maxInFlight: 8,
  backoff: { minMs: 200, maxMs: 5000 },
};

const started: ConnectionActor[] = [];
function connect(address: string, extra: Partial<ConnectionOptions>): ConnectionActor {
  const actor = createActor(connectionMachine, { input: { ...base, ...split(address), ...extra } });
  actor.start();
  started.push(actor);
  return actor;
}

test.after.always(() => {
  for (const a of started) a.stop();
});

/** A provider that mints a fresh token per call and counts the calls. */
function countingProvider(sub: string, lifetimeMs: number): { provider: OAuthBearerTokenProvider; calls: () => number } {
  let calls = 0;
  return {
    provider: () => {
      calls++;
      return Promise.resolve({ value: freshJwt(sub, lifetimeMs) });
    },
    calls: () => calls,
  };
}

test('OAUTHBEARER with an unsecured JWT authenticates, over plaintext and TLS', async (t) => {
  const env = await kafkaOAuthEnv();
  const { provider, calls } = countingProvider('it-oauth-user', 3_600_000);
  const plain = connect(env.saslPlaintextBrokers[0]!, { sasl: { mechanism: 'OAUTHBEARER', tokenProvider: provider } });
  t.true((await request(plain, MetadataApi, { topics: null })).brokers.length >= 1);
  const overTls = connect(env.saslSslBrokers[0]!, { sasl: { mechanism: 'OAUTHBEARER', tokenProvider: provider }, tls: { caFile: env.caFile } });
  t.true((await request(overTls, MetadataApi, { topics: null })).brokers.length >= 1);
  t.is(calls(), 2, 'one token per authentication');
  // The broker bounds the session by the token's expiry (KIP-368), so a long token gives a long session.
  const lifetime = plain.getSnapshot().context.sessionLifetimeMs;
  t.true(lifetime > 3_000_000 && lifetime <= 3_600_000, `session lifetime ${lifetime} ms`);
});

test('a short-lived token is renewed: the connection re-authenticates with a new token before the session ends', async (t) => {
  const env = await kafkaOAuthEnv();
  const { provider, calls } = countingProvider('it-oauth-renewing', 6000);
  const actor = connect(env.saslPlaintextBrokers[0]!, { sasl: { mechanism: 'OAUTHBEARER', tokenProvider: provider } });
  await whenReady(actor, 10_000);
  const lifetime = actor.getSnapshot().context.sessionLifetimeMs;
  t.true(lifetime > 0 && lifetime <= 6000, `session lifetime ${lifetime} ms`);
  let dialings = 0;
  actor.subscribe((s) => {
    if (s.matches({ connecting: 'dialing' })) dialings++;
  });
  // Two renewals (each at 85-95% of a session of at most 6 s) take about 11 s; a broker whose
  // session ran out without one would have closed the socket, and the actor would dial again.
  const began = Date.now();
  while (calls() < 3 && Date.now() - began < 25_000) await new Promise((r) => setTimeout(r, 250));
  t.true(calls() >= 3, `${calls()} tokens fetched in ${Date.now() - began} ms`);
  t.is(dialings, 0, 'the same socket stayed open');
  t.true((await request(actor, MetadataApi, { topics: null })).brokers.length >= 1);
  t.true(actor.getSnapshot().matches('ready'));
});

test('an expired token is refused with an authentication error naming OAUTHBEARER, and the actor backs off', async (t) => {
  const env = await kafkaOAuthEnv();
  const now = Math.floor(Date.now() / 1000);
  const expired = unsecuredJwt({ sub: 'it-oauth-expired', iat: now - 3600, exp: now - 1800 });
  let calls = 0;
  const actor = connect(env.saslPlaintextBrokers[0]!, {
    sasl: { mechanism: 'OAUTHBEARER', tokenProvider: () => (calls++, Promise.resolve({ value: expired })) },
    backoff: { minMs: 500, maxMs: 5000 },
  });
  let attempts = 0;
  actor.subscribe((s) => {
    if (s.matches({ connecting: 'dialing' })) attempts++;
  });
  const error = await t.throwsAsync(request(actor, MetadataApi, { topics: null }, { timeoutMs: 10_000 }), { instanceOf: SaslAuthenticationError });
  t.is(error?.code, 'SASL_AUTHENTICATION_FAILED');
  t.is(error?.mechanism, 'OAUTHBEARER');
  t.regex(error?.message ?? '', /SASL OAUTHBEARER authentication .*failed/);
  await new Promise((r) => setTimeout(r, 2000));
  t.true(attempts <= 4, `${attempts} connection attempts in about 2 s`);
  t.true(calls <= 5, `${calls} tokens asked for in about 2 s`);
  t.is(actor.getSnapshot().status, 'active', 'the actor keeps running (and retrying slowly)');
});
