import test from 'ava';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../helpers/repo.js';

const cli = join(repoRoot, 'dist', 'daemon', 'cli.js');

function runCli(args: string[], env: Record<string, string>): ReturnType<typeof spawnSync> {
  // A clean environment: the developer's own KAFKA_SIDECAR_* variables must not leak in.
  return spawnSync(process.execPath, [cli, 'config', ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 30_000 });
}

test('kafka-sidecar config exits 2 on invalid configuration and names the variable', (t) => {
  const result = runCli([], { KAFKA_SIDECAR_CONSUMER_SESSION_TIMEOUT_MS: 'soon' });
  t.is(result.status, 2, String(result.stderr));
  t.regex(String(result.stderr), /consumer\.sessionTimeoutMs \(from env KAFKA_SIDECAR_CONSUMER_SESSION_TIMEOUT_MS\)/);
});

test('kafka-sidecar config exits 0 on a valid configuration', (t) => {
  const result = runCli(['--set', 'http.port=0'], {});
  t.is(result.status, 0, String(result.stderr));
  t.regex(String(result.stdout), /configuration is valid/);
});
