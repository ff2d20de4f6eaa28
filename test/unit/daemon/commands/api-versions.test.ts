import test from 'ava';
import { runApiVersionsCommand } from '../../../../daemon/commands/api-versions.js';
import { allApis } from '../../../../protocol/messages/registry.js';
import { allVersions, FakeBroker } from '../../machines/fake-broker.js';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } } };
}

test('without a broker: every API we implement, with key and version range', async (t) => {
  const c = io();
  t.is(await runApiVersionsCommand([], c.io), 0);
  const text = c.out.join('');
  t.is(text.trim().split('\n').length, allApis.length + 1);
  t.regex(text, /^3\s+Metadata\s+0-\d+$/m);
  const json = io();
  await runApiVersionsCommand(['--json'], json.io);
  const parsed = JSON.parse(json.out.join('')) as { apis: Array<{ key: number; name: string; client: { min: number; max: number } }> };
  t.is(parsed.apis.length, allApis.length);
  t.is(parsed.apis.find((a) => a.key === 18)?.name, 'ApiVersions');
});

test('with a broker: its range, the version to use, and APIs without a common version named with both ranges', async (t) => {
  const broker = await new FakeBroker().on(18, () => ({ body: allVersions({ 3: { min: 1, max: 5 }, 10: { min: 50, max: 60 }, 0: null }) })).listen();
  const c = io();
  t.is(await runApiVersionsCommand(['--broker', `127.0.0.1:${broker.port}`], c.io), 0);
  const text = c.out.join('');
  t.regex(text, /^3\s+Metadata\s+0-\d+\s+1-5\s+5$/m);
  t.regex(text, /no common version of FindCoordinator: client 0-6, broker 50-60/);
  t.regex(text, /the broker does not support Produce/);
  const json = io();
  await runApiVersionsCommand(['--broker', `127.0.0.1:${broker.port}`, '--json'], json.io);
  const parsed = JSON.parse(json.out.join('')) as { apis: Array<{ key: number; version: number | null; problem?: string }> };
  t.is(parsed.apis.find((a) => a.key === 3)?.version, 5);
  t.regex(parsed.apis.find((a) => a.key === 10)?.problem ?? '', /broker 50-60/);
  await broker.close();
});

test('an unreachable broker fails with exit 1 and the error code; bad arguments exit 2', async (t) => {
  const gone = await new FakeBroker().listen();
  const port = gone.port;
  await gone.close();
  const c = io();
  t.is(await runApiVersionsCommand(['--broker', `127.0.0.1:${port}`, '--timeout', '1000'], c.io), 1);
  t.regex(c.err.join(''), /CONNECTION_REFUSED/);
  for (const argv of [['--broker', 'nohost'], ['--broker'], ['--timeout', '-1'], ['--bogus']]) {
    const u = io();
    t.is(await runApiVersionsCommand(argv, u.io), 2, argv.join(' '));
    t.regex(u.err.join(''), /usage: kafka-sidecar api-versions/);
  }
});
