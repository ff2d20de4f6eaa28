// No Docker engine runs on the project machines, so the image's start is tested by running what
// the Dockerfile's runtime stage runs: its ENV, then ENTRYPOINT + CMD, then its HEALTHCHECK
// command against that daemon. A Dockerfile change that breaks the start breaks this test.
import test from 'ava';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startDaemon } from '../../helpers/daemon-process.js';
import { kafkaEnv } from '../../helpers/kafka.js';
import { repoRoot } from '../../helpers/repo.js';

const execFileAsync = promisify(execFile);

interface RuntimeStage {
  env: Record<string, string>;
  entrypoint: string[];
  cmd: string[];
  healthcheck: string[];
  exposedPort: string;
}

/** The last stage of the Dockerfile, with continuation lines joined. */
function runtimeStage(dockerfile: string): RuntimeStage {
  const lines = dockerfile.replace(/\\\n\s*/g, ' ').split('\n');
  const last = lines.map((l, i) => (/^FROM /.test(l) ? i : -1)).filter((i) => i >= 0).pop() ?? 0;
  const stage = lines.slice(last);
  const env: Record<string, string> = {};
  for (const line of stage.filter((l) => l.startsWith('ENV '))) {
    for (const [, key, value] of line.slice(4).matchAll(/(\w+)=(\S+)/g)) env[key!] = value!;
  }
  const json = (keyword: string): string[] => {
    const line = stage.find((l) => l.startsWith(`${keyword} `));
    if (!line) throw new Error(`the runtime stage has no ${keyword}`);
    return JSON.parse(line.slice(keyword.length + 1)) as string[];
  };
  const health = stage.find((l) => l.startsWith('HEALTHCHECK '));
  const healthCmd = health ? /\bCMD (.*)$/.exec(health)?.[1] : undefined;
  if (!healthCmd) throw new Error('the runtime stage has no HEALTHCHECK CMD');
  const expose = stage.find((l) => l.startsWith('EXPOSE '));
  return {
    env,
    entrypoint: json('ENTRYPOINT'),
    cmd: json('CMD'),
    // Shell form: `node -e "..."`; split off the quoted script.
    healthcheck: (/^(\S+) (-e) "(.*)"$/.exec(healthCmd.trim()) ?? []).slice(1),
    exposedPort: expose?.split(/\s+/)[1] ?? '',
  };
}

test('the image start command brings up a daemon whose HEALTHCHECK passes', async (t) => {
  const stage = runtimeStage(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
  t.deepEqual(stage.entrypoint, ['node', 'dist/daemon/cli.js']);
  t.deepEqual(stage.cmd, ['start']);
  t.is(stage.healthcheck.length, 3, 'HEALTHCHECK is `node -e "<script>"`');
  t.is(stage.exposedPort, '9464', 'the exposed port is the default HTTP port');
  t.is(stage.env.KAFKA_SIDECAR_HTTP_HOST, '0.0.0.0', 'the HTTP server must listen beyond loopback in a container');

  const env = await kafkaEnv();
  // The image's environment, with the socket in a private directory and a free HTTP port so
  // that parallel tests do not collide; the brokers come as a deployment would give them.
  const { KAFKA_SIDECAR_IPC_SOCKET_PATH: imageSocket, ...imageEnv } = stage.env;
  t.truthy(imageSocket);
  const daemon = await startDaemon({ ...imageEnv, KAFKA_SIDECAR_KAFKA_BROKERS: env.brokers.join(',') }, [], [...stage.entrypoint, ...stage.cmd]);
  t.teardown(() => void daemon.stop('SIGKILL'));
  const port = new URL(daemon.httpUrl).port;

  const [node, flag, script] = stage.healthcheck as [string, string, string];
  const healthy = await execFileAsync(node === 'node' ? process.execPath : node, [flag, script.replaceAll('9464', port)]).then(
    () => 0,
    (err: { code?: number }) => err.code ?? 1,
  );
  t.is(healthy, 0, 'the HEALTHCHECK command succeeds against the running daemon');
  t.is(await daemon.stop('SIGTERM'), 0);

  // And it fails when nothing listens, so it can tell a dead daemon from a live one.
  const dead = await execFileAsync(process.execPath, [flag, script.replaceAll('9464', port)]).then(
    () => 0,
    (err: { code?: number }) => err.code ?? 1,
  );
  t.not(dead, 0);
});
