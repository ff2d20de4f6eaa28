// examples/shell/produce-fetch-ack.sh against a real daemon and broker: its produce, fetch and
// ack answers, and the group's committed offsets afterwards.
import test from 'ava';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../helpers/repo.js';
import { committedOffsets, createTopic, eventually, startConsumeDaemon, uniqueName } from './consume-fixture.js';

const run = promisify(execFile);
const script = join(repoRoot, 'examples', 'shell', 'produce-fetch-ack.sh');

interface Answer {
  id: number;
  result?: Record<string, unknown>;
  error?: unknown;
}

test('produce-fetch-ack.sh produces, fetches and acknowledges; the group commits past both messages', async (t) => {
  const f = await startConsumeDaemon(t);
  const client = await f.client();
  const topic = uniqueName('shell-consume');
  const group = uniqueName('g-shell');
  await createTopic(client, topic, 1);
  const { stdout } = await run(script, [topic, group, f.daemon.socketPath], { timeout: 60_000 });
  const answers = stdout.trim().split('\n').map((l) => JSON.parse(l) as Answer);
  t.deepEqual(answers.map((a) => a.id), [1, 2, 3]);
  t.deepEqual(answers[0]?.result, { results: [{ partition: 0, offset: '0' }, { partition: 0, offset: '1' }] });
  const messages = answers[1]?.result?.messages as { key: string; value: string; offset: string }[];
  t.deepEqual(messages.map((m) => [m.key, m.value, m.offset]), [['k1', 'hello from sh', '0'], ['k2', 'second', '1']]);
  t.deepEqual(answers[2]?.result, { acked: 2 });
  await eventually('the acked messages committed', async () => ((await committedOffsets(client, group, topic)).byPartition.get(0) === '2' ? true : undefined));
});
