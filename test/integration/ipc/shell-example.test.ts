// examples/shell/hello.sh run as a user would: socat against a real socket.
import test from 'ava';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../helpers/repo.js';
import { startServer, tempSocketDir } from './fixture.js';

const run = promisify(execFile);
const script = join(repoRoot, 'examples', 'shell', 'hello.sh');

test('hello.sh prints the answers to hello and status', async (t) => {
  const f = await startServer();
  t.teardown(() => f.stop());
  const { stdout } = await run(script, [f.path], { timeout: 15_000 });
  const answers = stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: number; result: Record<string, unknown> });
  answers.sort((a, b) => a.id - b.id);
  t.is(answers.length, 2);
  t.like(answers[0]?.result, { server: 'kafka-sidecar', version: '9.9.9', protocol: 1 });
  t.is(answers[1]?.result.version, '9.9.9');
  t.true((answers[1]?.result.sessions as Array<{ client: string }>).some((s) => s.client === 'hello.sh'));
});

test('hello.sh says clearly when no daemon is there', async (t) => {
  const dir = await tempSocketDir();
  const err = await t.throwsAsync(run(script, [join(dir, 'none.sock')], { timeout: 15_000 }));
  t.is((err as { code?: number }).code, 1);
  t.regex((err as { stderr?: string }).stderr ?? '', /no socket at .*none\.sock \(is kafka-sidecar running\?\)/);
});
