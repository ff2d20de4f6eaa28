// examples/php run with Debian's php CLI against a real daemon: produce, then fetch + ack.
import test from 'ava';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../helpers/repo.js';
import { committedOffsets, createTopic, eventually, startConsumeDaemon, uniqueName } from './consume-fixture.js';

const run = promisify(execFile);
const script = join(repoRoot, 'examples', 'php', 'example.php');

test('the PHP example produces and consumes through the socket (fetch + ack), and the group commits', async (t) => {
  const f = await startConsumeDaemon(t);
  const admin = await f.client('admin');
  const topic = uniqueName('php');
  const group = uniqueName('g-php');
  await createTopic(admin, topic, 1);
  const { stdout } = await run('php', [script, f.daemon.socketPath, topic, group, '5'], { timeout: 90_000 });
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.deepEqual(lines.at(-1), { consumed: 5 });
  const messages = lines.slice(0, -1);
  t.deepEqual(
    messages.map((m) => [m.offset, m.key, m.value, m.attempt]),
    [0, 1, 2, 3, 4].map((i) => [String(i), `k${i}`, `hello from php ${i}`, 1]),
  );
  t.deepEqual(messages[0].headers, [['source', 'php']]);
  // The PHP process has exited; the daemon sees its socket close a moment later.
  await eventually('the PHP session gone', async () => ((await admin.status()).sessions.some((s) => s.client === 'php-example') ? undefined : true));
  await eventually('the acked offsets committed', async () => ((await committedOffsets(admin, group, topic)).byPartition.get(0) === '5' ? true : undefined));
  // Bad input from PHP gets a typed error, not a crash.
  const bad = await run('php', ['-r', `require '${join(repoRoot, 'examples', 'php', 'KafkaSidecar.php')}'; $s = new KafkaSidecar('${f.daemon.socketPath}'); try { $s->ack('${group}', [['topic' => '${topic}', 'partition' => 0, 'offset' => '99']]); } catch (KafkaSidecarError $e) { echo $e->errorCode; }`]);
  t.is(bad.stdout, 'UNKNOWN_MESSAGE');
});
