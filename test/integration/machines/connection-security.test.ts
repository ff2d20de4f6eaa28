/**
 * Connection actors against the real brokers of this run (each Kafka version of the matrix,
 * started with security listeners): TLS trust and host names, every SASL mechanism, refused
 * passwords, unreachable brokers, and version negotiation.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { createActor } from 'xstate';
import { request, whenReady } from '../../../machines/connection/connection-client.js';
import { connectionMachine, type ConnectionActor } from '../../../machines/connection/connection-machine.js';
import { SaslAuthenticationError, TlsCertInvalidError } from '../../../machines/connection/errors.js';
import type { ConnectionOptions } from '../../../machines/connection/options.js';
import { openSession } from '../../../machines/connection/options.js';
import type { SaslConfig } from '../../../machines/connection/sasl/mechanism.js';
import { ClusterClient } from '../../../machines/cluster/cluster-client.js';
import { clusterMachine } from '../../../machines/cluster/cluster-machine.js';
import { MetadataApi } from '../../../protocol/messages/metadata.js';
import { kafkaSecurityEnv } from '../../helpers/kafka.js';
import { freePort } from '../../helpers/free-port.js';

const run = promisify(execFile);

function split(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i), port: Number(address.slice(i + 1)) };
}

const base = {
  clientId: 'it-connection',
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

test('TLS with the right CA connects and serves requests', async (t) => {
  const env = await kafkaSecurityEnv();
  const actor = connect(env.sslBrokers[0], { tls: { caFile: env.caFile } });
  const metadata = await request(actor, MetadataApi, { topics: null });
  t.true(metadata.brokers.length >= 1);
});

test('TLS with a wrong CA is refused as untrusted-ca', async (t) => {
  const env = await kafkaSecurityEnv();
  const dir = await mkdtemp(join(tmpdir(), 'ks-wrong-ca-'));
  try {
    const ca = join(dir, 'other-ca.pem');
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', ca, '-days', '1', '-subj', '/CN=other-ca']);
    const actor = connect(env.sslBrokers[0], { tls: { caFile: ca } });
    const error = await t.throwsAsync(whenReady(actor, 10_000), { instanceOf: TlsCertInvalidError });
    t.is(error?.code, 'TLS_CERT_INVALID');
    t.is(error?.problem, 'untrusted-ca');
    t.false(error?.retriable);
    t.regex(error?.message ?? '', /broker certificate refused \(untrusted-ca, [A-Z_]+\)/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('TLS to a host name the certificate does not name is refused as hostname-mismatch', async (t) => {
  const env = await kafkaSecurityEnv();
  const actor = connect(env.sslBrokers[0], { tls: { caFile: env.caFile, servername: 'wrong.example.com' } });
  const error = await t.throwsAsync(whenReady(actor, 10_000), { instanceOf: TlsCertInvalidError });
  t.is(error?.problem, 'hostname-mismatch');
  t.is(error?.nodeCode, 'ERR_TLS_CERT_ALTNAME_INVALID');
  t.regex(error?.message ?? '', /wrong\.example\.com/);
});

for (const mechanism of ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
  test(`SASL ${mechanism} with the right password authenticates, over plaintext and TLS`, async (t) => {
    const env = await kafkaSecurityEnv();
    const sasl: SaslConfig = { mechanism, username: env.user, password: env.password };
    const plain = connect(env.saslPlaintextBrokers[0], { sasl });
    t.true((await request(plain, MetadataApi, { topics: null })).brokers.length >= 1);
    const overTls = connect(env.saslSslBrokers[0], { sasl, tls: { caFile: env.caFile } });
    t.true((await request(overTls, MetadataApi, { topics: null })).brokers.length >= 1);
  });

  test(`SASL ${mechanism} with a wrong password fails naming mechanism and user, and backs off`, async (t) => {
    const env = await kafkaSecurityEnv();
    const actor = connect(env.saslPlaintextBrokers[0], {
      sasl: { mechanism, username: env.user, password: 'wrong-password' },
      backoff: { minMs: 500, maxMs: 5000 },
    });
    let attempts = 0;
    actor.subscribe((s) => {
      if (s.matches({ connecting: 'dialing' })) attempts++;
    });
    const error = await t.throwsAsync(request(actor, MetadataApi, { topics: null }, { timeoutMs: 10_000 }), { instanceOf: SaslAuthenticationError });
    t.is(error?.code, 'SASL_AUTHENTICATION_FAILED');
    t.is(error?.mechanism, mechanism);
    t.is(error?.user, env.user);
    t.regex(error?.message ?? '', new RegExp(`SASL ${mechanism} authentication of user "${env.user}" failed`));
    await new Promise((r) => setTimeout(r, 2000));
    t.true(attempts <= 4, `${attempts} connection attempts in about 2 s`);
    t.is(actor.getSnapshot().status, 'active', 'the actor keeps running (and retrying slowly)');
  });
}

test('unreachable bootstrap servers fail with a clear error within the connect timeout', async (t) => {
  const port = await freePort();
  const actor = createActor(clusterMachine, {
    input: {
      bootstrap: [`127.0.0.1:${port}`],
      connection: { ...base, connectTimeoutMs: 2000 },
      metadataRefreshMs: 60_000,
      brokerRestarts: { maxRestarts: 3, windowMs: 60_000, backoff: { minMs: 100, maxMs: 1000 } },
    },
  }).start();
  const startedAt = Date.now();
  const error = await t.throwsAsync(new ClusterClient(actor).whenReady(10_000), { code: 'BOOTSTRAP_FAILED' });
  t.true(Date.now() - startedAt <= 2500);
  t.regex(error?.message ?? '', new RegExp(`no bootstrap broker reachable: 127.0.0.1:${port} \\(CONNECTION_REFUSED`));
  actor.stop();
});

test('version negotiation: every API the broker shares with us gets the highest common version', async (t) => {
  const env = await kafkaSecurityEnv();
  const { kafkaEnv } = await import('../../helpers/kafka.js');
  const plaintext = (await kafkaEnv()).brokers[0];
  const session = await openSession({ ...base, ...split(plaintext) });
  try {
    const entries = session.versions.entries();
    const metadata = entries.find((e) => e.api.name === 'Metadata');
    t.truthy(metadata?.broker);
    t.is(metadata?.version, Math.min(metadata?.client.max ?? -1, metadata?.broker?.max ?? -1));
    for (const e of entries) {
      if (e.version !== null) t.true(e.version >= (e.broker?.min ?? 0) && e.version <= e.client.max, e.api.name);
    }
    t.truthy(env.version);
  } finally {
    session.pipeline.close();
  }
});
