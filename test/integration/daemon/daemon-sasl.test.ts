/**
 * The daemon against the SASL listeners of this run's brokers (scripts/kafka-local --security):
 * OAUTHBEARER with tokens from kafka.sasl.tokenCommand, and the promise that a password given
 * through the environment never reaches the log, at the most verbose level, whether the broker
 * accepts it or refuses it.
 */
import test from 'ava';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rpcCall, startDaemon, type DaemonProcess } from '../../helpers/daemon-process.js';
import { kafkaOAuthEnv, kafkaSecurityEnv } from '../../helpers/kafka.js';
import { freshJwt } from '../../helpers/unsecured-jwt.js';

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const ready = (daemon: DaemonProcess): Promise<true> =>
  eventually('readiness', async () => ((await fetch(`${daemon.httpUrl}/readyz`)).status === 200 ? true : undefined));

/** A control connection that has authenticated: the refresh after bootstrap opens it. */
const controlReady = (daemon: DaemonProcess): Promise<string> =>
  eventually('a ready control connection in /metrics', async () => {
    const text = await (await fetch(`${daemon.httpUrl}/metrics`)).text();
    return /^kafka_sidecar_connection_state\{connection="broker:\d+:control",state="ready[^"]*"\} 1$/m.test(text) ? text : undefined;
  });

test('OAUTHBEARER with a token command: the daemon becomes ready and serves listTopics', async (t) => {
  const env = await kafkaOAuthEnv();
  const dir = await mkdtemp(join(tmpdir(), 'ks-oauth-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  // The command a deployment would run, e.g. a helper that asks an identity provider; here it
  // prints an unsecured JWT the broker's validator accepts, and counts its runs.
  const script = join(dir, 'token.sh');
  await writeFile(join(dir, 'token'), freshJwt('sidecar-daemon', 3_600_000));
  await writeFile(script, `#!/bin/sh\necho run >> '${join(dir, 'runs')}'\ncat '${join(dir, 'token')}'\n`);
  await chmod(script, 0o755);
  const daemon = await startDaemon({
    KAFKA_SIDECAR_KAFKA_BROKERS: env.saslPlaintextBrokers.join(','),
    KAFKA_SIDECAR_KAFKA_SASL_MECHANISM: 'OAUTHBEARER',
    KAFKA_SIDECAR_KAFKA_SASL_TOKEN_COMMAND: script,
    KAFKA_SIDECAR_CONNECTION_METADATA_REFRESH_MS: '1000',
  });
  t.teardown(() => void daemon.stop('SIGKILL'));
  await ready(daemon);
  await controlReady(daemon);
  const listed = await rpcCall(daemon.socketPath, 'listTopics');
  t.is(listed.error, undefined, JSON.stringify(listed.error));
  t.true(Array.isArray((listed.result as { topics: unknown[] }).topics));
  const { readFile } = await import('node:fs/promises');
  const runs = (await readFile(join(dir, 'runs'), 'utf8')).trim().split('\n').length;
  t.true(runs >= 2, `the token command ran ${runs} times (bootstrap, then the control connection)`);
  t.is(await daemon.stop('SIGTERM'), 0);
});

test('a SASL password never appears in the log at trace level, accepted or refused', async (t) => {
  const env = await kafkaSecurityEnv();
  const wrong = 'Wrong-Passw0rd-7f3a';
  const common = {
    KAFKA_SIDECAR_KAFKA_BROKERS: env.saslPlaintextBrokers.join(','),
    KAFKA_SIDECAR_KAFKA_SASL_USERNAME: env.user,
    KAFKA_SIDECAR_LOGGING_LEVEL: 'trace',
    KAFKA_SIDECAR_CONNECTION_METADATA_REFRESH_MS: '1000',
    KAFKA_SIDECAR_CONNECTION_BACKOFF_MIN_MS: '200',
    KAFKA_SIDECAR_CONNECTION_BACKOFF_MAX_MS: '1000',
  };
  const logs: string[] = [];

  for (const mechanism of ['PLAIN', 'SCRAM-SHA-512']) {
    const daemon = await startDaemon({ ...common, KAFKA_SIDECAR_KAFKA_SASL_MECHANISM: mechanism, KAFKA_SIDECAR_KAFKA_SASL_PASSWORD: env.password });
    t.teardown(() => void daemon.stop('SIGKILL'));
    await ready(daemon);
    await controlReady(daemon);
    t.is((await rpcCall(daemon.socketPath, 'listTopics')).error, undefined, mechanism);
    t.is(await daemon.stop('SIGTERM'), 0);
    logs.push(daemon.stdout() + daemon.stderr());
  }

  const refused = await startDaemon({ ...common, KAFKA_SIDECAR_KAFKA_SASL_MECHANISM: 'PLAIN', KAFKA_SIDECAR_KAFKA_SASL_PASSWORD: wrong });
  t.teardown(() => void refused.stop('SIGKILL'));
  // The refusal itself is logged (naming the mechanism and the user), twice, so a retry happened.
  await eventually('two logged authentication failures', async () =>
    (refused.stdout().match(/SASL_AUTHENTICATION_FAILED/g) ?? []).length >= 2 ? true : undefined,
  );
  t.regex(refused.stdout(), new RegExp(`SASL PLAIN authentication of user \\\\"${env.user}\\\\" failed`));
  t.is(await refused.stop('SIGTERM'), 0);
  logs.push(refused.stdout() + refused.stderr());

  const all = logs.join('\n');
  const lines = all.split('\n').filter((l) => l.startsWith('{'));
  // Proof that the level took effect: debug lines (actor state changes) are there.
  t.true(lines.some((l) => (JSON.parse(l) as { level: number }).level <= 20), 'debug or trace lines were written');
  for (const secret of [env.password, wrong]) {
    t.false(all.includes(secret), `the password ${secret === wrong ? '(wrong one)' : ''} appears in the log`);
    // Nor in the encodings a careless log of a SASL frame would use.
    for (const encoded of [Buffer.from(`\0${env.user}\0${secret}`).toString('base64'), Buffer.from(secret).toString('hex')]) {
      t.false(all.includes(encoded), `an encoding of the password appears in the log: ${encoded}`);
    }
  }
});
