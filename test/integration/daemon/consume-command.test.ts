// `kafka-sidecar consume` against a real daemon: prints messages as JSON lines, acks them, stops after --max.
import test from 'ava';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../helpers/repo.js';
import { committedOffsets, createTopic, eventually, produceValues, startConsumeDaemon, uniqueName } from '../ipc/consume-fixture.js';

const run = promisify(execFile);

test('consume prints --max messages as JSON lines and acks them', async (t) => {
  const f = await startConsumeDaemon(t);
  const admin = await f.client('admin');
  const topic = uniqueName('cli-consume');
  const group = uniqueName('g-cli');
  await createTopic(admin, topic, 1);
  await produceValues(admin, topic, Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })));
  const cli = join(repoRoot, 'dist', 'daemon', 'cli.js');
  const { stdout } = await run(process.execPath, [cli, 'consume', '--socket', f.daemon.socketPath, group, topic, '--max', '3', '--from', 'earliest'], { timeout: 60_000 });
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.deepEqual(
    lines.map((m) => [m.topic, m.offset, m.key, m.value, m.attempt]),
    [0, 1, 2].map((i) => [topic, String(i), `k${i}`, `v${i}`, 1]),
  );
  await eventually('three acked offsets committed', async () => ((await committedOffsets(admin, group, topic)).byPartition.get(0) === '3' ? true : undefined));
  const bad = await run(process.execPath, [cli, 'consume', '--socket', f.daemon.socketPath, group]).catch((err: { code: number; stderr: string }) => err);
  t.is((bad as { code: number }).code, 2);
  t.regex((bad as { stderr: string }).stderr, /GROUP and at least one TOPIC/);
});
