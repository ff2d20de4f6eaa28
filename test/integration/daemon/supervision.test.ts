/**
 * Supervision of the daemon end to end, with a failure that happens in real deployments: the
 * OAUTHBEARER token command (kafka.sasl.tokenCommand) works at start, then its identity provider
 * becomes unreachable. Every broker connection that must authenticate then fails (a broken
 * credentials source is not a network or broker problem, so it is not retried in place): the
 * broker actor is restarted with backoff, counted in /metrics, while the daemon keeps answering;
 * past supervisor.maxRestarts the failure climbs to the cluster, whose bootstrap fails the same
 * way, and past the cluster's budget the process exits non-zero with the reason in its log.
 */
import test from 'ava';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rpcCall, startDaemon } from '../../helpers/daemon-process.js';
import { kafkaOAuthEnv } from '../../helpers/kafka.js';
import { freshJwt } from '../../helpers/unsecured-jwt.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function restartsIn(metrics: string, actor: string): number | undefined {
  const match = new RegExp(`^kafka_sidecar_actor_restarts\\{actor="${actor}"\\} (\\d+)$`, 'm').exec(metrics);
  return match ? Number(match[1]) : undefined;
}

test('a token command that breaks: broker restarts show in /metrics while the daemon serves, then it exits 1 naming the reason', async (t) => {
  const env = await kafkaOAuthEnv();
  const dir = await mkdtemp(join(tmpdir(), 'ks-supervision-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'token'), freshJwt('sidecar-supervised', 3_600_000));
  const script = join(dir, 'token.sh');
  await writeFile(
    script,
    [
      '#!/bin/sh',
      `n=$(cat '${dir}/runs' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '${dir}/runs'`,
      // The first run (bootstrap) gets a token; then the identity provider is gone.
      'if [ "$n" -gt 1 ]; then echo "identity provider unreachable" >&2; exit 1; fi',
      `cat '${dir}/token'`,
      '',
    ].join('\n'),
  );
  await chmod(script, 0o755);

  const maxRestarts = 3;
  const windowMs = 300_000;
  const daemon = await startDaemon({
    KAFKA_SIDECAR_KAFKA_BROKERS: env.saslPlaintextBrokers.join(','),
    KAFKA_SIDECAR_KAFKA_SASL_MECHANISM: 'OAUTHBEARER',
    KAFKA_SIDECAR_KAFKA_SASL_TOKEN_COMMAND: script,
    // The refresh after bootstrap opens the control connection, which needs a second token.
    KAFKA_SIDECAR_CONNECTION_METADATA_REFRESH_MS: '1000',
    KAFKA_SIDECAR_CONNECTION_BACKOFF_MIN_MS: '200',
    KAFKA_SIDECAR_CONNECTION_BACKOFF_MAX_MS: '1000',
    KAFKA_SIDECAR_SUPERVISOR_MAX_RESTARTS: String(maxRestarts),
    KAFKA_SIDECAR_SUPERVISOR_WINDOW_MS: String(windowMs),
    // Restarts a second or two apart: slow enough to watch, fast enough for a test.
    KAFKA_SIDECAR_SUPERVISOR_BACKOFF_MIN_MS: '1500',
    KAFKA_SIDECAR_SUPERVISOR_BACKOFF_MAX_MS: '2500',
    KAFKA_SIDECAR_SHUTDOWN_TIMEOUT_MS: '10000',
  });
  t.teardown(() => void daemon.stop('SIGKILL'));

  // While the broker actor is being restarted, the daemon answers and /metrics counts restarts.
  let brokerRestarts = 0;
  let statusAnswers = 0;
  let exitCode: number | null | undefined;
  void daemon.exited.then((code) => (exitCode = code));
  const deadline = Date.now() + 90_000;
  while (exitCode === undefined && Date.now() < deadline) {
    try {
      const metrics = await (await fetch(`${daemon.httpUrl}/metrics`)).text();
      brokerRestarts = Math.max(brokerRestarts, restartsIn(metrics, 'broker:\\d+') ?? 0);
      const status = await rpcCall(daemon.socketPath, 'status', {}, 5000);
      if (status.result !== undefined && (status.result as { actors: unknown[] }).actors.length > 0) statusAnswers++;
    } catch {
      // The daemon is on its way out: the exit code below says whether that is right.
    }
    await sleep(200);
  }

  t.true(brokerRestarts >= 1, `kafka_sidecar_actor_restarts of the broker reached ${brokerRestarts}`);
  t.true(statusAnswers >= 3, `status answered ${statusAnswers} times meanwhile`);
  t.is(await daemon.exited, 1, 'the daemon exits non-zero once the supervisors give up');

  const lines = daemon
    .stdout()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: number; msg: string; actorId?: string; err?: { type?: string; message?: string } });
  const fatal = lines.find((l) => l.level === 60);
  t.truthy(fatal, 'a fatal line says why the daemon exits');
  t.is(fatal?.msg, 'a supervisor gave up: exiting so that the daemon is restarted');
  t.is(fatal?.err?.type, 'SupervisionEscalatedError');
  t.regex(fatal?.err?.message ?? '', new RegExp(`^cluster failed ${maxRestarts + 1} times within ${windowMs} ms, giving up: .*kafka\\.sasl\\.tokenCommand failed.*identity provider unreachable`, 's'));
  // The way there is logged too: the broker's supervisor restarting it, then giving up.
  t.true(lines.some((l) => l.actorId?.startsWith('supervisor:broker:') && /tokenCommand failed/.test(l.err?.message ?? '')));
  t.true(lines.some((l) => l.err?.type === 'SupervisionEscalatedError' && new RegExp(`^broker:\\d+ failed ${maxRestarts + 1} times`).test(l.err.message ?? '')));
});
